// The audits service's resource names as types, the way leveldb's
// db/filename.h pairs each file name with its parser. Each name has two
// verbs: Parse (INVALID_ARGUMENT naming `field` and the expected shape) and
// ToString. Nothing else in services/audits takes names apart.
#ifndef ENAMND_AUDITS_DOMAIN_NAMES_H_
#define ENAMND_AUDITS_DOMAIN_NAMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::audits {

// reviews/{year}-{SCB code}, e.g. reviews/2021-2584.
struct ReviewName {
  int year = 0;
  std::string code;  // the first auditing municipality's SCB code

  static absl::StatusOr<ReviewName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// A case subject naming a review across services: //audits/reviews/2021-2584.
struct ReviewReference {
  ReviewName review;

  static absl::StatusOr<ReviewReference> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// reviews/{year}-{code}/recommendations/{number}, numbered from 1.
struct RecommendationName {
  ReviewName review;
  int number = 0;

  static absl::StatusOr<RecommendationName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// control-plans/{year}
struct ControlPlanName {
  int year = 0;

  static absl::StatusOr<ControlPlanName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// control-plans/{year}/points/{id}
struct ControlPointName {
  ControlPlanName plan;
  std::string id;

  static absl::StatusOr<ControlPointName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// reporting-years/{year}
struct ReportingYearName {
  int year = 0;

  static absl::StatusOr<ReportingYearName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// reporting-years/{year}/moments/{id}
struct MomentName {
  ReportingYearName year;
  std::string id;

  static absl::StatusOr<MomentName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_DOMAIN_NAMES_H_
