// A client of a server-streaming watch RPC (WatchEvents, WatchDecisions)
// reading on its own thread, from the start or, for a stalled reader, only
// once told to.
#ifndef ENAMND_TESTS_SUPPORT_WATCHER_H_
#define ENAMND_TESTS_SUPPORT_WATCHER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "enamnd/common/v1/watch.pb.h"

namespace enamnd::testing {

template <typename Response>
class Watcher {
 public:
  using Open =
      std::function<std::unique_ptr<grpc::ClientReader<Response>>(grpc::ClientContext* context)>;

  // Opens the stream with `open`; reads at once unless `stalled`, then only
  // after Resume() (gRPC flow control then holds the server's writes).
  explicit Watcher(const Open& open, bool stalled = false) : reading_(!stalled) {
    reader_ = open(&context_);
    thread_ = std::thread([this] { Run(); });
  }
  ~Watcher() {
    context_.TryCancel();
    Resume();
    thread_.join();
  }
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  void Resume() {
    absl::MutexLock lock(&mutex_);
    reading_ = true;
  }
  std::vector<Response> received() {
    absl::MutexLock lock(&mutex_);
    return received_;
  }
  size_t count() {
    absl::MutexLock lock(&mutex_);
    return received_.size();
  }
  // The stream ended (the server finished it or the call failed).
  bool done() {
    absl::MutexLock lock(&mutex_);
    return done_;
  }
  grpc::Status status() {
    absl::MutexLock lock(&mutex_);
    return status_;
  }

 private:
  void Run() {
    {
      absl::MutexLock lock(&mutex_);
      mutex_.Await(absl::Condition(&reading_));
    }
    Response response;
    while (reader_->Read(&response)) {
      absl::MutexLock lock(&mutex_);
      received_.push_back(response);
    }
    grpc::Status status = reader_->Finish();
    absl::MutexLock lock(&mutex_);
    status_ = status;
    done_ = true;
  }

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<Response>> reader_;
  absl::Mutex mutex_;
  bool reading_ ABSL_GUARDED_BY(mutex_);
  std::vector<Response> received_ ABSL_GUARDED_BY(mutex_);
  grpc::Status status_ ABSL_GUARDED_BY(mutex_);
  bool done_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

using EventWatcher = Watcher<common::v1::WatchEventsResponse>;

// WatchEvents on any service's stub, e.g.
//   EventWatcher w(WatchEventsOn(stub, 0, {"enamnd.audits.v1.ReviewCreated"}));
template <typename Stub>
EventWatcher::Open WatchEventsOn(Stub* stub, int64_t after,
                                 const std::vector<std::string>& types = {},
                                 const std::string& municipality = "") {
  common::v1::WatchEventsRequest request;
  request.set_after_sequence(after);
  for (const std::string& type : types) request.add_types(type);
  request.set_municipality(municipality);
  return
      [stub, request](grpc::ClientContext* context) { return stub->WatchEvents(context, request); };
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_WATCHER_H_
