// The runtime's health service, as an orchestrator would probe it.
#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "services/meetings/api/service.h"
#include "tests/meetings/fixture.h"

namespace enamnd::platform {
namespace {

// grpc.health.v1.Health/Check for the named service; returns the raw
// status code (1 = SERVING, 2 = NOT_SERVING) or -1 on an RPC error.
int HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  grpc::GenericStub stub(channel);
  // HealthCheckRequest{service = 1}: hand-encoded, the field is a string.
  std::string request_bytes;
  if (!service.empty()) {
    request_bytes.push_back(0x0a);
    request_bytes.push_back(static_cast<char>(service.size()));
    request_bytes += service;
  }
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = s;
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return -1;
  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) return -1;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // HealthCheckResponse{status = 1}: 0x08 then the enum value.
  if (bytes.size() == 2 && bytes[0] == 0x08) return bytes[1];
  return bytes.empty() ? 0 : -1;
}

// The status of a unary call of `method` with the request `request_bytes`.
grpc::StatusCode CallStatus(const std::shared_ptr<grpc::Channel>& channel,
                            const std::string& method, const std::string& request_bytes) {
  grpc::GenericStub stub(channel);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
    status = s;
    done.Notify();
  });
  done.WaitForNotification();
  return status.error_code();
}

// grpc.reflection.v1alpha ServerReflectionInfo with one request,
// ServerReflectionRequest{list_services = 7: "*"}, sent as a unary call (one
// message, then half-close): the status tells whether reflection is served.
grpc::StatusCode ListServicesByReflection(const std::shared_ptr<grpc::Channel>& channel) {
  return CallStatus(channel, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                    {0x3a, 0x01, '*'});
}

class HealthTest : public meetings::MeetingsFixture {};

// gRPC answers a method nobody registered with a call context of its own,
// which it hands back to the server's context allocator as well: the
// allocator must leave it alone (access_log.cc).
TEST_F(HealthTest, CallsOfUnknownMethodsAreUnimplementedAndTheServerLivesOn) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(CallStatus(channel_, "/no.such.v1.Service/Method", ""),
              grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(CallStatus(channel_, "/enamnd.meetings.v1.MeetingsService/NoSuchMethod", ""),
              grpc::StatusCode::UNIMPLEMENTED);
  }
  EXPECT_EQ(HealthStatus(channel_, ""), 1);
  // A known method still answers (its empty request names no body).
  EXPECT_EQ(CallStatus(channel_, "/enamnd.meetings.v1.MeetingsService/GetBody", ""),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(HealthTest, ServingOnceStartedForServerAndService) {
  EXPECT_EQ(HealthStatus(channel_, ""), 1);
  EXPECT_EQ(HealthStatus(channel_, "enamnd.meetings.v1.MeetingsService"), 1);
  runner_->Shutdown(absl::Seconds(2));
  // After shutdown nothing answers: probes fail, the orchestrator restarts.
  EXPECT_NE(HealthStatus(channel_, ""), 1);
}

TEST_F(HealthTest, SecondInstanceOnTheSamePortDoesNotStart) {
  enamnd::testing::TempDir other_dir;
  ServerConfig config;
  config.service = "meetings";
  config.listen = absl::StrCat("127.0.0.1:", runner_->port());
  config.data_dir = other_dir.path();
  config.redis = redis_.address();
  config.insecure = true;
  ServerRunner second(config, meetings::NewMeetingsService());
  absl::Status status = second.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(second.relay(), nullptr);        // it publishes nothing
  EXPECT_EQ(HealthStatus(channel_, ""), 1);  // the first one is unharmed
}

// ENAMND_HEALTH_LISTEN: a plaintext port for the kubelet's gRPC probes. It
// follows the main server's status and serves no API method.
class HealthPortTest : public meetings::MeetingsFixture {
 protected:
  void SetUp() override {
    service_.Configure([](ServerConfig* config) { config->health_listen = "127.0.0.1:0"; });
    StartServer();
  }
};

TEST_F(HealthPortTest, MirrorsTheServiceAndServesNothingElse) {
  ASSERT_GT(runner_->health_port(), 0);
  auto probe = grpc::CreateChannel(absl::StrCat("127.0.0.1:", runner_->health_port()),
                                   grpc::InsecureChannelCredentials());
  EXPECT_EQ(HealthStatus(probe, ""), 1);
  EXPECT_EQ(HealthStatus(probe, "enamnd.meetings.v1.MeetingsService"), 1);
  EXPECT_EQ(HealthStatus(probe, "no.such.Service"), -1);  // NOT_FOUND
  // Server reflection answers on the API port and not here: on this
  // unauthenticated port it would describe every proto of the binary.
  EXPECT_EQ(ListServicesByReflection(channel_), grpc::StatusCode::OK);
  EXPECT_EQ(ListServicesByReflection(probe), grpc::StatusCode::UNIMPLEMENTED);

  // The API is not on this port, even for a caller naming a principal.
  auto stub = meetings::v1::MeetingsService::NewStub(InsecureChannelAs(
      absl::StrCat("127.0.0.1:", runner_->health_port()), enamnd::testing::kClerk));
  grpc::ClientContext context;
  meetings::v1::GetBodyRequest request;
  request.set_name("bodies/e-namnden");
  meetings::v1::Body body;
  EXPECT_EQ(stub->GetBody(&context, request, &body).error_code(), grpc::StatusCode::UNIMPLEMENTED);

  runner_->Shutdown(absl::Seconds(2));
  EXPECT_NE(HealthStatus(probe, ""), 1);
}

TEST(HealthListenConfig, RejectsAnAddressWithoutPort) {
  setenv("ENAMND_HEALTH_LISTEN", "52051", 1);
  absl::StatusOr<ServerConfig> config = LoadConfig("meetings");
  unsetenv("ENAMND_HEALTH_LISTEN");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(config.status().message(), "ENAMND_HEALTH_LISTEN"));
}

}  // namespace
}  // namespace enamnd::platform
