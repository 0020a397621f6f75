#include "services/audits/domain/wheel.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/audits/domain/rules.h"
#include "services/platform/api_util.h"
#include "services/platform/enums.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::audits {
namespace {

using platform::InvalidField;

absl::Status ValidateMoment(const v1::ReportingMoment& m, int year, const std::string& field) {
  if (m.kind() == v1::ReportingMoment::KIND_UNSPECIFIED ||
      !v1::ReportingMoment::Kind_IsValid(m.kind())) {
    return InvalidField(field + ".kind", "required");
  }
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(m.title(), field + ".title", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(m.description(), field + ".description",
                                                platform::kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(m.due_date(), field + ".due_date", true));
  if (m.due_date().year() != year && m.due_date().year() != year + 1) {
    return InvalidField(field + ".due_date",
                        absl::StrCat("must fall in ", year, " or early ", year + 1));
  }
  return absl::OkStatus();
}

// A moment's name as given in a new year: a bare id, or the full name
// under `year`.
absl::StatusOr<MomentName> ParseMomentEntry(const std::string& text, const ReportingYearName& year,
                                            const std::string& field) {
  MomentName name{year, text};
  if (absl::StrContains(text, "/")) {
    absl::StatusOr<MomentName> full = MomentName::Parse(text, field);
    if (!full.ok() || full->year.year != year.year) {
      return InvalidField(field, absl::StrCat("must be ", year.ToString(), "/moments/{id}"));
    }
    name = *std::move(full);
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(name.id, field));
  return name;
}

}  // namespace

absl::StatusOr<ControlPlanName> ValidateNewControlPlan(const v1::ControlPlan& plan) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateYear(plan.year(), "plan.year"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(plan.title(), "plan.title", platform::kMaxTitleLength, true));
  ENAMND_RETURN_IF_ERROR(platform::ValidateDate(plan.adopted_date(), "plan.adopted_date", false));
  if (!plan.reporting_year().empty()) {
    ENAMND_RETURN_IF_ERROR(
        ReportingYearName::Parse(plan.reporting_year(), "plan.reporting_year").status());
  }
  return ControlPlanName{plan.year()};
}

absl::Status ValidateFollowUp(const v1::ControlFollowUp& f, absl::string_view field_view,
                              absl::CivilDay today) {
  std::string field(field_view);
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(f.date(), field + ".date", today));
  ENAMND_RETURN_IF_ERROR(platform::RequireEnumValue(
      f.outcome(), v1::ControlFollowUp::Outcome_descriptor(), field + ".outcome"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(f.deviations(), field + ".deviations", platform::kMaxTextLength,
                             f.outcome() == v1::ControlFollowUp::OUTCOME_DEVIATION));
  return platform::ValidateText(f.followed_up_by(), field + ".followed_up_by",
                                platform::kMaxNameLength, true);
}

absl::StatusOr<ControlPointName> ValidateNewControlPoint(absl::string_view plan,
                                                         absl::string_view point_id,
                                                         const v1::ControlPoint& p,
                                                         absl::CivilDay today) {
  ENAMND_ASSIGN_OR_RETURN(ControlPlanName plan_name, ControlPlanName::Parse(plan, "plan"));
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(point_id, "point_id"));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(p.process(), "point.process", platform::kMaxTitleLength, true));
  if (p.risk_value() < 0 || p.risk_value() > 25) return InvalidField("point.risk_value", "0-25");
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(p.what_is_checked(), "point.what_is_checked",
                                                platform::kMaxTextLength, true));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(p.how(), "point.how", platform::kMaxTextLength, false));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(p.responsible(), "point.responsible", platform::kMaxNameLength, true));
  ENAMND_RETURN_IF_ERROR(
      platform::ValidateText(p.frequency(), "point.frequency", platform::kMaxNameLength, false));
  ENAMND_RETURN_IF_ERROR(
      MomentName::Parse(p.reporting_moment(), "point.reporting_moment").status());
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(p.follow_ups_size(), "point.follow_ups"));
  for (int i = 0; i < p.follow_ups_size(); ++i) {
    ENAMND_RETURN_IF_ERROR(
        ValidateFollowUp(p.follow_ups(i), absl::StrCat("point.follow_ups[", i, "]"), today));
  }
  return ControlPointName{plan_name, std::string(point_id)};
}

absl::Status CheckPointMoment(const v1::ControlPoint& point,
                              const std::optional<v1::ReportingMoment>& moment) {
  if (!moment.has_value()) {
    return InvalidField(
        "point.reporting_moment",
        absl::StrCat(point.reporting_moment(), " is not a moment of the reporting wheel"));
  }
  return absl::OkStatus();
}

bool HasFollowUp(const v1::ControlPoint& point, const v1::ControlFollowUp& f) {
  for (const auto& existing : point.follow_ups()) {
    if (google::protobuf::util::MessageDifferencer::Equals(existing, f)) return true;
  }
  return false;
}

std::optional<v1::ReportingMoment> FindMoment(const v1::ReportingYear& year,
                                              const MomentName& name) {
  const std::string text = name.ToString();
  for (const auto& m : year.moments()) {
    if (m.name() == text) return m;
  }
  return std::nullopt;
}

absl::StatusOr<v1::ReportingYear> NewReportingYear(const v1::ReportingYear& given,
                                                   absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateYear(given.year(), "reporting_year.year"));
  v1::ReportingYear y = given;
  ReportingYearName name{y.year()};
  y.set_name(name.ToString());
  y.clear_copied_from();
  y.clear_etag();
  ENAMND_RETURN_IF_ERROR(platform::ValidateListLength(y.moments_size(), "reporting_year.moments"));
  std::set<std::string> ids;
  for (int i = 0; i < y.moments_size(); ++i) {
    v1::ReportingMoment* m = y.mutable_moments(i);
    std::string field = absl::StrCat("reporting_year.moments[", i, "]");
    ENAMND_ASSIGN_OR_RETURN(MomentName moment, ParseMomentEntry(m->name(), name, field + ".name"));
    if (!ids.insert(moment.id).second) return InvalidField(field + ".name", "id used twice");
    m->set_name(moment.ToString());
    ENAMND_RETURN_IF_ERROR(ValidateMoment(*m, y.year(), field));
    ENAMND_RETURN_IF_ERROR(
        platform::ValidateDate(m->reported_date(), field + ".reported_date", false));
    ENAMND_RETURN_IF_ERROR(
        platform::NotInFuture(m->reported_date(), field + ".reported_date", today));
    ENAMND_RETURN_IF_ERROR(platform::ValidateText(
        m->reported_reference(), field + ".reported_reference", platform::kMaxNameLength, false));
  }
  return y;
}

absl::StatusOr<v1::ReportingYear> NextReportingYear(
    const std::optional<v1::ReportingYear>& previous, const ReportingYearName& target) {
  ReportingYearName source{target.year - 1};
  if (!previous.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("there is no ", source.ToString(), " to copy ", target.ToString(), " from"));
  }
  v1::ReportingYear y;
  y.set_name(target.ToString());
  y.set_year(target.year);
  y.set_copied_from(source.ToString());
  for (const auto& m : previous->moments()) {
    ENAMND_ASSIGN_OR_RETURN(MomentName name, MomentName::Parse(m.name(), "moments.name"));
    name.year = target;
    v1::ReportingMoment copy = m;
    copy.set_name(name.ToString());
    *copy.mutable_due_date() = platform::ToDate(OneYearLater(platform::ToCivil(m.due_date())));
    copy.clear_reported_date();
    copy.clear_reported_reference();
    *y.add_moments() = std::move(copy);
  }
  return y;
}

absl::Status ValidateMomentReport(const common::v1::Date& reported_date,
                                  absl::string_view reference, absl::CivilDay today) {
  ENAMND_RETURN_IF_ERROR(platform::ValidatePastDay(reported_date, "reported_date", today));
  return platform::ValidateText(reference, "reported_reference", platform::kMaxNameLength, false);
}

absl::StatusOr<v1::ReportingMoment> MarkReported(v1::ReportingYear* year, const MomentName& name,
                                                 const common::v1::Date& reported_date,
                                                 absl::string_view reference) {
  const std::string text = name.ToString();
  for (v1::ReportingMoment& m : *year->mutable_moments()) {
    if (m.name() != text) continue;
    if (platform::IsSet(m.reported_date())) {
      return absl::AlreadyExistsError(absl::StrCat(
          text, " was reported on ", platform::DayText(platform::ToCivil(m.reported_date()))));
    }
    *m.mutable_reported_date() = reported_date;
    m.set_reported_reference(std::string(reference));
    return m;
  }
  return absl::NotFoundError(absl::StrCat("reporting moment ", text, " does not exist"));
}

absl::StatusOr<std::optional<ReportingYearName>> ParseOverdueParent(absl::string_view parent) {
  if (parent == "reporting-years/-") return std::optional<ReportingYearName>();
  ENAMND_ASSIGN_OR_RETURN(ReportingYearName year, ReportingYearName::Parse(parent, "parent"));
  return std::optional<ReportingYearName>(year);
}

}  // namespace enamnd::audits
