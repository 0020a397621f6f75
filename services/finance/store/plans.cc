#include "services/finance/store/plans.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/finance/domain/names.h"
#include "services/platform/proto_rows.h"
#include "services/platform/status.h"

namespace enamnd::finance::store {
namespace {

using platform::Row;
using platform::SqlInt;
using platform::SqlValue;
using platform::Transaction;

// The revision column of the row `sql` selects; INTERNAL without one (the
// caller has just written it).
absl::StatusOr<int64_t> RowRevision(Transaction& tx, const std::string& sql,
                                    const std::vector<SqlValue>& params) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row, tx.QueryOne(sql, params));
  if (!row.has_value()) return absl::InternalError(absl::StrCat("no row for ", sql));
  return row->Int(0);
}

}  // namespace

absl::StatusOr<std::optional<v1::Plan>> GetPlan(Transaction& tx, int year) {
  return platform::QueryProto<v1::Plan>(tx, "SELECT data, revision FROM plans WHERE year = ?1",
                                        {SqlInt(year)});
}

absl::Status InsertPlan(Transaction& tx, v1::Plan* plan) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> existing,
      tx.QueryOne("SELECT 1 FROM plans WHERE year = ?1", {SqlInt(plan->year())}));
  if (existing.has_value()) {
    return absl::AlreadyExistsError(absl::StrCat(PlanName{plan->year()}.ToString(), " exists"));
  }
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO plans (year, state, data, revision) VALUES (?1, ?2, ?3, 1)",
              {SqlInt(plan->year()), SqlInt(plan->state()), platform::EncodeProto(*plan)}));
  plan->set_etag("1");
  return absl::OkStatus();
}

absl::Status ReplacePlan(Transaction& tx, v1::Plan* plan) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE plans SET data = ?2, state = ?3, revision = revision + 1 WHERE year = ?1",
              {SqlInt(plan->year()), platform::EncodeProto(*plan), SqlInt(plan->state())}));
  ENAMND_ASSIGN_OR_RETURN(
      int64_t revision,
      RowRevision(tx, "SELECT revision FROM plans WHERE year = ?1", {SqlInt(plan->year())}));
  plan->set_etag(absl::StrCat(revision));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::PlanFollowUp>> GetFollowUp(Transaction& tx, int year, int month) {
  return platform::QueryProto<v1::PlanFollowUp>(
      tx, "SELECT data, revision FROM plan_follow_ups WHERE year = ?1 AND month = ?2",
      {SqlInt(year), SqlInt(month)});
}

absl::Status PutFollowUp(Transaction& tx, int year, int month, v1::PlanFollowUp* follow_up) {
  const std::vector<SqlValue> key = {SqlInt(year), SqlInt(month)};
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO plan_follow_ups (year, month, data, revision) VALUES (?1, ?2, ?3, 1)"
      " ON CONFLICT (year, month) DO UPDATE SET data = excluded.data, revision = revision + 1",
      {key[0], key[1], platform::EncodeProto(*follow_up)}));
  ENAMND_ASSIGN_OR_RETURN(
      int64_t revision,
      RowRevision(tx, "SELECT revision FROM plan_follow_ups WHERE year = ?1 AND month = ?2", key));
  follow_up->set_etag(absl::StrCat(revision));
  return absl::OkStatus();
}

}  // namespace enamnd::finance::store
