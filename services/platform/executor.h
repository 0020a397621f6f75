// A fixed pool of worker threads. gRPC reactor threads hand blocking work
// (SQLite transactions with fsync) to it and return at once.
#ifndef ENAMND_PLATFORM_EXECUTOR_H_
#define ENAMND_PLATFORM_EXECUTOR_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace enamnd::platform {

class Executor {
 public:
  explicit Executor(int threads);
  ~Executor();  // runs what is queued, then joins
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void Post(std::function<void()> task);

 private:
  void Work();
  absl::Mutex mutex_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_EXECUTOR_H_
