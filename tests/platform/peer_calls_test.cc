// The channel settings of calls between services (peer_calls.h): the
// service config's JSON, and a channel with PeerChannelArguments that
// retries UNAVAILABLE as configured and stops retrying once the budget is
// spent, against a tiny in-test server that always answers UNAVAILABLE.
#include "services/platform/peer_calls.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"

namespace enamnd::platform {
namespace {

namespace mv1 = ::enamnd::meetings::v1;
constexpr char kMeetingsService[] = "enamnd.meetings.v1.MeetingsService";

// Answers GetBody UNAVAILABLE, counting the attempts.
class Refusing : public mv1::MeetingsService::CallbackService {
 public:
  Refusing() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~Refusing() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  int attempts() {
    absl::MutexLock lock(&mutex_);
    return attempts_;
  }
  grpc::ServerUnaryReactor* GetBody(grpc::CallbackServerContext* context,
                                    const mv1::GetBodyRequest*, mv1::Body*) override {
    {
      absl::MutexLock lock(&mutex_);
      ++attempts_;
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"));
    return reactor;
  }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mutex_;
  int attempts_ ABSL_GUARDED_BY(mutex_) = 0;
};

grpc::Status GetBody(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = mv1::MeetingsService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  mv1::GetBodyRequest request;
  request.set_name("bodies/e-namnden");
  mv1::Body body;
  return stub->GetBody(&context, request, &body);
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address, const PeerCallOptions& options) {
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   PeerChannelArguments({kMeetingsService}, options));
}

TEST(PeerCallsTest, TheServiceConfigNamesTheServicesAndClampsTheAttempts) {
  PeerCallOptions options;
  const std::string config =
      PeerServiceConfig({kMeetingsService, "enamnd.projects.v1.ProjectsService"}, options);
  EXPECT_TRUE(absl::StrContains(config, R"({"service":"enamnd.meetings.v1.MeetingsService"})"))
      << config;
  EXPECT_TRUE(absl::StrContains(config, R"({"service":"enamnd.projects.v1.ProjectsService"})"))
      << config;
  EXPECT_TRUE(absl::StrContains(config, R"("maxAttempts":3)")) << config;
  EXPECT_TRUE(absl::StrContains(config, R"("initialBackoff":"0.100s")")) << config;
  EXPECT_TRUE(absl::StrContains(config, R"("maxBackoff":"0.400s")")) << config;
  EXPECT_TRUE(absl::StrContains(config, R"("retryableStatusCodes":["UNAVAILABLE"])")) << config;
  EXPECT_TRUE(absl::StrContains(config, R"("retryThrottling":{"maxTokens":10,"tokenRatio":0.100})"))
      << config;
  options.max_attempts = 9;
  EXPECT_TRUE(
      absl::StrContains(PeerServiceConfig({kMeetingsService}, options), R"("maxAttempts":5)"));
  options.max_attempts = 1;
  EXPECT_TRUE(
      absl::StrContains(PeerServiceConfig({kMeetingsService}, options), R"("maxAttempts":2)"));
}

TEST(PeerCallsTest, AChannelRetriesUnavailableAsConfigured) {
  Refusing server;
  grpc::Status status = GetBody(Channel(server.address(), {}));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(server.attempts(), 3);  // the channel parsed the config: three attempts
}

TEST(PeerCallsTest, OneAttemptIsClampedToOneRetry) {
  Refusing server;
  PeerCallOptions options;
  options.max_attempts = 1;  // gRPC would refuse the config: at least 2
  grpc::Status status = GetBody(Channel(server.address(), options));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(server.attempts(), 2);
}

TEST(PeerCallsTest, RetriesStopOnceTheBudgetIsSpent) {
  // 10 tokens; a failure takes one, and retrying needs more than half left:
  // the first call fails three times (10 -> 7 tokens), the second twice
  // (7 -> 5), and then no call is retried. (gRPC keeps a budget per server
  // address for the process: each test has its own server, and ctest runs
  // each test in its own process.)
  Refusing server;
  std::shared_ptr<grpc::Channel> channel = Channel(server.address(), {});
  int before = 0;
  for (int expected : {3, 2, 1, 1}) {
    grpc::Status status = GetBody(channel);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
    EXPECT_EQ(server.attempts() - before, expected);
    before = server.attempts();
  }
}

TEST(PeerCallsTest, ACallToNothingListeningEndsUnavailable) {
  // The service config is accepted (no INTERNAL or INVALID_ARGUMENT for it).
  grpc::Status status = GetBody(Channel("127.0.0.1:1", {}));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

}  // namespace
}  // namespace enamnd::platform
