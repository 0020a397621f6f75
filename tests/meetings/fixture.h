// An in-process meetings service on 127.0.0.1:0 with a real redis-server
// and SQLite in a temp dir, and a gRPC client to it.
#ifndef ENAMND_TESTS_MEETINGS_FIXTURE_H_
#define ENAMND_TESTS_MEETINGS_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/meetings/api/service.h"
#include "services/platform/server.h"
#include "tests/support/redis_server.h"

namespace enamnd::meetings {


class MeetingsFixture : public ::testing::Test {
 protected:
  using Stub = v1::MeetingsService::Stub;

  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }

  void StartServer() {
    platform::ServerConfig config;
    config.service = "meetings";
    config.listen = "127.0.0.1:0";
    config.data_dir = dir_.path();
    config.redis = redis_.address();
    platform::OutboxRelay::Options relay;
    relay.poll_interval = absl::Milliseconds(50);
    relay.backoff_max = absl::Milliseconds(200);
    runner_ = std::make_unique<platform::ServerRunner>(config, NewMeetingsService(), relay);
    absl::Status status = runner_->Start();
    ASSERT_TRUE(status.ok()) << status;
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", runner_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::MeetingsService::NewStub(channel_);
  }

  void StopServer() {
    stub_.reset();
    channel_.reset();
    if (runner_ != nullptr) runner_->Shutdown(absl::Seconds(5));
    runner_.reset();
  }

  // Seats for `codes`, registering the municipalities.
  void SetUpBody(const std::string& body_id, const std::vector<std::string>& codes) {
    v1::Body body;
    body.set_display_name("Testnämnden " + body_id);
    body.set_kind(v1::Body::KIND_COMMITTEE);
    for (const std::string& code : codes) {
      v1::CreateMunicipalityRequest m;
      m.set_municipality_id(code);
      m.mutable_municipality()->set_display_name("Kommun " + code);
      m.set_request_id("m-" + code);
      v1::Municipality created;
      grpc::ClientContext ctx;
      ASSERT_TRUE(stub_->CreateMunicipality(&ctx, m, &created).ok());
      v1::Seat* seat = body.add_seats();
      seat->set_municipality("municipalities/" + code);
      seat->mutable_member()->set_display_name("Ledamot " + code);
      seat->mutable_substitute()->set_display_name("Ersättare " + code);
    }
    v1::CreateBodyRequest request;
    request.set_body_id(body_id);
    *request.mutable_body() = body;
    v1::Body created;
    grpc::ClientContext ctx;
    grpc::Status status = stub_->CreateBody(&ctx, request, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::Meeting CreateMeeting(const std::string& body_id, int year, int month, int day) {
    v1::CreateMeetingRequest request;
    request.set_parent("bodies/" + body_id);
    request.mutable_meeting()->mutable_date()->set_year(year);
    request.mutable_meeting()->mutable_date()->set_month(month);
    request.mutable_meeting()->mutable_date()->set_day(day);
    v1::Meeting meeting;
    grpc::ClientContext ctx;
    grpc::Status status = stub_->CreateMeeting(&ctx, request, &meeting);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return meeting;
  }

  // Members of the listed seats present; everyone else absent.
  grpc::Status Attend(const std::string& meeting, const std::vector<std::string>& present) {
    v1::RecordAttendanceRequest request;
    request.set_meeting(meeting);
    for (const std::string& code : present) {
      auto* seat = request.mutable_attendance()->add_seats();
      seat->set_municipality("municipalities/" + code);
      seat->set_member_present(true);
    }
    v1::Meeting out;
    grpc::ClientContext ctx;
    return stub_->RecordAttendance(&ctx, request, &out);
  }

  void CreateCase(const std::string& number, const std::string& subject = "") {
    v1::CreateCaseRequest request;
    request.mutable_case_()->set_case_number(number);
    request.mutable_case_()->set_title("Ärende " + number);
    request.mutable_case_()->set_subject(subject);
    v1::Case out;
    grpc::ClientContext ctx;
    grpc::Status status = stub_->CreateCase(&ctx, request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static v1::Paragraph Decision(const std::string& case_name,
                                const std::vector<std::string>& recipients = {}) {
    v1::Paragraph p;
    p.set_case_(case_name);
    p.mutable_decision()->set_kind(v1::DECISION_KIND_NOTE_AND_FILE);
    p.mutable_decision()->set_text("Nämnden lägger informationen till handlingarna.");
    for (const std::string& code : recipients) {
      p.add_recipients()->set_municipality("municipalities/" + code);
    }
    return p;
  }

  grpc::Status Record(const std::string& meeting, const v1::Paragraph& p, v1::Paragraph* out,
                      const std::string& request_id = "") {
    v1::RecordDecisionRequest request;
    request.set_parent(meeting);
    *request.mutable_paragraph() = p;
    request.set_request_id(request_id);
    grpc::ClientContext ctx;
    return stub_->RecordDecision(&ctx, request, out);
  }

  // One call on a fresh context: Call(&Stub::GetParagraph, request, &out).
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::MeetingsService::Stub::*method)(grpc::ClientContext*,
                                                                      const Request&, Response*),
                    const Request& request, Response* response) {
    grpc::ClientContext ctx;
    return (stub_.get()->*method)(&ctx, request, response);
  }

  static enamnd::common::v1::Date Day(int year, int month, int day) {
    enamnd::common::v1::Date out;
    out.set_year(year);
    out.set_month(month);
    out.set_day(day);
    return out;
  }

  int64_t OutboxCount() {
    auto tx = runner_->db()->BeginRead();
    auto row = tx->QueryOne("SELECT COUNT(*) FROM outbox");
    return (*row)->Int(0);
  }

  enamnd::testing::TempDir dir_;
  enamnd::testing::RedisServer redis_;
  std::unique_ptr<platform::ServerRunner> runner_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::MeetingsService::Stub> stub_;
};

// The status message starts with (or contains) `field`.
#define EXPECT_INVALID_FIELD(status, field)                                               \
  do {                                                                                    \
    grpc::Status s_ = (status);                                                           \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s_.error_message(); \
    EXPECT_NE(s_.error_message().find(field), std::string::npos) << s_.error_message();   \
  } while (0)

}  // namespace enamnd::meetings

#endif  // ENAMND_TESTS_MEETINGS_FIXTURE_H_
