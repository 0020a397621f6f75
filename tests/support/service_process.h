// The real service binaries as child processes, with clients.
#ifndef ENAMND_TESTS_SUPPORT_SERVICE_PROCESS_H_
#define ENAMND_TESTS_SUPPORT_SERVICE_PROCESS_H_

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/platform/auth.h"
#include "tests/support/principals.h"
#include "tests/support/process.h"

namespace enamnd::testing {

// build/services/{service}/enamnd-{service}
inline std::string ServiceBinary(const std::string& service) {
  const char* build = std::getenv("ENAMND_BUILD_DIR");
#ifdef ENAMND_DEFAULT_BUILD_DIR
  const char* fallback = ENAMND_DEFAULT_BUILD_DIR;
#else
  const char* fallback = ".";
#endif
  return absl::StrCat(build != nullptr ? build : fallback, "/services/", service, "/enamnd-",
                      service);
}

// A service binary as a child process, with a channel to it.
class ServiceProcess {
 public:
  // Starts enamnd-{service} with its data in `data_dir` and waits until it
  // accepts connections; `extra_env` adds or overrides variables.
  ServiceProcess(const std::string& service, const std::string& data_dir,
                 const std::string& redis_address, const std::string& log_path,
                 std::map<std::string, std::string> extra_env = {}) {
    port_ = FreePort();
    std::map<std::string, std::string> env = {
        {"ENAMND_LISTEN", absl::StrCat("127.0.0.1:", port_)},
        {"ENAMND_DATA_DIR", data_dir},
        {"ENAMND_REDIS", redis_address},
        {"ENAMND_LOG_LEVEL", "warning"},
        {"ENAMND_INSECURE", "true"},
        {"ENAMND_POLICY", WriteTestPolicy(absl::StrCat(data_dir, "/policy.textproto"))}};
    for (auto& [k, v] : extra_env) env[k] = v;
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{ServiceBinary(service)}, env,
                                              log_path);
    // Connect only once it listens: a channel that failed to connect backs
    // off for seconds.
    started_ =
        PollUntil([&] { return PortAccepts(port_) || !process_->running(); }, absl::Seconds(30)) &&
        process_->running();
    EXPECT_TRUE(started_) << "enamnd-" << service << " did not start; see " << log_path;
    channel_ = platform::InsecureChannelAs(absl::StrCat("127.0.0.1:", port_), kClerk);
  }
  virtual ~ServiceProcess() = default;

  bool started() const { return started_; }
  int port() const { return port_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  ChildProcess* process() { return process_.get(); }

  // SIGTERM and wait; returns the exit code.
  int Stop() {
    ReleaseClients();
    channel_.reset();  // no idle client for the server to wait for
    process_->Signal(SIGTERM);
    return process_->Wait(absl::Seconds(15));
  }

 protected:
  virtual void ReleaseClients() {}

 private:
  int port_ = 0;
  bool started_ = false;
  std::unique_ptr<ChildProcess> process_;
  std::shared_ptr<grpc::Channel> channel_;
};

// A service binary with a stub of its gRPC service (`GrpcService` is the
// generated class, e.g. enamnd::meetings::v1::MeetingsService).
template <typename GrpcService>
class StubbedProcess : public ServiceProcess {
 public:
  StubbedProcess(const std::string& service, const std::string& data_dir,
                 const std::string& redis_address, const std::string& log_path,
                 std::map<std::string, std::string> extra_env = {})
      : ServiceProcess(service, data_dir, redis_address, log_path, std::move(extra_env)),
        stub_(GrpcService::NewStub(channel())) {}
  typename GrpcService::Stub* stub() { return stub_.get(); }

 protected:
  void ReleaseClients() override { stub_.reset(); }

 private:
  std::unique_ptr<typename GrpcService::Stub> stub_;
};

class MeetingsProcess : public StubbedProcess<enamnd::meetings::v1::MeetingsService> {
 public:
  MeetingsProcess(const std::string& data_dir, const std::string& redis_address,
                  const std::string& log_path, std::map<std::string, std::string> extra_env = {})
      : StubbedProcess("meetings", data_dir, redis_address, log_path, std::move(extra_env)) {}
};

class AuditsProcess : public StubbedProcess<enamnd::audits::v1::AuditsService> {
 public:
  AuditsProcess(const std::string& data_dir, const std::string& redis_address,
                const std::string& log_path, std::map<std::string, std::string> extra_env = {})
      : StubbedProcess("audits", data_dir, redis_address, log_path, std::move(extra_env)) {}
};

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_SERVICE_PROCESS_H_
