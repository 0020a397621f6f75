#include "services/finance/domain/plans.h"

namespace enamnd::finance {

absl::Status ValidatePlanContent(const v1::Plan&, absl::string_view) {
  return absl::UnimplementedError("ValidatePlanContent");
}
absl::Status ValidateFollowUpContent(const v1::PlanFollowUp&, const v1::Plan&, absl::string_view) {
  return absl::UnimplementedError("ValidateFollowUpContent");
}
absl::StatusOr<absl::CivilDay> AsOfDay(int, int, const std::optional<absl::CivilDay>&,
                                       absl::CivilDay, absl::string_view) {
  return absl::UnimplementedError("AsOfDay");
}
FactNeeds NeedsOf(const v1::Plan&, absl::CivilDay as_of) { return FactNeeds{0, as_of, {}, false, false}; }
int64_t RoundedPercent(int64_t part, int64_t whole) {
  return whole == 0 ? 0 : (200 * part + whole) / (2 * whole);
}
v1::GoalReport EvaluateGoal(const v1::Goal& goal, const v1::GoalFollowUp*, const PlanFacts&,
                            const FollowUpWindow&) {
  v1::GoalReport report;
  *report.mutable_goal() = goal;
  return report;
}
std::string OutlookText(v1::Outlook) { return ""; }

}  // namespace enamnd::finance
