// The projects service's resource names as types (after leveldb's
// db/filename.h): each has Parse (INVALID_ARGUMENT naming `field` and the
// expected shape) and ToString. Nothing else in services/projects takes
// names apart.
#ifndef ENAMND_PROJECTS_DOMAIN_NAMES_H_
#define ENAMND_PROJECTS_DOMAIN_NAMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::projects {

// initiatives/{id}, e.g. initiatives/hr-payroll.
struct InitiativeName {
  std::string id;

  static absl::StatusOr<InitiativeName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// A case subject naming an initiative across services:
// //projects/initiatives/hr-payroll. The meetings service's decisions
// about it are linked to it.
struct InitiativeReference {
  InitiativeName initiative;

  static absl::StatusOr<InitiativeReference> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// initiatives/{id}/revisions/{letter}: Rev A, Rev B, ... of its directive.
struct RevisionName {
  InitiativeName initiative;
  std::string letter;  // "A", "B", ..., "Z", "AA", ...

  static absl::StatusOr<RevisionName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// initiatives/{id}/status-reports/{number}, numbered from 1.
struct StatusReportName {
  InitiativeName initiative;
  int number = 0;

  static absl::StatusOr<StatusReportName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// The initiative's budget line in the finance service:
// //finance/budgets/{year}/lines/{id}.
struct BudgetLineReference {
  int year = 0;
  std::string line;

  static absl::StatusOr<BudgetLineReference> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_DOMAIN_NAMES_H_
