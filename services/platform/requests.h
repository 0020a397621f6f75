// Idempotency keys: the resource a (method, request_id) created, so that a
// retried Create returns what the first call made. Every service has the
// table (a platform migration).
#ifndef ENAMND_PLATFORM_REQUESTS_H_
#define ENAMND_PLATFORM_REQUESTS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/platform/database.h"

namespace enamnd::platform {

absl::StatusOr<std::optional<std::string>> FindRequest(Transaction& tx, const std::string& method,
                                                       const std::string& request_id);
// Does nothing for an empty request_id.
absl::Status SaveRequest(Transaction& tx, const std::string& method, const std::string& request_id,
                         const std::string& resource);

// A retried Create. When `request_id` was used for `method` before, reads
// what that call made with `get(name)` (returning
// StatusOr<std::optional<Proto>>) into `response` and returns true.
// Otherwise remembers that `request_id` makes `name` (in the caller's
// transaction, so only if the create commits) and returns false.
template <typename Proto, typename Get>
absl::StatusOr<bool> ReplayOrRemember(Transaction& tx, const std::string& method,
                                      const std::string& request_id, const std::string& name,
                                      Get get, Proto* response) {
  if (request_id.empty()) return false;
  absl::StatusOr<std::optional<std::string>> earlier = FindRequest(tx, method, request_id);
  if (!earlier.ok()) return earlier.status();
  if (earlier->has_value()) {
    absl::StatusOr<std::optional<Proto>> found = get(**earlier);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return false;  // made, then removed: create anew
    *response = **std::move(found);
    return true;
  }
  absl::Status saved = SaveRequest(tx, method, request_id, name);
  if (!saved.ok()) return saved;
  return false;
}

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_REQUESTS_H_
