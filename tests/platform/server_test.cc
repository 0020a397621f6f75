// The runtime's health service, as an orchestrator would probe it.
#include <grpcpp/generic/generic_stub.h>

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

class HealthTest : public meetings::MeetingsFixture {};

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

}  // namespace
}  // namespace enamnd::platform
