#include "services/audits/domain/reviews.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/audits/domain/rules.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/listing.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::audits {
namespace {

using platform::InvalidField;
using platform::kMaxNameLength;
using platform::kMaxTextLength;
using platform::kMaxTitleLength;
using platform::ValidateDate;
using platform::ValidateText;

absl::Status ValidateAssessment(const v1::Assessment& a, const std::string& field) {
  if (!v1::Answer_IsValid(a.answer())) return InvalidField(field + ".answer", "unknown answer");
  return ValidateText(a.text(), field + ".text", kMaxTextLength, false);
}

// Municipality names, each valid and listed once; `allowed` (when given)
// holds the ones that may appear, and `owner` names what they belong to.
absl::Status ValidateMunicipalityList(const google::protobuf::RepeatedPtrField<std::string>& list,
                                      const std::string& field, const v1::Review* owner) {
  std::set<std::string> seen;
  for (int i = 0; i < list.size(); ++i) {
    std::string item = absl::StrCat(field, "[", i, "]");
    ENAMND_RETURN_IF_ERROR(platform::ParseMunicipalityName(list[i], item).status());
    if (owner != nullptr &&
        std::find(owner->auditing_municipalities().begin(), owner->auditing_municipalities().end(),
                  list[i]) == owner->auditing_municipalities().end()) {
      return InvalidField(item, absl::StrCat(list[i], " is not an auditor of ", owner->name()));
    }
    if (!seen.insert(list[i]).second) return InvalidField(item, "listed twice");
  }
  return absl::OkStatus();
}

absl::Status ValidateAction(const v1::FollowUpAction& a, const std::string& field) {
  ENAMND_RETURN_IF_ERROR(
      ValidateText(a.description(), field + ".description", kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(a.responsible(), field + ".responsible", kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateDate(a.due_date(), field + ".due_date", false));
  return ValidateDate(a.done_date(), field + ".done_date", false);
}

absl::StatusOr<int> ParseFilterYear(const std::string& text) {
  int year = 0;
  if (!absl::SimpleAtoi(text, &year)) return InvalidField("filter", "year must be a number");
  return year;
}

}  // namespace

const std::set<std::string>& UpdatableReviewFields() {
  static const auto* fields =
      new std::set<std::string>{"kind", "title", "assessments", "findings", "report_date"};
  return *fields;
}

const std::set<std::string>& UpdatableRecommendationFields() {
  static const auto* fields = new std::set<std::string>{
      "text", "given_by", "status", "status_reason", "responsible", "due_date", "actions"};
  return *fields;
}

absl::Status ValidateReview(const v1::Review& r) {
  ENAMND_RETURN_IF_ERROR(
      platform::RequireEnumValue(r.kind(), v1::Review::Kind_descriptor(), "review.kind"));
  ENAMND_RETURN_IF_ERROR(ValidateText(r.title(), "review.title", kMaxTitleLength, true));
  const v1::Assessments& a = r.assessments();
  ENAMND_RETURN_IF_ERROR(ValidateAssessment(a.appropriate_administration(),
                                            "review.assessments.appropriate_administration"));
  ENAMND_RETURN_IF_ERROR(ValidateAssessment(a.financially_satisfactory(),
                                            "review.assessments.financially_satisfactory"));
  ENAMND_RETURN_IF_ERROR(
      ValidateAssessment(a.internal_control(), "review.assessments.internal_control"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(r.findings_size(), "review.findings"));
  for (int i = 0; i < r.findings_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(ValidateText(r.findings(i), absl::StrCat("review.findings[", i, "]"),
                                        kMaxTextLength, true));
  }
  return ValidateDate(r.report_date(), "review.report_date", false);
}

absl::StatusOr<ReviewName> ValidateNewReview(const v1::Review& r) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateYear(r.year(), "review.year"));
  const std::string field = "review.auditing_municipalities";
  if (r.auditing_municipalities().empty()) return InvalidField(field, "at least one");
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(r.auditing_municipalities_size(), field));
  ENAMND_RETURN_IF_ERROR(ValidateMunicipalityList(r.auditing_municipalities(), field, nullptr));
  ENAMND_RETURN_IF_ERROR(ValidateReview(r));
  ENAMND_ASSIGN_OR_RETURN(std::string code,
                          platform::ParseMunicipalityName(r.auditing_municipalities(0), field));
  return ReviewName{r.year(), code};
}

absl::Status ValidateDischarge(const v1::Discharge& d, absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(
      platform::ParseMunicipalityName(d.municipality(), "discharge.municipality").status());
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      d.decision(), v1::Discharge::Decision_descriptor(), "discharge.decision"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidatePastDay(d.decided_date(), "discharge.decided_date", today));
  return ValidateText(d.reference(), "discharge.reference", kMaxNameLength, false);
}

absl::Status CheckDischarge(const v1::Review& review, const v1::Discharge& d) {
  const auto& auditors = review.auditing_municipalities();
  if (std::find(auditors.begin(), auditors.end(), d.municipality()) == auditors.end()) {
    return InvalidField("discharge.municipality",
                        absl::StrCat(d.municipality(), " is not an auditor of ", review.name()));
  }
  for (const auto& existing : review.discharges()) {
    if (existing.municipality() == d.municipality()) {
      return absl::AlreadyExistsError(
          absl::StrCat(d.municipality(), " already decided on discharge for ", review.name()));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRecommendation(const v1::Recommendation& r, const v1::Review& review) {
  ENAMND_RETURN_IF_ERROR(ValidateText(r.text(), "recommendation.text", kMaxTextLength, true));
  if (r.given_by().empty()) {
    return InvalidField("recommendation.given_by", "at least one auditing municipality");
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateMunicipalityList(r.given_by(), "recommendation.given_by", &review));
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      r.status(), v1::Recommendation::Status_descriptor(), "recommendation.status"));
  if (r.status() == v1::Recommendation::STATUS_NOT_PURSUED && r.status_reason().empty()) {
    return InvalidField("recommendation.status_reason",
                        "required when a recommendation is not pursued");
  }
  ENAMND_RETURN_IF_ERROR(
      ValidateText(r.status_reason(), "recommendation.status_reason", kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(
      ValidateText(r.responsible(), "recommendation.responsible", kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(ValidateDate(r.due_date(), "recommendation.due_date", false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(r.actions_size(), "recommendation.actions"));
  for (int i = 0; i < r.actions_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(
        ValidateAction(r.actions(i), absl::StrCat("recommendation.actions[", i, "]")));
  }
  return absl::OkStatus();
}

void DefaultToOpen(v1::Recommendation* rec) {
  if (rec->status() == v1::Recommendation::STATUS_UNSPECIFIED) {
    rec->set_status(v1::Recommendation::STATUS_OPEN);
  }
}

absl::StatusOr<std::optional<ReviewName>> ParseRecommendationParent(absl::string_view parent) {
  if (parent == "reviews/-") return std::optional<ReviewName>();
  ENAMND_ASSIGN_OR_RETURN(ReviewName review, ReviewName::Parse(parent, "parent"));
  return std::optional<ReviewName>(std::move(review));
}

absl::StatusOr<ReviewFilter> ParseReviewFilter(absl::string_view filter) {
  ENAMND_ASSIGN_OR_RETURN(auto terms, platform::ParseFilter(filter, {"year", "municipality"}));
  ReviewFilter out;
  if (terms.count("year")) {
    ENAMND_ASSIGN_OR_RETURN(int year, ParseFilterYear(terms["year"]));
    if (year != 0) out.year = year;  // "year = 0" has always meant any year
  }
  if (terms.count("municipality")) {
    ENAMND_RETURN_IF_ERROR(
        platform::ParseMunicipalityName(terms["municipality"], "filter municipality").status());
    out.municipality = terms["municipality"];
  }
  return out;
}

absl::StatusOr<RecommendationFilter> ParseRecommendationFilter(absl::string_view filter) {
  ENAMND_ASSIGN_OR_RETURN(auto terms, platform::ParseFilter(filter, {"status", "overdue", "year"}));
  RecommendationFilter out;
  if (terms.count("status")) {
    ENAMND_ASSIGN_OR_RETURN(
        int status, platform::ParseEnumValue(
                        terms["status"], v1::Recommendation::Status_descriptor(), "filter.status"));
    out.status = static_cast<v1::Recommendation::Status>(status);
  }
  if (terms.count("overdue")) {
    if (terms["overdue"] != "true" && terms["overdue"] != "false") {
      return InvalidField("filter", "overdue must be true or false");
    }
    out.overdue = terms["overdue"] == "true";
  }
  if (terms.count("year")) {
    ENAMND_ASSIGN_OR_RETURN(int year, ParseFilterYear(terms["year"]));
    if (year != 0) out.year = year;  // "year = 0" has always meant any year
  }
  return out;
}

}  // namespace enamnd::audits
