// Pure rules of internal control and the reporting wheel: control plans and
// points with their follow-ups, reporting years and their moments.
#ifndef ENAMND_AUDITS_DOMAIN_WHEEL_H_
#define ENAMND_AUDITS_DOMAIN_WHEEL_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "enamnd/common/v1/common.pb.h"
#include "services/audits/domain/names.h"

namespace enamnd::audits {

// A new control plan: year, title, adoption date, reporting year. Returns
// its name.
absl::StatusOr<ControlPlanName> ValidateNewControlPlan(const v1::ControlPlan& plan);

// A follow-up of a control point, dated on or before `today`; a deviation
// needs its description.
absl::Status ValidateFollowUp(const v1::ControlFollowUp& f, absl::string_view field,
                              absl::CivilDay today);

// A new point `point_id` of `plan`, with its follow-ups (a plan entered
// after the fact may have some). Returns its name.
absl::StatusOr<ControlPointName> ValidateNewControlPoint(absl::string_view plan,
                                                         absl::string_view point_id,
                                                         const v1::ControlPoint& point,
                                                         absl::CivilDay today);

// The point's reporting moment must be a moment of the wheel (`moment` is
// what the wheel holds under that name).
absl::Status CheckPointMoment(const v1::ControlPoint& point,
                              const std::optional<v1::ReportingMoment>& moment);

// Whether the point already has this very follow-up (a retried call).
bool HasFollowUp(const v1::ControlPoint& point, const v1::ControlFollowUp& f);

// The moment of `year` named `name`, if it has one.
std::optional<v1::ReportingMoment> FindMoment(const v1::ReportingYear& year,
                                              const MomentName& name);

// A new reporting year as given: its name and its moments' names filled in
// (a bare id is accepted), each moment valid and due in the year or early
// the next, reported dates (of a wheel entered after the fact) not after
// `today`.
absl::StatusOr<v1::ReportingYear> NewReportingYear(const v1::ReportingYear& given,
                                                   absl::CivilDay today);

// `target` made from the year before (FAILED_PRECONDITION when there is
// none): the same moments one year later, none reported.
absl::StatusOr<v1::ReportingYear> NextReportingYear(
    const std::optional<v1::ReportingYear>& previous, const ReportingYearName& target);

// A report of a moment: a day not after `today` and a short reference.
absl::Status ValidateMomentReport(const common::v1::Date& reported_date,
                                  absl::string_view reference, absl::CivilDay today);

// Marks the moment `name` of `year` reported; NOT_FOUND when the year has no
// such moment, ALREADY_EXISTS when it was reported. Returns the moment.
absl::StatusOr<v1::ReportingMoment> MarkReported(v1::ReportingYear* year, const MomentName& name,
                                                 const common::v1::Date& reported_date,
                                                 absl::string_view reference);

// `parent` of ListOverdueMoments: a year, or nullopt for "reporting-years/-".
absl::StatusOr<std::optional<ReportingYearName>> ParseOverdueParent(absl::string_view parent);

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_DOMAIN_WHEEL_H_
