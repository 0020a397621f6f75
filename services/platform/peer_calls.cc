#include "services/platform/peer_calls.h"

#include <grpc/impl/codegen/grpc_types.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace enamnd::platform {
namespace {

std::string Seconds(absl::Duration duration) {
  return absl::StrFormat("%.3fs", absl::ToDoubleSeconds(duration));
}

}  // namespace

std::string PeerServiceConfig(const std::vector<std::string>& service_full_names,
                              const PeerCallOptions& options) {
  std::vector<std::string> names;
  names.reserve(service_full_names.size());
  for (const std::string& service : service_full_names) {
    names.push_back(absl::StrCat(R"({"service":")", service, R"("})"));
  }
  return absl::StrCat(R"({"methodConfig":[{"name":[)", absl::StrJoin(names, ","), R"(],)",
                      R"("retryPolicy":{"maxAttempts":)", std::clamp(options.max_attempts, 2, 5),
                      R"(,"initialBackoff":")", Seconds(options.initial_backoff),
                      R"(","maxBackoff":")", Seconds(options.max_backoff),
                      R"(","backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}],)",
                      R"("retryThrottling":{"maxTokens":)", options.budget_tokens,
                      absl::StrFormat(R"(,"tokenRatio":%.3f}})", options.budget_token_ratio));
}

grpc::ChannelArguments PeerChannelArguments(const std::vector<std::string>& service_full_names,
                                            const PeerCallOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetServiceConfigJSON(PeerServiceConfig(service_full_names, options));
  const int max_backoff_ms =
      static_cast<int>(absl::ToInt64Milliseconds(options.max_reconnect_backoff));
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(200, max_backoff_ms));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, std::min(200, max_backoff_ms));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, max_backoff_ms);
  return args;
}

}  // namespace enamnd::platform
