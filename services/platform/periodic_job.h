// Runs a job on its own thread: once at construction's end, then every
// `interval`, and soon after any commit that appends to `outbox` (so time-
// driven events follow the data without waiting a whole interval).
#ifndef ENAMND_PLATFORM_PERIODIC_JOB_H_
#define ENAMND_PLATFORM_PERIODIC_JOB_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/platform/outbox.h"

namespace enamnd::platform {

class PeriodicJob {
 public:
  PeriodicJob(std::string name, std::function<absl::Status()> job, Outbox* wake_on_commit,
              absl::Duration interval = absl::Minutes(1));
  ~PeriodicJob();  // stops and joins
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

 private:
  void Run();

  const std::string name_;
  std::function<absl::Status()> job_;
  Outbox* outbox_;
  absl::Duration interval_;
  int listener_ = 0;
  absl::Mutex mutex_;
  bool wake_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_PERIODIC_JOB_H_
