#include "services/platform/requests.h"

#include "absl/strings/str_cat.h"
#include "services/platform/call_context.h"
#include "services/platform/status.h"

namespace enamnd::platform {

absl::StatusOr<std::optional<std::string>> FindRequest(Transaction& tx, const std::string& method,
                                                       const std::string& request_id) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT resource, COALESCE(request_fingerprint, '') FROM request_ids"
                  " WHERE method = ?1 AND request_id = ?2",
                  {method, request_id}));
  if (!row.has_value()) return std::optional<std::string>();
  // AIP-155: a request_id names one request. Rows from before fingerprints
  // were kept, and calls from inside the service, have none to compare.
  const std::string& fingerprint = CurrentCall().request_fingerprint;
  std::string first = row->Text(1);
  if (!fingerprint.empty() && !first.empty() && fingerprint != first) {
    return InvalidField("request_id", absl::StrCat("\"", request_id, "\" was already used for ",
                                                   method, " with a different request"));
  }
  return std::optional<std::string>(row->Text(0));
}

absl::Status SaveRequest(Transaction& tx, const std::string& method, const std::string& request_id,
                         const std::string& resource) {
  if (request_id.empty()) return absl::OkStatus();  // nothing to remember
  return tx.Exec(
      "INSERT INTO request_ids (method, request_id, resource, request_fingerprint)"
      " VALUES (?1, ?2, ?3, NULLIF(?4, ''))",
      {method, request_id, resource, CurrentCall().request_fingerprint});
}

}  // namespace enamnd::platform
