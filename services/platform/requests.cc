#include "services/platform/requests.h"

#include "services/platform/status.h"

namespace enamnd::platform {

absl::StatusOr<std::optional<std::string>> FindRequest(Transaction& tx, const std::string& method,
                                                       const std::string& request_id) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT resource FROM request_ids WHERE method = ?1 AND request_id = ?2",
                  {method, request_id}));
  if (!row.has_value()) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

absl::Status SaveRequest(Transaction& tx, const std::string& method, const std::string& request_id,
                         const std::string& resource) {
  if (request_id.empty()) return absl::OkStatus();  // nothing to remember
  return tx.Exec("INSERT INTO request_ids (method, request_id, resource) VALUES (?1, ?2, ?3)",
                 {method, request_id, resource});
}

}  // namespace enamnd::platform
