#include "services/platform/periodic_job.h"

#include "services/platform/log.h"
#include "services/platform/metrics.h"

namespace enamnd::platform {

PeriodicJob::PeriodicJob(std::string name, std::function<absl::Status()> job,
                         Outbox* wake_on_commit, absl::Duration interval)
    : name_(std::move(name)), job_(std::move(job)), outbox_(wake_on_commit), interval_(interval) {
  if (outbox_ != nullptr) {
    listener_ = outbox_->AddListener([this] {
      absl::MutexLock lock(&mutex_);
      wake_ = true;
    });
  }
  thread_ = std::thread([this] { Run(); });
}

PeriodicJob::~PeriodicJob() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  thread_.join();
  if (outbox_ != nullptr) outbox_->RemoveListener(listener_);
}

void PeriodicJob::Run() {
  bool was_failing = false;
  while (true) {
    absl::Status status = job_();
    RecordJobRun(name_, status.ok());
    if (!status.ok() && !was_failing) LogWarning(name_, "will retry: ", status.ToString());
    if (status.ok() && was_failing) LogInfo(name_, "running again");
    was_failing = !status.ok();
    absl::MutexLock lock(&mutex_);
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return wake_ || stopping_; };
    mutex_.AwaitWithTimeout(absl::Condition(&woken), interval_);
    if (stopping_) return;
    wake_ = false;
  }
}

}  // namespace enamnd::platform
