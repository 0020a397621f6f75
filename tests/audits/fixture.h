// In-process audits and meetings services sharing one real redis-server.
#ifndef ENAMND_TESTS_AUDITS_FIXTURE_H_
#define ENAMND_TESTS_AUDITS_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/audits/api/service.h"
#include "services/meetings/api/service.h"
#include "services/platform/server.h"
#include "tests/support/redis_server.h"

namespace enamnd::audits {

class AuditsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    audits_ = Start("audits", NewAuditsService());
    meetings_ = Start("meetings", meetings::NewMeetingsService());
    audits_stub_ = v1::AuditsService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", audits_->port()), grpc::InsecureChannelCredentials()));
    meetings_stub_ = meetings::v1::MeetingsService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", meetings_->port()), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    audits_stub_.reset();
    meetings_stub_.reset();
    if (meetings_) meetings_->Shutdown(absl::Seconds(5));
    if (audits_) audits_->Shutdown(absl::Seconds(5));
  }

  std::unique_ptr<platform::ServerRunner> Start(const std::string& name,
                                                std::unique_ptr<platform::Service> service) {
    platform::ServerConfig config;
    config.service = name;
    config.listen = "127.0.0.1:0";
    config.data_dir = dir_.path() + "/" + name;
    config.redis = redis_.address();
    platform::OutboxRelay::Options relay;
    relay.poll_interval = absl::Milliseconds(50);
    auto runner = std::make_unique<platform::ServerRunner>(config, std::move(service), relay);
    absl::Status status = runner->Start();
    EXPECT_TRUE(status.ok()) << status;
    return runner;
  }

  enamnd::testing::TempDir dir_;
  enamnd::testing::RedisServer redis_;
  std::unique_ptr<platform::ServerRunner> audits_;
  std::unique_ptr<platform::ServerRunner> meetings_;
  std::unique_ptr<v1::AuditsService::Stub> audits_stub_;
  std::unique_ptr<meetings::v1::MeetingsService::Stub> meetings_stub_;
};

#define EXPECT_INVALID_FIELD(status, field)                                               \
  do {                                                                                    \
    grpc::Status s_ = (status);                                                           \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s_.error_message(); \
    EXPECT_NE(s_.error_message().find(field), std::string::npos) << s_.error_message();   \
  } while (0)

}  // namespace enamnd::audits

#endif  // ENAMND_TESTS_AUDITS_FIXTURE_H_
