#include "services/finance/store/plans.h"

namespace enamnd::finance::store {

absl::StatusOr<std::optional<v1::Plan>> GetPlan(platform::Transaction&, int) {
  return absl::UnimplementedError("GetPlan");
}
absl::Status InsertPlan(platform::Transaction&, v1::Plan*) {
  return absl::UnimplementedError("InsertPlan");
}
absl::Status ReplacePlan(platform::Transaction&, v1::Plan*) {
  return absl::UnimplementedError("ReplacePlan");
}
absl::StatusOr<std::optional<v1::PlanFollowUp>> GetFollowUp(platform::Transaction&, int, int) {
  return absl::UnimplementedError("GetFollowUp");
}
absl::Status PutFollowUp(platform::Transaction&, int, int, v1::PlanFollowUp*) {
  return absl::UnimplementedError("PutFollowUp");
}

}  // namespace enamnd::finance::store
