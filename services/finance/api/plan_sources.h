// The facts a plan follow-up counts, read from the services that hold
// them over gRPC under the finance service's own identity
// (platform::PeerChannel): the meetings service (bodies, meetings and
// attendance), the contracts service (agreements and their follow-ups) and
// the projects service (initiatives). The three are read at once; every
// call has a deadline inside the fetch's overall deadline, and the channels
// retry UNAVAILABLE within a retry budget (platform/peer_calls.h). A
// service that fails or does not answer in time leaves its facts absent,
// with its outcome saying why: the fetch itself never fails.
#ifndef ENAMND_FINANCE_API_PLAN_SOURCES_H_
#define ENAMND_FINANCE_API_PLAN_SOURCES_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "services/finance/domain/plans.h"
#include "services/platform/server.h"

namespace enamnd::finance {

class PlanSources {
 public:
  struct Options {
    // Each call's deadline (one page of a list).
    absl::Duration call_timeout = absl::Seconds(2);
    // Everything a fetch reads, all pages of all services.
    absl::Duration fetch_timeout = absl::Seconds(4);
    // Items asked per page.
    int page_size = 200;
  };
  struct Channels {
    std::shared_ptr<grpc::Channel> meetings;
    std::shared_ptr<grpc::Channel> contracts;
    std::shared_ptr<grpc::Channel> projects;
  };

  // Channels to the addresses of `config` (ENAMND_MEETINGS_ADDR, ...),
  // with platform::PeerChannelArguments. A channel that cannot be made
  // (e.g. no certificate) is logged and reported by every fetch.
  static std::unique_ptr<PlanSources> FromConfig(const platform::ServerConfig& config,
                                                 Options options);
  // Given channels (tests). A null channel is reported failed, with its
  // entry of `setup_errors` (by service name) or "not configured".
  PlanSources(Channels channels, Options options,
              std::map<std::string, std::string> setup_errors = {});

  // Reads what `needs` asks for and calls `done` once, from a gRPC or
  // caller thread, when every read has answered or failed; by then no read
  // is outstanding. Every read ends by fetch_timeout from now, or by
  // `deadline` if that is sooner (the caller's own deadline). Does not
  // block.
  void FetchAsync(const FactNeeds& needs, std::function<void(PlanFacts)> done,
                  absl::Time deadline = absl::InfiniteFuture());
  // The same, waiting for the answer (tests, tools; never on a reactor or
  // executor thread).
  PlanFacts Fetch(const FactNeeds& needs);

 private:
  Channels channels_;
  Options options_;
  std::map<std::string, std::string> setup_errors_;
};

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_API_PLAN_SOURCES_H_
