#include "services/platform/audit_trail.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/platform/list_query.h"
#include "services/platform/listing.h"
#include "services/platform/status.h"

namespace enamnd::platform {
namespace {

// Fixed width, UTC: text order is time order, so SQL compares it directly.
constexpr char kTimeFormat[] = "%Y-%m-%dT%H:%M:%E6SZ";

std::string FormatRecordTime(absl::Time time) {
  return absl::FormatTime(kTimeFormat, time, absl::UTCTimeZone());
}

absl::StatusOr<std::string> ParseFilterTime(const std::string& text, absl::string_view key) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "filter: ", key, " wants an RFC 3339 instant such as 2026-12-01T00:00:00Z, got \"", text,
        "\""));
  }
  return FormatRecordTime(time);
}

auth::v1::AuditRecord RecordOf(const Row& row) {
  auth::v1::AuditRecord record;
  record.set_sequence(row.Int(0));
  record.set_principal(row.Text(1));
  record.set_method(row.Text(2));
  record.set_resource(row.Text(3));
  record.set_request_id(row.Text(4));
  record.set_peer(row.Text(5));
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, row.Text(6), &time, &error)) {
    int64_t micros = absl::ToUnixMicros(time);
    record.mutable_time()->set_seconds(micros / 1000000);
    record.mutable_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
  }
  record.set_outcome(row.Text(7));
  return record;
}

}  // namespace

absl::Status CommitAudited(Transaction& tx, const Caller& caller, absl::string_view resource,
                           absl::string_view outcome) {
  ENAMND_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO audit_records (principal, method, resource, request_id, peer, time, outcome)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)",
      {caller.principal(), caller.method(), std::string(resource), caller.request_id(),
       caller.peer(), FormatRecordTime(absl::Now()), std::string(outcome)}));
  return tx.Commit();
}

absl::Status ListAuditRecords(Database* db, const auth::v1::ListAuditRecordsRequest& request,
                              auth::v1::ListAuditRecordsResponse* response) {
  ENAMND_ASSIGN_OR_RETURN(
      auto terms,
      ParseFilter(request.filter(), {"principal", "method", "resource", "after", "before"}));
  ListQuery query(absl::StrCat("ListAuditRecords:", request.filter()),
                  "SELECT sequence, principal, method, resource, request_id, peer, time, outcome"
                  " FROM audit_records",
                  {{"sequence", KeyType::kInt}});
  for (const auto& [key, value] : terms) {
    if (key == "after") {
      ENAMND_ASSIGN_OR_RETURN(std::string after, ParseFilterTime(value, key));
      query.Where("time >= ?", {after});
    } else if (key == "before") {
      ENAMND_ASSIGN_OR_RETURN(std::string before, ParseFilterTime(value, key));
      query.Where("time < ?", {before});
    } else if (key == "resource" && absl::EndsWith(value, "*")) {
      std::string prefix = value.substr(0, value.size() - 1);
      // Everything that starts with prefix sorts in [prefix, prefix + U+10FFFF).
      query.Where("resource >= ? AND resource < ?",
                  {prefix, absl::StrCat(prefix, "\xf4\x8f\xbf\xbf")});
    } else {
      query.Where(absl::StrCat(key, " = ?"), {value});
    }
  }
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(ListPage page, query.Run(tx, request.page_size(), request.page_token()));
  for (const Row& row : page.rows) *response->add_audit_records() = RecordOf(row);
  response->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}

absl::Status EmitAndCommit(Transaction& tx, Outbox* outbox, const Caller& caller,
                           const google::protobuf::Message& event, const std::string& subject,
                           const std::vector<std::string>& audience) {
  ENAMND_RETURN_IF_ERROR(outbox->Append(tx, event, subject, audience).status());
  return CommitAudited(tx, caller, subject);
}

}  // namespace enamnd::platform
