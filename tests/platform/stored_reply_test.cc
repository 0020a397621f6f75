// Replies spliced from stored bytes (stored_reply.h): what they append
// parses to the message the slow way (parse, set etag, serialize) gives.
#include "services/platform/stored_reply.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/platform/proto_rows.h"

namespace enamnd::platform {
namespace {

using enamnd::meetings::v1::ListParagraphsResponse;
using enamnd::meetings::v1::Paragraph;
using google::protobuf::util::MessageDifferencer;

Paragraph SomeParagraph(int number) {
  Paragraph p;
  p.set_name(absl::StrCat("bodies/e-namnden/meetings/2022-06-22/paragraphs/", number));
  p.set_number(number);
  p.set_title("Förstudie gemensam e-arkivlösning");
  p.mutable_decision()->set_text(std::string(300, 'x'));  // a length over one byte
  p.add_recipients()->set_municipality("2580");
  p.add_recipients()->set_municipality("2584");
  p.set_adjustment(number % 2 == 0 ? "adjustments/1" : "");
  return p;
}

std::string Stored(const Paragraph& p) { return EncodeProto(p).bytes; }

TEST(StoredReplyTest, StoredBytesWithTheEtagParseAsTheResourceWithItsEtag) {
  for (int64_t revision : {int64_t{0}, int64_t{7}, std::numeric_limits<int64_t>::max()}) {
    Paragraph expected = SomeParagraph(12);
    expected.set_etag(absl::StrCat(revision));
    std::string reply;
    AppendStoredWithEtag(Stored(expected), Paragraph::kEtagFieldNumber, revision, &reply);
    Paragraph parsed;
    ASSERT_TRUE(parsed.ParseFromString(reply));
    EXPECT_TRUE(MessageDifferencer::Equals(parsed, expected)) << parsed.DebugString();
  }
}

TEST(StoredReplyTest, APageOfEmbeddedStoredBytesParsesAsTheListResponse) {
  ListParagraphsResponse expected;
  std::string reply;
  for (int number = 1; number <= 3; ++number) {
    Paragraph p = SomeParagraph(number);
    const int64_t revision = 100 + number;
    AppendEmbeddedStored(ListParagraphsResponse::kParagraphsFieldNumber, Stored(p),
                         Paragraph::kEtagFieldNumber, revision, &reply);
    p.set_etag(absl::StrCat(revision));
    *expected.add_paragraphs() = p;
  }
  AppendEmbedded(ListParagraphsResponse::kParagraphsFieldNumber,
                 SomeParagraph(4).SerializeAsString(), &reply);
  *expected.add_paragraphs() = SomeParagraph(4);
  AppendStringField(ListParagraphsResponse::kNextPageTokenFieldNumber, "next", &reply);
  expected.set_next_page_token("next");
  ListParagraphsResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(reply));
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, expected)) << parsed.DebugString();

  // An empty string is not encoded at all, as proto3 does.
  std::string none;
  AppendStringField(ListParagraphsResponse::kNextPageTokenFieldNumber, "", &none);
  EXPECT_TRUE(none.empty());
}

TEST(StoredReplyTest, EmbeddedLengthCountsAnEtagTagOfTwoBytes) {
  // Field 26 (update_principal) needs a two-byte tag: the embedded length
  // must count it, or the next field would be read from the wrong place.
  Paragraph p = SomeParagraph(3);
  std::string reply;
  AppendEmbeddedStored(ListParagraphsResponse::kParagraphsFieldNumber, Stored(p),
                       Paragraph::kUpdatePrincipalFieldNumber, 123456789012345, &reply);
  AppendStringField(ListParagraphsResponse::kNextPageTokenFieldNumber, "t", &reply);
  ListParagraphsResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(reply));
  ASSERT_EQ(parsed.paragraphs_size(), 1);
  EXPECT_EQ(parsed.paragraphs(0).update_principal(), "123456789012345");
  EXPECT_EQ(parsed.next_page_token(), "t");
}

TEST(StoredReplyTest, ScanFindsTheWantedFieldsAndSkipsTheRest) {
  struct Case {
    std::string name;
    Paragraph paragraph;
    bool adjusted;
    bool secret;
  };
  Paragraph secret = SomeParagraph(2);
  secret.mutable_secrecy()->set_chapter(21);
  Paragraph empty_secrecy = SomeParagraph(1);
  empty_secrecy.mutable_secrecy();  // present though empty: still secret
  for (const Case& c : std::vector<Case>{{"draft", SomeParagraph(1), false, false},
                                         {"adjusted", SomeParagraph(2), true, false},
                                         {"secret", secret, true, true},
                                         {"empty secrecy", empty_secrecy, false, true}}) {
    SCOPED_TRACE(c.name);
    constexpr int kWanted[] = {Paragraph::kAdjustmentFieldNumber, Paragraph::kSecrecyFieldNumber,
                               Paragraph::kNumberFieldNumber};
    StoredField found[3];
    ASSERT_TRUE(ScanStoredFields(Stored(c.paragraph), kWanted, absl::MakeSpan(found)).ok());
    EXPECT_EQ(!found[0].value.empty(), c.adjusted);
    EXPECT_EQ(found[1].present, c.secret);
    EXPECT_TRUE(found[2].present);  // a varint field: present, no bytes
    EXPECT_TRUE(found[2].value.empty());
  }
}

TEST(StoredReplyTest, ScanRefusesBytesThatAreNoEncoding) {
  std::string stored = Stored(SomeParagraph(2));
  constexpr int kWanted[] = {Paragraph::kAdjustmentFieldNumber};
  StoredField found[1];
  for (const std::string& bad :
       {stored.substr(0, stored.size() - 3), std::string("\x0a\x7f", 2), std::string("\xff", 1)}) {
    EXPECT_EQ(ScanStoredFields(bad, kWanted, absl::MakeSpan(found)).code(),
              absl::StatusCode::kDataLoss)
        << absl::CEscape(bad.substr(0, 8));
  }
}

}  // namespace
}  // namespace enamnd::platform
