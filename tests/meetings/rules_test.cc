#include "services/meetings/domain/rules.h"

#include "gtest/gtest.h"

namespace enamnd::meetings {
namespace {

TEST(CaseNumberTest, ParsesRealCaseNumbers) {
  auto n = ParseCaseNumber("2022/9-2.2.0.1", "f");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->year, 2022);
  EXPECT_EQ(n->sequence, 9);
  EXPECT_EQ(n->classification, "2.2.0.1");
  EXPECT_EQ(n->ResourceName(), "cases/2022-9");
  EXPECT_EQ(n->ToString(), "2022/9-2.2.0.1");
  auto m = ParseCaseNumber("2022/17-1.1.1.2", "f");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->ResourceName(), "cases/2022-17");
}

TEST(CaseNumberTest, RejectsMalformedNumbersNamingTheField) {
  for (const char* bad : {"", "2022", "2022/9", "2022-9-2.2", "1899/1-1", "3000/1-1", "20a2/1-1",
                          "2022/-1", "2022/0-1", "2022/01-1", "2022/9-", "2022/9-2..1",
                          "2022/9-1234", "2022/9-1.2.3.4.5.6.7", "2022/9-2.2.0.1 "}) {
    auto n = ParseCaseNumber(bad, "case.case_number");
    ASSERT_FALSE(n.ok()) << "accepted " << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(n.status().message().rfind("case.case_number: ", 0), 0u) << n.status();
  }
}

TEST(MunicipalityTest, AcceptsFourDigitCodes) {
  EXPECT_EQ(*ParseMunicipalityName("municipalities/2584", "f"), "2584");
  EXPECT_FALSE(ParseMunicipalityName("2584", "f").ok());
  EXPECT_FALSE(ParseMunicipalityName("municipalities/258", "f").ok());
  EXPECT_FALSE(ParseMunicipalityName("municipalities/25845", "f").ok());
  EXPECT_FALSE(ParseMunicipalityName("municipalities/", "f").ok());
}

TEST(CrossReferenceTest, RequiresAKnownArea) {
  EXPECT_TRUE(ValidateCrossReference("//audits/reviews/2021-2584", "f").ok());
  EXPECT_TRUE(ValidateCrossReference("//projects/initiatives/hr-payroll", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("audits/reviews/2021-2584", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("//weather/reviews/1", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("//audits/reviews", "f").ok());
  EXPECT_FALSE(ValidateCrossReference("//audits/reviews/a b", "f").ok());
}

TEST(ResourceIdTest, AllowsLowercaseDigitsHyphens) {
  EXPECT_TRUE(ValidateResourceId("e-namnden", "f").ok());
  EXPECT_TRUE(ValidateResourceId("2022-06-22", "f").ok());
  EXPECT_FALSE(ValidateResourceId("E-namnden", "f").ok());
  EXPECT_FALSE(ValidateResourceId("-x", "f").ok());
  EXPECT_FALSE(ValidateResourceId("a/b", "f").ok());
  EXPECT_FALSE(ValidateResourceId(std::string(64, 'a'), "f").ok());
}

TEST(DayTest, RejectsDaysThatDoNotExist) {
  EXPECT_TRUE(ValidateDay(2024, 2, 29, "f").ok());
  EXPECT_FALSE(ValidateDay(2022, 2, 29, "f").ok());
  EXPECT_FALSE(ValidateDay(2022, 13, 1, "f").ok());
  EXPECT_FALSE(ValidateDay(2022, 6, 0, "f").ok());
  EXPECT_EQ(FormatDay(2022, 6, 22), "2022-06-22");
}

TEST(QuorumTest, MoreThanHalfOfSeats) {
  EXPECT_FALSE(HasQuorum(7, 14));
  EXPECT_TRUE(HasQuorum(8, 14));
  EXPECT_TRUE(HasQuorum(2, 3));
  EXPECT_FALSE(HasQuorum(0, 0));
}

TEST(QuorumTest, SubstituteCountsOnlyForItsParagraphs) {
  SeatPresence member{true, false, {}};
  SeatPresence substitute_all{false, true, {}};
  SeatPresence substitute_some{false, true, {9, 10}};
  SeatPresence absent{false, false, {}};
  EXPECT_TRUE(SeatRepresented(member, 8));
  EXPECT_TRUE(SeatRepresented(substitute_all, 8));
  EXPECT_FALSE(SeatRepresented(substitute_some, 8));
  EXPECT_TRUE(SeatRepresented(substitute_some, 9));
  EXPECT_FALSE(SeatRepresented(substitute_some, std::nullopt));
  EXPECT_FALSE(SeatRepresented(absent, 8));
}

TEST(TextTest, EnforcesRequiredAndLength) {
  EXPECT_FALSE(ValidateText("  ", "f", 10, true).ok());
  EXPECT_TRUE(ValidateText("", "f", 10, false).ok());
  EXPECT_FALSE(ValidateText(std::string(11, 'x'), "f", 10, false).ok());
  EXPECT_TRUE(ValidateSha256(std::string(64, 'a'), "f").ok());
  EXPECT_FALSE(ValidateSha256(std::string(64, 'A'), "f").ok());
}

}  // namespace
}  // namespace enamnd::meetings
