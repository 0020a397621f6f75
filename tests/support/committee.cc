#include "tests/support/committee.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/builders.h"

namespace enamnd::testing {
namespace {

namespace v1 = ::enamnd::meetings::v1;
using Stub = v1::MeetingsService::Stub;

bool Ok(const grpc::Status& status, const char* what) {
  EXPECT_TRUE(status.ok()) << what << ": " << status.error_message();
  return status.ok();
}

}  // namespace

bool SeedCommittee(Stub* stub, const CommitteeSeed& seed) {
  v1::CreateBodyRequest body;
  body.set_body_id("e-namnden");
  body.mutable_body()->set_display_name("Norrbottens e-nämnd");
  body.mutable_body()->set_kind(v1::Body::KIND_COMMITTEE);
  v1::RecordAttendanceRequest attendance;
  attendance.set_meeting(kTestMeeting);
  for (const std::string& code : seed.municipality_codes) {
    v1::CreateMunicipalityRequest m;
    m.set_municipality_id(code);
    m.mutable_municipality()->set_display_name(absl::StrCat("Kommun ", code));
    v1::Municipality created;
    if (!Ok(Call(stub, &Stub::CreateMunicipality, m, &created), "CreateMunicipality")) return false;
    v1::Seat* seat = body.mutable_body()->add_seats();
    seat->set_municipality(created.name());
    seat->mutable_member()->set_display_name(absl::StrCat("Ledamot ", code));
    v1::SeatAttendance* present = attendance.mutable_attendance()->add_seats();
    present->set_municipality(created.name());
    present->set_member_present(true);
  }
  v1::Body created_body;
  if (!Ok(Call(stub, &Stub::CreateBody, body, &created_body), "CreateBody")) return false;
  v1::CreateMeetingRequest meeting;
  meeting.set_parent(created_body.name());
  *meeting.mutable_meeting()->mutable_date() = Day(2022, 6, 22);
  v1::Meeting created_meeting;
  if (!Ok(Call(stub, &Stub::CreateMeeting, meeting, &created_meeting), "CreateMeeting")) {
    return false;
  }
  if (!Ok(Call(stub, &Stub::RecordAttendance, attendance, &created_meeting), "RecordAttendance")) {
    return false;
  }
  v1::CreateCaseRequest c;
  c.mutable_case_()->set_case_number("2022/9-2.2.0.1");
  c.mutable_case_()->set_title(seed.case_title);
  c.mutable_case_()->set_subject(seed.case_subject);
  v1::Case created_case;
  return Ok(Call(stub, &Stub::CreateCase, c, &created_case), "CreateCase");
}

v1::Paragraph Decide(Stub* stub, const std::string& text, v1::DecisionKind kind,
                     const std::string& request_id) {
  v1::RecordDecisionRequest request;
  request.set_parent(kTestMeeting);
  request.set_request_id(request_id);
  request.mutable_paragraph()->set_case_(kTestCase);
  request.mutable_paragraph()->mutable_decision()->set_kind(kind);
  request.mutable_paragraph()->mutable_decision()->set_text(text);
  request.mutable_paragraph()->add_recipients()->set_municipality("municipalities/2584");
  v1::Paragraph paragraph;
  if (!Ok(Call(stub, &Stub::RecordDecision, request, &paragraph), "RecordDecision")) return {};
  return paragraph;
}

}  // namespace enamnd::testing
