// The plan side's tables (schema.cc, migration 2): one operational plan
// per year and its follow-ups per month. Free functions over
// platform::Transaction; reads return nullopt for a missing resource; an
// etag is the stored revision column.
#ifndef ENAMND_FINANCE_STORE_PLANS_H_
#define ENAMND_FINANCE_STORE_PLANS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/platform/database.h"

namespace enamnd::finance::store {

absl::StatusOr<std::optional<v1::Plan>> GetPlan(platform::Transaction& tx, int year);
// ALREADY_EXISTS if the year has a plan. Sets the etag.
absl::Status InsertPlan(platform::Transaction& tx, v1::Plan* plan);
// Replaces the stored plan (same year) and sets the new etag.
absl::Status ReplacePlan(platform::Transaction& tx, v1::Plan* plan);

absl::StatusOr<std::optional<v1::PlanFollowUp>> GetFollowUp(platform::Transaction& tx, int year,
                                                            int month);
// Inserts or replaces the follow-up of (year, month) and sets the etag.
absl::Status PutFollowUp(platform::Transaction& tx, int year, int month,
                         v1::PlanFollowUp* follow_up);

}  // namespace enamnd::finance::store

#endif  // ENAMND_FINANCE_STORE_PLANS_H_
