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

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_REQUESTS_H_
