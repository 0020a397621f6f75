#include "services/projects/domain/names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/platform/resource_name.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::projects {
namespace {

using platform::InvalidField;
using platform::MatchName;

constexpr char kInitiativeShape[] = "must be initiatives/{id}, e.g. initiatives/hr-payroll";
constexpr char kReferenceShape[] =
    "must be //projects/initiatives/{id}, e.g. //projects/initiatives/hr-payroll";

absl::StatusOr<InitiativeName> InitiativeOf(absl::string_view id, absl::string_view field,
                                            absl::string_view shape) {
  if (!platform::ValidateResourceId(id, field).ok()) return InvalidField(field, shape);
  return InitiativeName{std::string(id)};
}

bool IsRevisionLetters(absl::string_view letters) {
  return !letters.empty() && letters.size() <= 3 &&
         std::all_of(letters.begin(), letters.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

absl::StatusOr<InitiativeName> InitiativeName::Parse(absl::string_view text,
                                                     absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, "initiatives/{id}", field);
  if (!parts.ok()) return InvalidField(field, kInitiativeShape);
  return InitiativeOf((*parts)[0], field, kInitiativeShape);
}

std::string InitiativeName::ToString() const { return absl::StrCat("initiatives/", id); }

absl::StatusOr<InitiativeReference> InitiativeReference::Parse(absl::string_view text,
                                                               absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> parts =
      MatchName(text, "//projects/initiatives/{id}", field);
  if (!parts.ok()) return InvalidField(field, kReferenceShape);
  ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative,
                          InitiativeOf((*parts)[0], field, kReferenceShape));
  return InitiativeReference{std::move(initiative)};
}

std::string InitiativeReference::ToString() const {
  return absl::StrCat("//projects/", initiative.ToString());
}

absl::StatusOr<RevisionName> RevisionName::Parse(absl::string_view text, absl::string_view field) {
  constexpr char kPattern[] = "initiatives/{id}/revisions/{letter}";
  constexpr char kShape[] =
      "must be initiatives/{id}/revisions/{letter}, e.g. initiatives/hr-payroll/revisions/B";
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, kPattern, field);
  if (!parts.ok()) return InvalidField(field, kShape);
  ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative, InitiativeOf((*parts)[0], field, kShape));
  if (!IsRevisionLetters((*parts)[1])) {
    return InvalidField(field, absl::StrCat("revision \"", (*parts)[1],
                                            "\" is not a revision letter (A, B, ..., Z, AA, ...)"));
  }
  return RevisionName{std::move(initiative), (*parts)[1]};
}

std::string RevisionName::ToString() const {
  return absl::StrCat(initiative.ToString(), "/revisions/", letter);
}

absl::StatusOr<StatusReportName> StatusReportName::Parse(absl::string_view text,
                                                         absl::string_view field) {
  constexpr char kShape[] =
      "must be initiatives/{id}/status-reports/{number}, e.g. "
      "initiatives/e-archive/status-reports/3";
  absl::StatusOr<std::vector<std::string>> parts =
      MatchName(text, "initiatives/{id}/status-reports/{number}", field);
  if (!parts.ok()) return InvalidField(field, kShape);
  ENAMND_ASSIGN_OR_RETURN(InitiativeName initiative, InitiativeOf((*parts)[0], field, kShape));
  ENAMND_ASSIGN_OR_RETURN(int64_t number, platform::ParseNameNumber((*parts)[1], 1, 1000000, field,
                                                                    "status report number"));
  return StatusReportName{std::move(initiative), static_cast<int>(number)};
}

std::string StatusReportName::ToString() const {
  return absl::StrCat(initiative.ToString(), "/status-reports/", number);
}

absl::StatusOr<BudgetLineReference> BudgetLineReference::Parse(absl::string_view text,
                                                               absl::string_view field) {
  constexpr char kShape[] =
      "must be //finance/budgets/{year}/lines/{id}, e.g. //finance/budgets/2022/lines/hr-payroll";
  absl::StatusOr<std::vector<std::string>> parts =
      MatchName(text, "//finance/budgets/{year}/lines/{id}", field);
  if (!parts.ok()) return InvalidField(field, kShape);
  absl::StatusOr<int64_t> year = platform::ParseNameNumber((*parts)[0], 1900, 2999, field, "year");
  if (!year.ok() || !platform::ValidateResourceId((*parts)[1], field).ok()) {
    return InvalidField(field, kShape);
  }
  return BudgetLineReference{static_cast<int>(*year), (*parts)[1]};
}

std::string BudgetLineReference::ToString() const {
  return absl::StrCat("//finance/budgets/", year, "/lines/", line);
}

}  // namespace enamnd::projects
