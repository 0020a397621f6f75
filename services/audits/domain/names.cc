#include "services/audits/domain/names.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/platform/resource_name.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::audits {
namespace {

using platform::MatchName;
using platform::ParseNameNumber;

constexpr char kReviewShape[] = "must be reviews/{year}-{SCB code}, e.g. reviews/2021-2584";

absl::StatusOr<int> ParseYear(absl::string_view text, absl::string_view field) {
  absl::StatusOr<int64_t> year = ParseNameNumber(text, 1900, 2999, field, "year");
  if (!year.ok()) return year.status();
  return static_cast<int>(*year);
}

// "{year}-{SCB code}", the id of a review.
absl::StatusOr<ReviewName> ParseReviewId(absl::string_view id, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(id, '-');
  absl::StatusOr<int64_t> year = platform::InvalidField(field, kReviewShape);
  if (parts.size() == 2) year = ParseNameNumber(parts[0], 1, 9999, field, "year");
  if (!year.ok() || !platform::ValidateMunicipalityCode(parts[1], field).ok()) {
    return platform::InvalidField(field, kReviewShape);
  }
  return ReviewName{static_cast<int>(*year), std::string(parts[1])};
}

absl::Status InvalidReference(absl::string_view field) {
  return platform::InvalidField(field, "must be //audits/reviews/{year}-{SCB code}");
}

// "{collection}/{year}/{child}/{id}" -> (year, id).
absl::Status ParseYearChild(absl::string_view text, absl::string_view pattern,
                            absl::string_view field, int* year, std::string* id) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<std::string> parts, MatchName(text, pattern, field));
  ENAMND_ASSIGN_OR_RETURN(*year, ParseYear(parts[0], field));
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(parts[1], field));
  *id = std::move(parts[1]);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ReviewName> ReviewName::Parse(absl::string_view text, absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, "reviews/{id}", field);
  if (!parts.ok()) return platform::InvalidField(field, kReviewShape);
  return ParseReviewId((*parts)[0], field);
}

std::string ReviewName::ToString() const { return absl::StrCat("reviews/", year, "-", code); }

absl::StatusOr<ReviewReference> ReviewReference::Parse(absl::string_view text,
                                                       absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, "//audits/reviews/{id}", field);
  absl::StatusOr<ReviewName> review = InvalidReference(field);
  if (parts.ok()) review = ParseReviewId((*parts)[0], field);
  if (!review.ok()) return InvalidReference(field);
  return ReviewReference{*std::move(review)};
}

std::string ReviewReference::ToString() const {
  return absl::StrCat("//audits/", review.ToString());
}

absl::StatusOr<RecommendationName> RecommendationName::Parse(absl::string_view text,
                                                             absl::string_view field) {
  constexpr char kPattern[] = "reviews/{year}-{code}/recommendations/{n}";
  ENAMND_ASSIGN_OR_RETURN(std::vector<std::string> parts, MatchName(text, kPattern, field));
  absl::StatusOr<ReviewName> review = ParseReviewId(parts[0], field);
  if (!review.ok()) return platform::InvalidField(field, absl::StrCat("must be ", kPattern));
  ENAMND_ASSIGN_OR_RETURN(int64_t number,
                          ParseNameNumber(parts[1], 1, 1000000, field, "recommendation number"));
  return RecommendationName{*std::move(review), static_cast<int>(number)};
}

std::string RecommendationName::ToString() const {
  return absl::StrCat(review.ToString(), "/recommendations/", number);
}

absl::StatusOr<ControlPlanName> ControlPlanName::Parse(absl::string_view text,
                                                       absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                          MatchName(text, "control-plans/{year}", field));
  ENAMND_ASSIGN_OR_RETURN(int year, ParseYear(parts[0], field));
  return ControlPlanName{year};
}

std::string ControlPlanName::ToString() const { return absl::StrCat("control-plans/", year); }

absl::StatusOr<ControlPointName> ControlPointName::Parse(absl::string_view text,
                                                         absl::string_view field) {
  ControlPointName name;
  ENAMND_RETURN_IF_ERROR(
      ParseYearChild(text, "control-plans/{year}/points/{id}", field, &name.plan.year, &name.id));
  return name;
}

std::string ControlPointName::ToString() const {
  return absl::StrCat(plan.ToString(), "/points/", id);
}

absl::StatusOr<ReportingYearName> ReportingYearName::Parse(absl::string_view text,
                                                           absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                          MatchName(text, "reporting-years/{year}", field));
  ENAMND_ASSIGN_OR_RETURN(int year, ParseYear(parts[0], field));
  return ReportingYearName{year};
}

std::string ReportingYearName::ToString() const { return absl::StrCat("reporting-years/", year); }

absl::StatusOr<MomentName> MomentName::Parse(absl::string_view text, absl::string_view field) {
  MomentName name;
  ENAMND_RETURN_IF_ERROR(ParseYearChild(text, "reporting-years/{year}/moments/{id}", field,
                                        &name.year.year, &name.id));
  return name;
}

std::string MomentName::ToString() const { return absl::StrCat(year.ToString(), "/moments/", id); }

}  // namespace enamnd::audits
