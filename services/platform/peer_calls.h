// Calls from one service to another: the channel settings every such call
// shares. Each call carries its own deadline (the caller sets it); the
// channel retries a call that failed UNAVAILABLE (the peer down or
// restarting) a few times with backoff, within gRPC's retry budget
// (retryThrottling): once more than half the budget's tokens are spent on
// failures, no call is retried until successes earn them back, so a peer
// that is down is not hammered. Reconnection backs off briefly, so a peer
// that comes back is used again within seconds.
#ifndef ENAMND_PLATFORM_PEER_CALLS_H_
#define ENAMND_PLATFORM_PEER_CALLS_H_

#include <grpcpp/support/channel_arguments.h>

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace enamnd::platform {

struct PeerCallOptions {
  // Attempts per call, the first included (gRPC allows at most 5).
  int max_attempts = 3;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Milliseconds(400);
  // The retry budget: tokens, and what a success gives back (gRPC's
  // retryThrottling maxTokens and tokenRatio).
  int budget_tokens = 10;
  double budget_token_ratio = 0.1;
  // Reconnection after the peer went away.
  absl::Duration max_reconnect_backoff = absl::Seconds(2);
};

// The gRPC service config (JSON) that retries the methods of
// `service_full_names` (e.g. "enamnd.meetings.v1.MeetingsService") on
// UNAVAILABLE under `options`.
std::string PeerServiceConfig(const std::vector<std::string>& service_full_names,
                              const PeerCallOptions& options);

// Channel arguments with that service config, retries enabled and the
// reconnect backoff of `options`; pass them to PeerChannel.
grpc::ChannelArguments PeerChannelArguments(const std::vector<std::string>& service_full_names,
                                            const PeerCallOptions& options = {});

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_PEER_CALLS_H_
