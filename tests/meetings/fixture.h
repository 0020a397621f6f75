// An in-process meetings service on 127.0.0.1:0 with a real redis-server
// and SQLite in a temp dir (tests/support's ServiceFixture), a gRPC client
// to it, and builders of the records most stories start from.
#ifndef ENAMND_TESTS_MEETINGS_FIXTURE_H_
#define ENAMND_TESTS_MEETINGS_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/meetings/api/service.h"
#include "tests/support/builders.h"
#include "tests/support/service_fixture.h"

namespace enamnd::meetings {

class MeetingsFixture : public enamnd::testing::ServiceFixture<v1::MeetingsService> {
 protected:
  using Stub = v1::MeetingsService::Stub;

  MeetingsFixture() : ServiceFixture("meetings", NewMeetingsService) {}

  // runner_ and channel_ (a second channel to the same port) follow the
  // running service, for tests that probe it from outside, such as
  // tests/platform/server_test.cc.
  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }
  void StartServer() {
    ServiceFixture::StartServer();
    runner_ = runner();
    if (runner_ == nullptr) return;
    channel_ = platform::InsecureChannelAs(absl::StrCat("127.0.0.1:", runner_->port()),
                                           enamnd::testing::kClerk);
  }
  void StopServer() {
    channel_.reset();
    runner_ = nullptr;
    ServiceFixture::StopServer();
  }

  // One call with a deadline: Call(&Stub::GetParagraph, request, &out).
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    return enamnd::testing::Call(stub_, method, request, response);
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
      ASSERT_TRUE(Call(&Stub::CreateMunicipality, m, &created).ok());
      v1::Seat* seat = body.add_seats();
      seat->set_municipality("municipalities/" + code);
      seat->mutable_member()->set_display_name("Ledamot " + code);
      seat->mutable_substitute()->set_display_name("Ersättare " + code);
    }
    v1::CreateBodyRequest request;
    request.set_body_id(body_id);
    *request.mutable_body() = body;
    v1::Body created;
    grpc::Status status = Call(&Stub::CreateBody, request, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::Meeting CreateMeeting(const std::string& body_id, int year, int month, int day) {
    v1::CreateMeetingRequest request;
    request.set_parent("bodies/" + body_id);
    request.mutable_meeting()->mutable_date()->set_year(year);
    request.mutable_meeting()->mutable_date()->set_month(month);
    request.mutable_meeting()->mutable_date()->set_day(day);
    v1::Meeting meeting;
    grpc::Status status = Call(&Stub::CreateMeeting, request, &meeting);
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
    return Call(&Stub::RecordAttendance, request, &out);
  }

  void CreateCase(const std::string& number, const std::string& subject = "") {
    v1::CreateCaseRequest request;
    request.mutable_case_()->set_case_number(number);
    request.mutable_case_()->set_title("Ärende " + number);
    request.mutable_case_()->set_subject(subject);
    v1::Case out;
    grpc::Status status = Call(&Stub::CreateCase, request, &out);
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
    return Call(&Stub::RecordDecision, request, out);
  }

  int64_t OutboxCount() {
    auto tx = runner()->db()->BeginRead();
    auto row = tx->QueryOne("SELECT COUNT(*) FROM outbox");
    return (*row)->Int(0);
  }

  platform::ServerRunner* runner_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace enamnd::meetings

#endif  // ENAMND_TESTS_MEETINGS_FIXTURE_H_
