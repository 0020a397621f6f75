// Idempotency keys: the resource a (method, request_id) created, so that a
// retried Create returns what the first call made. Every service has the
// table (a platform migration). With it is kept the fingerprint of the
// request (CurrentCall().request_fingerprint, set by the Gate), so that a
// request_id reused with another request is refused (AIP-155).
#ifndef ENAMND_PLATFORM_REQUESTS_H_
#define ENAMND_PLATFORM_REQUESTS_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "services/platform/database.h"

namespace enamnd::platform {

// What (method, request_id) made, if it was used before; INVALID_ARGUMENT
// naming request_id when it was used with a different request (both
// fingerprints known and unequal).
absl::StatusOr<std::optional<std::string>> FindRequest(Transaction& tx, const std::string& method,
                                                       const std::string& request_id);
// Remembers that (method, request_id) made `resource`, with the current
// call's request fingerprint. Does nothing for an empty request_id.
absl::Status SaveRequest(Transaction& tx, const std::string& method, const std::string& request_id,
                         const std::string& resource);

namespace requests_internal {
// Reads what an earlier call made (`made`) into `response`: true, or false
// when it has been removed since (the call then makes it anew).
template <typename Proto, typename Get>
absl::StatusOr<bool> ReadMade(Get& get, const std::string& made, Proto* response) {
  absl::StatusOr<std::optional<Proto>> found = get(made);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return false;
  *response = **std::move(found);
  return true;
}
}  // namespace requests_internal

// A retried call. When `request_id` was used for `method` before, reads
// what that call made with `get(name)` (returning
// StatusOr<std::optional<Proto>>) into `response` and returns true; fails
// as FindRequest does for a reused request_id. Use it
// where the name of what a call makes is known only later (a paragraph's
// number); remember that with SaveRequest in the same transaction.
template <typename Proto, typename Get>
absl::StatusOr<bool> Replayed(Transaction& tx, const std::string& method,
                              const std::string& request_id, Get get, Proto* response) {
  if (request_id.empty()) return false;
  absl::StatusOr<std::optional<std::string>> earlier = FindRequest(tx, method, request_id);
  if (!earlier.ok()) return earlier.status();
  if (!earlier->has_value()) return false;
  return requests_internal::ReadMade(get, **earlier, response);
}

// A retried Create whose name is known up front: Replayed, or else
// remembers that `request_id` makes `name` (in the caller's transaction, so
// only if the create commits) and returns false.
template <typename Proto, typename Get>
absl::StatusOr<bool> ReplayOrRemember(Transaction& tx, const std::string& method,
                                      const std::string& request_id, const std::string& name,
                                      Get get, Proto* response) {
  if (request_id.empty()) return false;
  absl::StatusOr<std::optional<std::string>> earlier = FindRequest(tx, method, request_id);
  if (!earlier.ok()) return earlier.status();
  if (!earlier->has_value()) {
    absl::Status saved = SaveRequest(tx, method, request_id, name);
    if (!saved.ok()) return saved;
    return false;
  }
  return requests_internal::ReadMade(get, **earlier, response);
}

// The `get` of Replayed and ReplayOrRemember for a store read that takes a
// names-module type: parses the remembered name as `Name`, then
// get(tx, name).
template <typename Name, typename Get>
auto ByStoredName(Transaction& tx, Get get) {
  return [&tx, get](const std::string& text) -> decltype(get(tx, std::declval<Name>())) {
    absl::StatusOr<Name> name = Name::Parse(text, "stored request");
    if (!name.ok()) return name.status();
    return get(tx, *name);
  };
}

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_REQUESTS_H_
