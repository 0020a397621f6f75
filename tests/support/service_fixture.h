// A service in-process on 127.0.0.1:0, with its SQLite file in a temp dir
// and a real redis-server, and a stub to it; and a GoogleTest fixture of
// one such service. Tests of several services hold several InProcess.
#ifndef ENAMND_TESTS_SUPPORT_SERVICE_FIXTURE_H_
#define ENAMND_TESTS_SUPPORT_SERVICE_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/platform/server.h"
#include "tests/support/builders.h"
#include "tests/support/principals.h"
#include "tests/support/redis_server.h"

namespace enamnd::testing {

// `GrpcService` is the generated service class, e.g.
// enamnd::meetings::v1::MeetingsService.
template <typename GrpcService>
class InProcess {
 public:
  using Factory = std::function<std::unique_ptr<platform::Service>()>;

  InProcess(std::string name, Factory factory, std::string data_dir, std::string redis)
      : name_(std::move(name)),
        factory_(std::move(factory)),
        data_dir_(std::move(data_dir)),
        redis_(std::move(redis)) {}
  ~InProcess() { Stop(); }

  // Starts (or restarts) the service on its same data.
  absl::Status Start() {
    platform::ServerConfig config;
    config.service = name_;
    config.listen = "127.0.0.1:0";
    config.data_dir = data_dir_;
    config.redis = redis_;
    config.insecure = true;
    config.auth.policy_path = WriteTestPolicy(absl::StrCat(data_dir_, "/policy.textproto"));
    platform::OutboxRelay::Options relay;
    relay.poll_interval = absl::Milliseconds(50);
    relay.backoff_max = absl::Milliseconds(200);
    runner_ = std::make_unique<platform::ServerRunner>(config, factory_(), relay);
    absl::Status status = runner_->Start();
    if (!status.ok()) return status;
    channel_ = platform::InsecureChannelAs(address(), kClerk);
    stub_ = GrpcService::NewStub(channel_);
    return absl::OkStatus();
  }

  void Stop() {
    stub_.reset();
    channel_.reset();
    if (runner_ != nullptr) runner_->Shutdown(absl::Seconds(5));
    runner_.reset();
  }

  // A stub calling as the clerk (every staff role).
  typename GrpcService::Stub* stub() { return stub_.get(); }
  // A stub calling as `principal` (tests/support/principals.h).
  std::unique_ptr<typename GrpcService::Stub> StubAs(const std::string& principal) {
    return GrpcService::NewStub(platform::InsecureChannelAs(address(), principal));
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", runner_->port()); }
  platform::ServerRunner* runner() { return runner_.get(); }
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string name_;
  Factory factory_;
  std::string data_dir_;
  std::string redis_;
  std::unique_ptr<platform::ServerRunner> runner_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<typename GrpcService::Stub> stub_;
};

// A fixture with one service: subclasses pass its name and factory, e.g.
//   class MeetingsFixture
//       : public ServiceFixture<v1::MeetingsService> {
//     MeetingsFixture() : ServiceFixture("meetings", NewMeetingsService) {}
//   };
template <typename GrpcService>
class ServiceFixture : public ::testing::Test {
 protected:
  ServiceFixture(std::string name, typename InProcess<GrpcService>::Factory factory)
      : service_(std::move(name), std::move(factory), dir_.path(), redis_.address()) {}

  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }
  void StartServer() {
    absl::Status status = service_.Start();
    ASSERT_TRUE(status.ok()) << status;
    stub_ = service_.stub();
  }
  void StopServer() {
    stub_ = nullptr;
    service_.Stop();
  }
  platform::ServerRunner* runner() { return service_.runner(); }

  TempDir dir_;
  RedisServer redis_;
  InProcess<GrpcService> service_;
  typename GrpcService::Stub* stub_ = nullptr;
};

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_SERVICE_FIXTURE_H_
