// Error helpers: absl::Status inside, gRPC status at the edge.
#ifndef ENAMND_PLATFORM_STATUS_H_
#define ENAMND_PLATFORM_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace enamnd::platform {

// Maps codes one to one (the numeric values agree); INTERNAL and UNKNOWN
// details are logged and replaced by a generic message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// INVALID_ARGUMENT whose message starts with the offending field path.
inline absl::Status InvalidField(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

}  // namespace enamnd::platform

// Returns from the enclosing function when `expr` is not OK.
#define ENAMND_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status enamnd_status_ = (expr);          \
    if (!enamnd_status_.ok()) return enamnd_status_; \
  } while (0)

#define ENAMND_CONCAT_INNER(a, b) a##b
#define ENAMND_CONCAT(a, b) ENAMND_CONCAT_INNER(a, b)
// ENAMND_ASSIGN_OR_RETURN(auto x, StatusOrExpr());
#define ENAMND_ASSIGN_OR_RETURN(lhs, expr) \
  ENAMND_ASSIGN_OR_RETURN_IMPL(ENAMND_CONCAT(enamnd_statusor_, __LINE__), lhs, expr)
#define ENAMND_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(*tmp)

#endif  // ENAMND_PLATFORM_STATUS_H_
