#include "services/audits/domain/names.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::audits {
namespace {

using platform::InvalidField;

// A year as written by ToString: 1900-2999, no sign, no leading zeros.
bool ParseYear(absl::string_view text, int* year) {
  return absl::SimpleAtoi(text, year) && *year >= 1900 && *year <= 2999 &&
         absl::StrCat(*year) == text;
}

// "{collection}/{year}" -> year.
bool ParseYearPath(absl::string_view text, absl::string_view collection, int* year) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  return parts.size() == 2 && parts[0] == collection && ParseYear(parts[1], year);
}

// "{collection}/{year}/{child}/{id}" -> (year, id).
bool ParseYearChild(absl::string_view text, absl::string_view collection, absl::string_view child,
                    int* year, std::string* id) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  if (parts.size() != 4 || parts[0] != collection || !ParseYear(parts[1], year) ||
      parts[2] != child || !platform::ValidateResourceId(parts[3], "id").ok()) {
    return false;
  }
  *id = std::string(parts[3]);
  return true;
}

}  // namespace

absl::StatusOr<ReviewName> ReviewName::Parse(absl::string_view text, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  std::vector<absl::string_view> id;
  if (parts.size() == 2 && parts[0] == "reviews") id = absl::StrSplit(parts[1], '-');
  ReviewName name;
  if (id.size() != 2 || !absl::SimpleAtoi(id[0], &name.year) || name.year <= 0 ||
      absl::StrCat(name.year) != id[0] ||
      !platform::ValidateMunicipalityCode(id[1], field).ok()) {
    return InvalidField(field, "must be reviews/{year}-{SCB code}, e.g. reviews/2021-2584");
  }
  name.code = std::string(id[1]);
  return name;
}

std::string ReviewName::ToString() const { return absl::StrCat("reviews/", year, "-", code); }

absl::StatusOr<ReviewReference> ReviewReference::Parse(absl::string_view text,
                                                       absl::string_view field) {
  if (!absl::ConsumePrefix(&text, "//audits/")) {
    return InvalidField(field, "must be //audits/reviews/{year}-{SCB code}");
  }
  absl::StatusOr<ReviewName> review = ReviewName::Parse(text, field);
  if (!review.ok()) return review.status();
  return ReviewReference{*std::move(review)};
}

std::string ReviewReference::ToString() const { return absl::StrCat("//audits/", review.ToString()); }

absl::StatusOr<RecommendationName> RecommendationName::Parse(absl::string_view text,
                                                             absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  RecommendationName name;
  absl::StatusOr<ReviewName> review = InvalidField(field, "");
  if (parts.size() == 4 && parts[2] == "recommendations") {
    review = ReviewName::Parse(absl::StrCat(parts[0], "/", parts[1]), field);
  }
  if (!review.ok() || !absl::SimpleAtoi(parts[3], &name.number) || name.number <= 0 ||
      absl::StrCat(name.number) != parts[3]) {
    return InvalidField(field, "must be reviews/{year}-{code}/recommendations/{n}");
  }
  name.review = *std::move(review);
  return name;
}

std::string RecommendationName::ToString() const {
  return absl::StrCat(review.ToString(), "/recommendations/", number);
}

absl::StatusOr<ControlPlanName> ControlPlanName::Parse(absl::string_view text,
                                                       absl::string_view field) {
  ControlPlanName name;
  if (!ParseYearPath(text, "control-plans", &name.year)) {
    return InvalidField(field, "must be control-plans/{year}");
  }
  return name;
}

std::string ControlPlanName::ToString() const { return absl::StrCat("control-plans/", year); }

absl::StatusOr<ControlPointName> ControlPointName::Parse(absl::string_view text,
                                                         absl::string_view field) {
  ControlPointName name;
  if (!ParseYearChild(text, "control-plans", "points", &name.plan.year, &name.id)) {
    return InvalidField(field, "must be control-plans/{year}/points/{id}");
  }
  return name;
}

std::string ControlPointName::ToString() const {
  return absl::StrCat(plan.ToString(), "/points/", id);
}

absl::StatusOr<ReportingYearName> ReportingYearName::Parse(absl::string_view text,
                                                           absl::string_view field) {
  ReportingYearName name;
  if (!ParseYearPath(text, "reporting-years", &name.year)) {
    return InvalidField(field, "must be reporting-years/{year}");
  }
  return name;
}

std::string ReportingYearName::ToString() const { return absl::StrCat("reporting-years/", year); }

absl::StatusOr<MomentName> MomentName::Parse(absl::string_view text, absl::string_view field) {
  MomentName name;
  if (!ParseYearChild(text, "reporting-years", "moments", &name.year.year, &name.id)) {
    return InvalidField(field, "must be reporting-years/{year}/moments/{id}");
  }
  return name;
}

std::string MomentName::ToString() const {
  return absl::StrCat(year.ToString(), "/moments/", id);
}

}  // namespace enamnd::audits
