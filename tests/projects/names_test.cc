// Each projects name parses what ToString makes, and refuses the rest
// naming the field and the shape it wants.
#include "services/projects/domain/names.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace enamnd::projects {
namespace {

template <typename Name>
void ExpectRoundTrip(const std::vector<std::string>& good) {
  for (const std::string& text : good) {
    absl::StatusOr<Name> name = Name::Parse(text, "name");
    ASSERT_TRUE(name.ok()) << text << ": " << name.status();
    EXPECT_EQ(name->ToString(), text);
  }
}

template <typename Name>
void ExpectRefused(const std::vector<std::string>& bad, const std::string& shape) {
  for (const std::string& text : bad) {
    absl::StatusOr<Name> name = Name::Parse(text, "subject");
    ASSERT_FALSE(name.ok()) << text;
    EXPECT_EQ(name.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_TRUE(absl::StartsWith(name.status().message(), "subject: ")) << name.status();
    EXPECT_TRUE(absl::StrContains(name.status().message(), shape)) << name.status();
  }
}

TEST(ProjectsNamesTest, Initiatives) {
  ExpectRoundTrip<InitiativeName>(
      {"initiatives/hr-payroll", "initiatives/e-archive", "initiatives/2019-e-archive"});
  ExpectRefused<InitiativeName>(
      {"initiatives/", "initiatives/HR", "initiatives/a/b", "initiative/hr",
       "initiatives/hr payroll", "", "//projects/initiatives/hr"},
      "initiatives/{id}");
}

TEST(ProjectsNamesTest, InitiativeReferences) {
  ExpectRoundTrip<InitiativeReference>({"//projects/initiatives/hr-payroll"});
  ExpectRefused<InitiativeReference>({"initiatives/hr-payroll", "//audits/reviews/2021-2584",
                                      "//projects/initiatives/", "//projects/initiatives/Hr"},
                                     "//projects/initiatives/{id}");
  auto parsed = InitiativeReference::Parse("//projects/initiatives/e-learning", "subject");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->initiative.ToString(), "initiatives/e-learning");
}

TEST(ProjectsNamesTest, Revisions) {
  ExpectRoundTrip<RevisionName>({"initiatives/hr-payroll/revisions/A",
                                 "initiatives/hr-payroll/revisions/B",
                                 "initiatives/hr-payroll/revisions/AA"});
  ExpectRefused<RevisionName>(
      {"initiatives/hr-payroll/revisions/b", "initiatives/hr-payroll/revisions/1",
       "initiatives/hr-payroll/revisions/Rev B"},
      "is not a revision letter");
  ExpectRefused<RevisionName>({"initiatives/hr-payroll/revision/B", "initiatives/HR/revisions/B"},
                              "initiatives/{id}/revisions/{letter}");
}

TEST(ProjectsNamesTest, StatusReports) {
  ExpectRoundTrip<StatusReportName>(
      {"initiatives/e-archive/status-reports/1", "initiatives/e-archive/status-reports/12"});
  ExpectRefused<StatusReportName>(
      {"initiatives/e-archive/status-reports/0", "initiatives/e-archive/status-reports/01",
       "initiatives/e-archive/status-reports/x"},
      "status report number");
  ExpectRefused<StatusReportName>({"initiatives/e-archive/reports/1"},
                                  "initiatives/{id}/status-reports/{number}");
}

TEST(ProjectsNamesTest, BudgetLineReferences) {
  ExpectRoundTrip<BudgetLineReference>({"//finance/budgets/2022/lines/hr-payroll"});
  ExpectRefused<BudgetLineReference>({"//finance/budgets/22/lines/hr", "budgets/2022/lines/hr",
                                      "//finance/budgets/2022/lines/", "//finance/budgets/2022"},
                                     "//finance/budgets/{year}/lines/{id}");
}

}  // namespace
}  // namespace enamnd::projects
