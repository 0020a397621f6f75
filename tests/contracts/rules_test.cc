// The rules of procurements and agreements (services/contracts/domain),
// as tables: one row per case.
#include "services/contracts/domain/rules.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/contracts/domain/names.h"
#include "services/platform/api_util.h"
#include "tests/support/builders.h"

namespace enamnd::contracts {
namespace {

using absl::CivilDay;
using testing::Day;
using v1::Procurement;

TEST(ContractsRulesTest, OrganisationNumbers) {
  struct Case {
    std::string text;
    bool valid;
  };
  for (const Case& c : std::vector<Case>{
           {"556016-0680", true},   // the example
           {"202100-5489", true},   // a public body's number, Luhn-valid
           {"556016-0681", false},  // wrong check digit
           {"5560160680", false},   // no hyphen
           {"556016-068", false},   // too short
           {"55601a-0680", false},
           {"", false},
       }) {
    absl::Status s = ValidateOrganisationNumber(c.text, "supplier.organisation_number");
    EXPECT_EQ(s.ok(), c.valid) << c.text << ": " << s;
    if (!c.valid) {
      EXPECT_TRUE(absl::StartsWith(s.message(), "supplier.organisation_number: ")) << s;
    }
  }
}

TEST(ContractsRulesTest, AddMonthsKeepsTheDayOrTakesTheMonthsLast) {
  EXPECT_EQ(AddMonths(CivilDay(2022, 1, 31), 1), CivilDay(2022, 2, 28));
  EXPECT_EQ(AddMonths(CivilDay(2024, 1, 31), 1), CivilDay(2024, 2, 29));
  EXPECT_EQ(AddMonths(CivilDay(2022, 6, 30), 12), CivilDay(2023, 6, 30));
  EXPECT_EQ(AddMonths(CivilDay(2022, 3, 31), -1), CivilDay(2022, 2, 28));
}

TEST(ContractsRulesTest, StandstillAcrossWeekendsAndHolidays) {
  struct Case {
    CivilDay notice;
    v1::NoticeMeans means;
    CivilDay end;
  };
  for (const Case& c : std::vector<Case>{
           // Electronic: 10 days. 2022-06-01 + 10 = Saturday 11 June -> Monday 13.
           {CivilDay(2022, 6, 1), v1::NOTICE_MEANS_ELECTRONIC, CivilDay(2022, 6, 13)},
           // Other means: 15 days. 2022-06-01 + 15 = Thursday 16 June.
           {CivilDay(2022, 6, 1), v1::NOTICE_MEANS_OTHER, CivilDay(2022, 6, 16)},
           // + 10 = Midsummer Eve (Friday 24 June 2022), then the weekend -> Monday 27.
           {CivilDay(2022, 6, 14), v1::NOTICE_MEANS_ELECTRONIC, CivilDay(2022, 6, 27)},
           // + 10 = Christmas Eve 2022 (a Saturday): 24-26 barred -> Tuesday 27.
           {CivilDay(2022, 12, 14), v1::NOTICE_MEANS_ELECTRONIC, CivilDay(2022, 12, 27)},
           // + 10 = Good Friday 2023 (7 April), Easter Monday 10 April -> Tuesday 11.
           {CivilDay(2023, 3, 28), v1::NOTICE_MEANS_ELECTRONIC, CivilDay(2023, 4, 11)},
           // An ordinary weekday stays.
           {CivilDay(2022, 9, 5), v1::NOTICE_MEANS_ELECTRONIC, CivilDay(2022, 9, 15)},
       }) {
    EXPECT_EQ(StandstillEnd(c.notice, c.means), c.end) << c.notice;
  }
}

TEST(ContractsRulesTest, ProcurementTransitions) {
  struct Case {
    Procurement::State from, to;
    bool allowed;
  };
  for (const Case& c : std::vector<Case>{
           {Procurement::STATE_PLANNED, Procurement::STATE_ADVERTISED, true},
           {Procurement::STATE_ADVERTISED, Procurement::STATE_EVALUATION, true},
           {Procurement::STATE_STANDSTILL, Procurement::STATE_CONCLUDED, true},
           {Procurement::STATE_EVALUATION, Procurement::STATE_CANCELLED, true},
           {Procurement::STATE_PLANNED, Procurement::STATE_EVALUATION, false},
           {Procurement::STATE_EVALUATION, Procurement::STATE_CONCLUDED, false},
           {Procurement::STATE_UNDER_REVIEW, Procurement::STATE_CONCLUDED, false},
           {Procurement::STATE_UNDER_REVIEW, Procurement::STATE_CANCELLED, false},
           {Procurement::STATE_CONCLUDED, Procurement::STATE_CANCELLED, false},
       }) {
    absl::Status s = CheckProcurementTransition(c.from, c.to);
    EXPECT_EQ(s.ok(), c.allowed) << Procurement::State_Name(c.from) << " -> "
                                 << Procurement::State_Name(c.to) << ": " << s;
    if (!c.allowed) {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    }
  }
  EXPECT_TRUE(absl::StrContains(
      CheckProcurementTransition(Procurement::STATE_PLANNED, Procurement::STATE_EVALUATION)
          .message(),
      "may move to STATE_ADVERTISED or STATE_CANCELLED"));
}

TEST(ContractsRulesTest, StandstillAndReview) {
  v1::Procurement p;
  p.set_name("procurements/x");
  p.set_state(Procurement::STATE_STANDSTILL);
  *p.mutable_standstill_end() = Day(2022, 6, 13);
  EXPECT_EQ(CheckStandstillOver(p, CivilDay(2022, 6, 13)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CheckStandstillOver(p, CivilDay(2022, 6, 14)).ok());
  EXPECT_TRUE(CheckReviewRequest(p, CivilDay(2022, 6, 13)).ok());  // on the last day
  EXPECT_EQ(CheckReviewRequest(p, CivilDay(2022, 6, 14)).code(),
            absl::StatusCode::kInvalidArgument);
  p.set_state(Procurement::STATE_CONCLUDED);
  EXPECT_EQ(CheckReviewRequest(p, CivilDay(2022, 6, 10)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(StateAfterReview(v1::REVIEW_OUTCOME_REJECTED), Procurement::STATE_STANDSTILL);
  EXPECT_EQ(StateAfterReview(v1::REVIEW_OUTCOME_CORRECTION), Procurement::STATE_EVALUATION);
  EXPECT_EQ(StateAfterReview(v1::REVIEW_OUTCOME_REDO), Procurement::STATE_PLANNED);
}

v1::Terms Framework(CivilDay start, CivilDay end, std::vector<int> extensions, int notice = 0) {
  v1::Terms t;
  t.set_type(v1::AGREEMENT_TYPE_FRAMEWORK);
  *t.mutable_start() = platform::ToDate(start);
  *t.mutable_end() = platform::ToDate(end);
  for (int months : extensions) t.add_extensions()->set_months(months);
  t.set_notice_months(notice);
  return t;
}

TEST(ContractsRulesTest, TheFourYearRule) {
  struct Case {
    std::string what;
    v1::Terms terms;
    std::string reason;
    bool ok;
  };
  const CivilDay start(2021, 1, 1);
  for (const Case& c : std::vector<Case>{
           {"2+1+1 is exactly four years", Framework(start, CivilDay(2022, 12, 31), {12, 12}), "",
            true},
           {"2+1+1+1 is five", Framework(start, CivilDay(2022, 12, 31), {12, 12, 12}), "", false},
           {"five with a reason", Framework(start, CivilDay(2022, 12, 31), {12, 12, 12}),
            "Systembyte kräver längre avtalstid", true},
           {"a reason of blanks is none", Framework(start, CivilDay(2022, 12, 31), {12, 12, 12}),
            "  ", false},
           {"one day over", Framework(start, CivilDay(2025, 1, 1), {}), "", false},
       }) {
    absl::Status s = CheckFourYearRule(c.terms, c.reason);
    EXPECT_EQ(s.ok(), c.ok) << c.what << ": " << s;
    if (!c.ok) {
      EXPECT_TRUE(absl::StartsWith(s.message(), "agreement.special_reason: ")) << s;
    }
  }
  // A used option is in `end` already: not counted twice.
  v1::Terms extended = Framework(start, CivilDay(2023, 12, 31), {12, 12});
  extended.mutable_extensions(0)->set_used(true);
  EXPECT_TRUE(CheckFourYearRule(extended, "").ok());
  v1::Terms contract = Framework(start, CivilDay(2030, 12, 31), {});
  contract.set_type(v1::AGREEMENT_TYPE_CONTRACT);
  EXPECT_TRUE(CheckFourYearRule(contract, "").ok());  // the rule is for framework agreements
}

TEST(ContractsRulesTest, ExpiryCountsUnusedExtensionsAndTheNoticePeriod) {
  v1::Terms t = Framework(CivilDay(2021, 1, 1), CivilDay(2022, 12, 31), {12, 12}, 3);
  Expiry e = ExpiryOf(t);
  EXPECT_EQ(e.final_end, CivilDay(2024, 12, 31));
  EXPECT_EQ(e.last_notice_day, CivilDay(2024, 9, 30));
  EXPECT_EQ(e.unused_extensions, 2);
  // Using an option moves the end, not the final end.
  t.mutable_extensions(0)->set_used(true);
  *t.mutable_end() = Day(2023, 12, 31);
  EXPECT_EQ(ExpiryOf(t).final_end, CivilDay(2024, 12, 31));
  EXPECT_EQ(ExpiryOf(t).unused_extensions, 1);
}

TEST(ContractsRulesTest, ExpiryHorizons) {
  Expiry e{CivilDay(2023, 3, 31), CivilDay(2022, 12, 31), 0};
  const std::vector<int> horizons = {12, 6, 3};
  struct Case {
    CivilDay today;
    std::optional<int> horizon;
    std::vector<int> passed;
  };
  for (const Case& c : std::vector<Case>{
           {CivilDay(2021, 12, 30), std::nullopt, {}},
           {CivilDay(2021, 12, 31), 12, {}},
           {CivilDay(2022, 6, 29), 12, {}},
           {CivilDay(2022, 6, 30), 6, {12}},  // six months before 2022-12-31
           {CivilDay(2022, 9, 29), 6, {12}},
           {CivilDay(2022, 9, 30), 3, {6, 12}},
           {CivilDay(2022, 12, 31), 3, {6, 12}},
           {CivilDay(2023, 1, 1), std::nullopt, {}},  // past the last day to give notice
       }) {
    std::optional<HorizonReached> h = ExpiryHorizonOn(e, horizons, c.today);
    ASSERT_EQ(h.has_value(), c.horizon.has_value()) << c.today;
    if (!h.has_value()) continue;
    EXPECT_EQ(h->horizon_months, *c.horizon) << c.today;
    EXPECT_EQ(h->passed, c.passed) << c.today;
  }
}

TEST(ContractsRulesTest, Horizons) {
  EXPECT_EQ(*ParseHorizons("12,6,3", "ENAMND_EXPIRY_HORIZONS"), (std::vector<int>{12, 6, 3}));
  EXPECT_FALSE(ParseHorizons("12,,3", "ENAMND_EXPIRY_HORIZONS").ok());
  EXPECT_FALSE(ParseHorizons("6,6", "ENAMND_EXPIRY_HORIZONS").ok());
  EXPECT_FALSE(ParseHorizons("0", "ENAMND_EXPIRY_HORIZONS").ok());
}

TEST(ContractsRulesTest, AgreementContent) {
  v1::Agreement a;
  a.set_name("agreements/x");
  a.set_title("IT-konsulttjänster");
  a.mutable_supplier()->set_display_name("Exempelbolaget AB");
  a.mutable_supplier()->set_organisation_number("556016-0680");
  *a.mutable_terms() = Framework(CivilDay(2021, 1, 1), CivilDay(2022, 12, 31), {12, 12});
  a.add_entitled("municipalities/2582");
  EXPECT_TRUE(ValidateAgreement(a).ok()) << ValidateAgreement(a);
  v1::Agreement backwards = a;
  *backwards.mutable_terms()->mutable_end() = Day(2020, 12, 31);
  EXPECT_TRUE(absl::StartsWith(ValidateAgreement(backwards).message(), "agreement.terms.end: "));
  v1::Agreement twice = a;
  twice.add_entitled("municipalities/2582");
  EXPECT_TRUE(absl::StartsWith(ValidateAgreement(twice).message(), "agreement.entitled[1]: "));

  EXPECT_TRUE(CheckJoin(a, "municipalities/2582", CivilDay(2021, 3, 1)).ok());
  EXPECT_TRUE(absl::StartsWith(CheckJoin(a, "municipalities/2584", CivilDay(2021, 3, 1)).message(),
                               "municipality: municipalities/2584 is not entitled"));
  EXPECT_TRUE(absl::StartsWith(CheckJoin(a, "municipalities/2582", CivilDay(2023, 3, 1)).message(),
                               "joined_date: "));
}

TEST(ContractsRulesTest, Names) {
  EXPECT_EQ(ProcurementName::Parse("procurements/social-services-system", "n")->ToString(),
            "procurements/social-services-system");
  EXPECT_FALSE(AgreementName::Parse("agreements/", "n").ok());
  auto ref = ContractsReference::Parse("//contracts/agreements/it-konsulter", "s");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->LocalName(), "agreements/it-konsulter");
  EXPECT_EQ(ref->ToString(), "//contracts/agreements/it-konsulter");
  EXPECT_FALSE(ContractsReference::Parse("//contracts/budgets/2022", "s").ok());
  EXPECT_FALSE(ContractsReference::Parse("//projects/initiatives/x", "s").ok());
}

}  // namespace
}  // namespace enamnd::contracts
