#include "services/platform/listing.h"

#include "gtest/gtest.h"

namespace enamnd::platform {
namespace {

TEST(PageTokenTest, RoundTripsItsKey) {
  std::string token = EncodePageToken("List|bodies/a|", {"e-namnden", "2022", "8"});
  auto key = DecodePageToken(token, "List|bodies/a|");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, (std::vector<std::string>{"e-namnden", "2022", "8"}));
}

TEST(PageTokenTest, RejectsAlteredToken) {
  std::string token = EncodePageToken("scope", {"a", "1"});
  for (size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    auto key = DecodePageToken(altered, "scope");
    EXPECT_FALSE(key.ok()) << "position " << i;
    if (!key.ok()) {
      EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(key.status().message().find("page_token"), std::string::npos);
    }
  }
}

TEST(PageTokenTest, RejectsTokenOfAnotherRequest) {
  std::string token = EncodePageToken("ListParagraphs|bodies/-|year = 2022", {"x"});
  EXPECT_FALSE(DecodePageToken(token, "ListParagraphs|bodies/-|year = 2023").ok());
  EXPECT_FALSE(DecodePageToken("not base64 !!", "scope").ok());
  EXPECT_FALSE(DecodePageToken("", "scope").ok());
}

TEST(PageSizeTest, DefaultsAndClamps) {
  EXPECT_EQ(*EffectivePageSize(0), kDefaultPageSize);
  EXPECT_EQ(*EffectivePageSize(5), 5);
  EXPECT_EQ(*EffectivePageSize(1000000), kMaxPageSize);
  EXPECT_EQ(EffectivePageSize(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FilterTest, ParsesConjunctionOfTerms) {
  auto terms = ParseFilter(R"(recipient = "municipalities/2584" AND year=2022 and kind = APPROVE)",
                           {"recipient", "year", "kind"});
  ASSERT_TRUE(terms.ok()) << terms.status();
  EXPECT_EQ(terms->at("recipient"), "municipalities/2584");
  EXPECT_EQ(terms->at("year"), "2022");
  EXPECT_EQ(terms->at("kind"), "APPROVE");
  EXPECT_TRUE(ParseFilter("   ", {"year"})->empty());
}

TEST(FilterTest, RejectsBadFiltersNamingTheField) {
  for (const char* bad : {"colour = red", "year", "year = 2022 OR year = 2023",
                          "year = 2022 AND year = 2023", "year = \"2022", "year = "}) {
    auto terms = ParseFilter(bad, {"year"});
    ASSERT_FALSE(terms.ok()) << bad;
    EXPECT_EQ(terms.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(terms.status().message().rfind("filter", 0), 0u) << terms.status();
  }
}

}  // namespace
}  // namespace enamnd::platform
