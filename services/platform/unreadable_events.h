// Events a follower can never read (a payload that does not parse: the
// feed readers' DATA_LOSS): each is logged with a running count, counted in
// enamnd_events_unreadable_total{service}, and skipped, so that one bad
// entry does not stop the consumer. One per following service.
#ifndef ENAMND_PLATFORM_UNREADABLE_EVENTS_H_
#define ENAMND_PLATFORM_UNREADABLE_EVENTS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "services/platform/log.h"
#include "services/platform/metrics.h"

namespace enamnd::platform {

class UnreadableEvents {
 public:
  explicit UnreadableEvents(std::string service)
      : service_(std::move(service)),
        counter_(MetricsRegistry::Global().GetCounter(
            "enamnd_events_unreadable_total",
            "Events of other services this service skipped because their payload does not parse",
            {{"service", service_}})) {}

  // Logs `why` and returns OK: the event is handled by being skipped.
  absl::Status Skip(const absl::Status& why) {
    const int64_t skipped = ++skipped_;
    counter_->Increment();
    LogError(service_, why.message(), "; skipped (skipped ", skipped, " unreadable events so far)");
    return absl::OkStatus();
  }
  int64_t count() const { return skipped_.load(); }

 private:
  std::string service_;
  Counter* counter_;
  std::atomic<int64_t> skipped_{0};
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_UNREADABLE_EVENTS_H_
