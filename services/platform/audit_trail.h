// The audit trail: one append-only record per committed mutating call
// (who, which method, which resource, request_id, peer, time, outcome),
// written in the call's own transaction so that a change and its record
// commit or vanish together.
#ifndef ENAMND_PLATFORM_AUDIT_TRAIL_H_
#define ENAMND_PLATFORM_AUDIT_TRAIL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "enamnd/auth/v1/auth.pb.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/outbox.h"

namespace enamnd::platform {

// Outcomes of a recorded call.
inline constexpr absl::string_view kOutcomeOk = "OK";
// A retried Create (same request_id) that returned what the first made.
inline constexpr absl::string_view kOutcomeReplayed = "REPLAYED";

// Writes the caller's audit record for `resource` into `tx`, then commits.
// Every mutating handler ends with this instead of tx.Commit().
absl::Status CommitAudited(Transaction& tx, const Caller& caller, absl::string_view resource,
                           absl::string_view outcome = kOutcomeOk);

// The end of every mutating handler that writes one event: appends `event`
// about `subject` (addressed to `audience`, SCB codes) to the outbox in
// `tx`, then CommitAudited for `subject`.
absl::Status EmitAndCommit(Transaction& tx, Outbox* outbox, const Caller& caller,
                           const google::protobuf::Message& event, const std::string& subject,
                           const std::vector<std::string>& audience = {});

// Reads the trail in sequence order. Filter terms: principal, method,
// resource (exact, or a prefix ending in *), after and before (RFC 3339
// instants: time >= after, time < before).
absl::Status ListAuditRecords(Database* db, const auth::v1::ListAuditRecordsRequest& request,
                              auth::v1::ListAuditRecordsResponse* response);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_AUDIT_TRAIL_H_
