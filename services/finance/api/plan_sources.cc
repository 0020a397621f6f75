#include "services/finance/api/plan_sources.h"

#include <utility>

#include "absl/synchronization/notification.h"

namespace enamnd::finance {

std::unique_ptr<PlanSources> PlanSources::FromConfig(const platform::ServerConfig&,
                                                     Options options) {
  return std::make_unique<PlanSources>(Channels{}, options);
}

PlanSources::PlanSources(Channels channels, Options options,
                         std::map<std::string, std::string> setup_errors)
    : channels_(std::move(channels)),
      options_(options),
      setup_errors_(std::move(setup_errors)) {}

void PlanSources::FetchAsync(const FactNeeds&, std::function<void(PlanFacts)> done) {
  done(PlanFacts{});
}

PlanFacts PlanSources::Fetch(const FactNeeds& needs) {
  PlanFacts result;
  absl::Notification ready;
  FetchAsync(needs, [&](PlanFacts facts) {
    result = std::move(facts);
    ready.Notify();
  });
  ready.WaitForNotification();
  return result;
}

}  // namespace enamnd::finance
