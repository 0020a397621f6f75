// The meetings API over gRPC, in-process, with real Redis and SQLite.
#include <algorithm>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/meetings/domain/rules.h"
#include "services/platform/validation.h"
#include "tests/meetings/fixture.h"

namespace enamnd::meetings {
namespace {

using enamnd::testing::PollUntil;
using enamnd::testing::ReadStream;

const std::vector<std::string> kFourSeats = {"2584", "2523", "2505", "2580"};

class MeetingsApiTest : public MeetingsFixture {
 protected:
  void SetUp() override {
    MeetingsFixture::SetUp();
    SetUpBody("e-namnden", kFourSeats);
    meeting_ = CreateMeeting("e-namnden", 2022, 6, 22).name();
    ASSERT_TRUE(Attend(meeting_, {"2584", "2523", "2505"}).ok());
    CreateCase("2022/9-2.2.0.1", "//audits/reviews/2021-2584");
  }

  std::vector<v1::Paragraph> List(const std::string& parent, const std::string& filter) {
    v1::ListParagraphsRequest request;
    request.set_parent(parent);
    request.set_filter(filter);
    v1::ListParagraphsResponse response;
    grpc::Status status = Call(&Stub::ListParagraphs, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.paragraphs().begin(), response.paragraphs().end()};
  }

  std::string meeting_;
};

TEST_F(MeetingsApiTest, NumbersParagraphsConsecutivelyUnderConcurrentRequests) {
  constexpr int kThreads = 4;
  constexpr int kEach = 12;
  absl::Mutex mutex;
  std::vector<int> numbers;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        v1::Paragraph out;
        grpc::Status status = Record(meeting_, Decision("cases/2022-9"), &out);
        ASSERT_TRUE(status.ok()) << status.error_message();
        absl::MutexLock lock(&mutex);
        numbers.push_back(out.number());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(numbers.begin(), numbers.end());
  ASSERT_EQ(numbers.size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < numbers.size(); ++i) EXPECT_EQ(numbers[i], static_cast<int>(i + 1));
}

TEST_F(MeetingsApiTest, NumberingContinuesAcrossMeetingsAndRestartsEachYear) {
  v1::StartParagraphSeriesRequest series;
  series.set_body("bodies/e-namnden");
  series.set_year(2022);
  series.set_next_number(8);
  v1::ParagraphSeries series_out;
  ASSERT_TRUE(Call(&Stub::StartParagraphSeries, series, &series_out).ok());
  v1::Paragraph p;
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &p).ok());
  EXPECT_EQ(p.number(), 8);
  EXPECT_EQ(p.name(), meeting_ + "/paragraphs/8");
  EXPECT_EQ(p.case_number(), "2022/9-2.2.0.1");
  {
    // Once § 8 exists, the series cannot move.
    series.set_next_number(20);
    EXPECT_EQ(Call(&Stub::StartParagraphSeries, series, &series_out).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  std::string october = CreateMeeting("e-namnden", 2022, 10, 12).name();
  ASSERT_TRUE(Attend(october, kFourSeats).ok());
  ASSERT_TRUE(Record(october, Decision("cases/2022-9"), &p).ok());
  EXPECT_EQ(p.number(), 9);
  std::string next_year = CreateMeeting("e-namnden", 2023, 3, 15).name();
  ASSERT_TRUE(Attend(next_year, kFourSeats).ok());
  ASSERT_TRUE(Record(next_year, Decision("cases/2022-9"), &p).ok());
  EXPECT_EQ(p.number(), 1);
}

TEST_F(MeetingsApiTest, RefusesDecisionsWithoutQuorum) {
  std::string meeting = CreateMeeting("e-namnden", 2022, 10, 12).name();
  v1::Paragraph out;
  EXPECT_EQ(Record(meeting, Decision("cases/2022-9"), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);     // no attendance yet
  ASSERT_TRUE(Attend(meeting, {"2584", "2523"}).ok());  // 2 of 4 is not more than half
  grpc::Status status = Record(meeting, Decision("cases/2022-9"), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("quorum"), std::string::npos);

  // A substitute serving for § 1 only makes quorum for § 1 only.
  v1::RecordAttendanceRequest request;
  request.set_meeting(meeting);
  for (const char* code : {"2584", "2523"}) {
    auto* seat = request.mutable_attendance()->add_seats();
    seat->set_municipality(absl::StrCat("municipalities/", code));
    seat->set_member_present(true);
  }
  auto* substitute = request.mutable_attendance()->add_seats();
  substitute->set_municipality("municipalities/2505");
  substitute->set_substitute_served(true);
  substitute->add_substitute_paragraphs(1);
  v1::Meeting m;
  ASSERT_TRUE(Call(&Stub::RecordAttendance, request, &m).ok());
  ASSERT_TRUE(Record(meeting, Decision("cases/2022-9"), &out).ok());
  EXPECT_EQ(out.number(), 1);
  EXPECT_EQ(Record(meeting, Decision("cases/2022-9"), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(List(meeting, "").size(), 1u);
}

TEST_F(MeetingsApiTest, CancelledMeetingTakesNoDecisions) {
  std::string meeting = CreateMeeting("e-namnden", 2022, 12, 14).name();
  v1::UpdateMeetingRequest cancel;
  cancel.mutable_meeting()->set_name(meeting);
  cancel.mutable_meeting()->set_state(v1::Meeting::STATE_CANCELLED);
  cancel.mutable_update_mask()->add_paths("state");
  v1::Meeting m;
  ASSERT_TRUE(Call(&Stub::UpdateMeeting, cancel, &m).ok());
  EXPECT_EQ(m.state(), v1::Meeting::STATE_CANCELLED);
  int64_t events_before = OutboxCount();
  v1::Paragraph out;
  EXPECT_EQ(Record(meeting, Decision("cases/2022-9"), &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Attend(meeting, kFourSeats).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(OutboxCount(), events_before);
  EXPECT_TRUE(List(meeting, "").empty());

  // A meeting with paragraphs cannot be cancelled afterwards.
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &out).ok());
  cancel.mutable_meeting()->set_name(meeting_);
  EXPECT_EQ(Call(&Stub::UpdateMeeting, cancel, &m).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(MeetingsApiTest, RejectsBadInputNamingTheFieldAndWritesNothing) {
  int64_t events_before = OutboxCount();
  v1::Paragraph out;
  {
    v1::CreateCaseRequest request;
    request.mutable_case_()->set_title("x");
    for (const char* bad : {"2022-9-2.2.0.1", "22/9-2.2", "2022/0-1", "2022/09-1", "2022/9-a.b",
                            "2022/9-1.2.3.4.5.6.7", ""}) {
      request.mutable_case_()->set_case_number(bad);
      v1::Case c;
      EXPECT_INVALID_FIELD(Call(&Stub::CreateCase, request, &c), "case.case_number");
    }
  }
  {
    v1::CreateCaseRequest request;
    request.mutable_case_()->set_case_number("2022/10-2.2.0.1");
    request.mutable_case_()->set_title("x");
    request.mutable_case_()->set_subject("audits/reviews/2021-2505");
    v1::Case c;
    EXPECT_INVALID_FIELD(Call(&Stub::CreateCase, request, &c), "case.subject");
  }
  EXPECT_INVALID_FIELD(Record(meeting_, Decision("cases/2022-9", {"9999"}), &out),
                       "paragraph.recipients[0].municipality");
  EXPECT_INVALID_FIELD(Record(meeting_, Decision("cases/2022-9", {"25x4"}), &out),
                       "paragraph.recipients[0].municipality");
  EXPECT_INVALID_FIELD(Record(meeting_, Decision("cases/2022-9", {"2584", "2584"}), &out),
                       "paragraph.recipients[1]");
  EXPECT_INVALID_FIELD(Record(meeting_, Decision("2022/9-2.2.0.1"), &out), "paragraph.case");
  EXPECT_INVALID_FIELD(Record(meeting_, Decision("cases/2022-99"), &out), "paragraph.case");
  v1::Paragraph p = Decision("cases/2022-9");
  p.mutable_decision()->set_text("   ");
  EXPECT_INVALID_FIELD(Record(meeting_, p, &out), "paragraph.decision.text");
  p = Decision("cases/2022-9");
  p.mutable_decision()->set_kind(v1::DECISION_KIND_UNSPECIFIED);
  EXPECT_INVALID_FIELD(Record(meeting_, p, &out), "paragraph.decision.kind");
  p = Decision("cases/2022-9");
  p.set_title(std::string(platform::kMaxTitleLength + 1, 'x'));
  EXPECT_INVALID_FIELD(Record(meeting_, p, &out), "paragraph.title");
  p = Decision("cases/2022-9");
  p.add_documents()->set_title("Budget 2023");
  p.mutable_documents(0)->set_sha256("ABC");
  EXPECT_INVALID_FIELD(Record(meeting_, p, &out), "paragraph.documents[0].sha256");
  p = Decision("cases/2022-9");
  auto* vote = p.mutable_procedure()->add_votes();
  vote->set_question("Bifall mot avslag");
  vote->set_yes_count(2);
  auto* ballot = vote->add_ballots();
  ballot->mutable_voter()->set_display_name("Ledamot 2584");
  ballot->set_choice(v1::Ballot::CHOICE_YES);
  EXPECT_INVALID_FIELD(Record(meeting_, p, &out), "paragraph.procedure.votes[0]");
  EXPECT_INVALID_FIELD(Record("bodies/e-namnden/2022-06-22", Decision("cases/2022-9"), &out),
                       "parent");
  EXPECT_EQ(
      Record("bodies/e-namnden/meetings/2031-01-01", Decision("cases/2022-9"), &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  {
    v1::RecordAttendanceRequest request;
    request.set_meeting(meeting_);
    request.mutable_attendance()->add_seats()->set_municipality("municipalities/2506");
    v1::Meeting m;
    EXPECT_INVALID_FIELD(Call(&Stub::RecordAttendance, request, &m),
                         "attendance.seats[0].municipality");
  }
  {
    v1::CreateMeetingRequest request;
    request.set_parent("bodies/e-namnden");
    request.mutable_meeting()->mutable_date()->set_year(2022);
    request.mutable_meeting()->mutable_date()->set_month(2);
    request.mutable_meeting()->mutable_date()->set_day(30);
    v1::Meeting m;
    EXPECT_INVALID_FIELD(Call(&Stub::CreateMeeting, request, &m), "meeting.date");
  }
  {
    v1::CreateBodyRequest request;
    request.set_body_id("Bad Id");
    request.mutable_body()->set_display_name("x");
    request.mutable_body()->set_kind(v1::Body::KIND_COMMITTEE);
    v1::Body b;
    EXPECT_INVALID_FIELD(Call(&Stub::CreateBody, request, &b), "body_id");
  }
  {
    v1::ListParagraphsRequest request;
    request.set_parent("bodies/-");
    request.set_filter("colour = red");
    v1::ListParagraphsResponse response;
    EXPECT_INVALID_FIELD(Call(&Stub::ListParagraphs, request, &response), "filter");
  }
  EXPECT_TRUE(List(meeting_, "").empty());
  EXPECT_EQ(OutboxCount(), events_before);
  // The next valid decision still gets § 1: no number was consumed.
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &out).ok());
  EXPECT_EQ(out.number(), 1);
}

TEST_F(MeetingsApiTest, AttendanceCorrectionMayNotRemoveQuorumOfRecordedParagraphs) {
  v1::Paragraph out;
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &out).ok());
  grpc::Status status = Attend(meeting_, {"2584", "2523"});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_NE(status.error_message().find("§ 1"), std::string::npos) << status.error_message();
  EXPECT_TRUE(Attend(meeting_, kFourSeats).ok());  // adding someone is fine
}

TEST_F(MeetingsApiTest, RequestIdReusedForAnotherRequestIsRefused) {
  v1::CreateMunicipalityRequest request;
  request.set_municipality_id("2506");
  request.mutable_municipality()->set_display_name("Arjeplog");
  request.set_request_id("same");
  v1::Municipality first, second;
  ASSERT_TRUE(Call(&Stub::CreateMunicipality, request, &first).ok());
  request.set_municipality_id("2510");
  EXPECT_INVALID_FIELD(Call(&Stub::CreateMunicipality, request, &second), "request_id");
  v1::GetMunicipalityRequest get;
  get.set_name("municipalities/2510");
  EXPECT_EQ(Call(&Stub::GetMunicipality, get, &second).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(MeetingsApiTest, CaseNamesMustBeCanonical) {
  v1::GetCaseRequest request;
  request.set_name("cases/2022-09");
  v1::Case c;
  EXPECT_INVALID_FIELD(Call(&Stub::GetCase, request, &c), "name");
}

TEST_F(MeetingsApiTest, RetryWithSameRequestIdRecordsOnce) {
  v1::Paragraph first, second;
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &first, "req-1").ok());
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &second, "req-1").ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(List(meeting_, "").size(), 1u);
}

TEST_F(MeetingsApiTest, RecordsKnowWhoCreatedAndLastChangedThem) {
  v1::Paragraph p;
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &p).ok());
  EXPECT_EQ(p.create_principal(), enamnd::testing::kClerk);
  EXPECT_EQ(p.update_principal(), enamnd::testing::kClerk);
  v1::UpdateParagraphRequest request;
  *request.mutable_paragraph() = p;
  request.mutable_paragraph()->set_summary("Ändrad av sekreteraren.");
  request.mutable_paragraph()->set_create_principal("spiffe://enamnd/forged");
  request.mutable_update_mask()->add_paths("summary");
  auto secretary = service_.StubAs(enamnd::testing::kSecretary);
  v1::Paragraph updated;
  grpc::Status status =
      enamnd::testing::Call(secretary.get(), &Stub::UpdateParagraph, request, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.create_principal(), enamnd::testing::kClerk);
  EXPECT_EQ(updated.update_principal(), enamnd::testing::kSecretary);
  // Output only: not an updatable path.
  request.mutable_update_mask()->add_paths("create_principal");
  EXPECT_INVALID_FIELD(Call(&Stub::UpdateParagraph, request, &updated), "update_mask");
}

TEST_F(MeetingsApiTest, UpdatesWithMaskAndEtag) {
  v1::Paragraph p;
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &p).ok());
  v1::UpdateParagraphRequest request;
  *request.mutable_paragraph() = p;
  request.mutable_paragraph()->set_summary("Revisorerna har granskat nämnden.");
  request.mutable_paragraph()->set_title("Ignored: not in the mask");
  request.mutable_update_mask()->add_paths("summary");
  v1::Paragraph updated;
  grpc::Status status = Call(&Stub::UpdateParagraph, request, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.summary(), "Revisorerna har granskat nämnden.");
  EXPECT_EQ(updated.title(), p.title());
  EXPECT_NE(updated.etag(), p.etag());
  // The old etag is stale now.
  EXPECT_EQ(Call(&Stub::UpdateParagraph, request, &updated).error_code(),
            grpc::StatusCode::ABORTED);
  {
    request.mutable_update_mask()->add_paths("number");
    request.mutable_paragraph()->set_etag("");
    EXPECT_INVALID_FIELD(Call(&Stub::UpdateParagraph, request, &updated), "update_mask");
  }
}

TEST_F(MeetingsApiTest, ListsByRecipientCaseYearAndKindWithPages) {
  CreateCase("2022/17-1.1.1.2");
  v1::Paragraph out;
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9", {"2584", "2523"}), &out).ok());
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9", {"2505"}), &out).ok());
  v1::Paragraph approve = Decision("cases/2022-17", {"2580"});
  approve.mutable_decision()->set_kind(v1::DECISION_KIND_APPROVE);
  ASSERT_TRUE(Record(meeting_, approve, &out).ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &out).ok());

  auto kiruna = List("bodies/-", "recipient = \"municipalities/2584\"");
  ASSERT_EQ(kiruna.size(), 1u);
  EXPECT_EQ(kiruna[0].number(), 1);
  EXPECT_EQ(List(meeting_, "recipient = municipalities/2580")[0].number(), 3);
  EXPECT_EQ(List("bodies/e-namnden", "case = \"cases/2022-17\"").size(), 1u);
  EXPECT_EQ(List("bodies/e-namnden", "year = 2022 AND kind = DECISION_KIND_APPROVE").size(), 1u);
  EXPECT_EQ(List("bodies/e-namnden", "year = 2023").size(), 0u);

  std::vector<int> seen;
  std::string token;
  do {
    v1::ListParagraphsRequest request;
    request.set_parent(meeting_);
    request.set_page_size(3);
    request.set_page_token(token);
    v1::ListParagraphsResponse response;
    ASSERT_TRUE(Call(&Stub::ListParagraphs, request, &response).ok());
    EXPECT_LE(response.paragraphs_size(), 3);
    for (const auto& p : response.paragraphs()) seen.push_back(p.number());
    token = response.next_page_token();
    if (!token.empty()) {
      // The same token with another filter, or altered, is refused.
      v1::ListParagraphsRequest other = request;
      other.set_page_token(token);
      other.set_filter("year = 2022");
      EXPECT_INVALID_FIELD(Call(&Stub::ListParagraphs, other, &response), "page_token");
      other.set_filter("");
      other.set_page_token(token.substr(0, token.size() - 2) + (token.back() == 'A' ? "BB" : "AA"));
      EXPECT_INVALID_FIELD(Call(&Stub::ListParagraphs, other, &response), "page_token");
    }
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(MeetingsApiTest, PublishesDecisionRecordedForSubscribers) {
  v1::Paragraph p = Decision("cases/2022-9", {"2584", "2523"});
  p.add_documents()->set_title("Revisionsrapport Kiruna 2021");
  v1::Paragraph out;
  ASSERT_TRUE(Record(meeting_, p, &out).ok());
  std::vector<enamnd::testing::StreamEntry> entries;
  ASSERT_TRUE(PollUntil(
      [&] {
        entries = ReadStream(redis_, "enamnd:events:meetings");
        return std::any_of(entries.begin(), entries.end(), [](const auto& e) {
          return e.type == "enamnd.meetings.v1.DecisionRecorded";
        });
      },
      absl::Seconds(10)));
  std::set<std::string> types;
  for (const auto& e : entries) types.insert(e.type);
  EXPECT_TRUE(types.count("enamnd.meetings.v1.MeetingScheduled"));
  EXPECT_TRUE(types.count("enamnd.meetings.v1.AttendanceRecorded"));
  const auto& entry = entries.back();
  EXPECT_EQ(entry.subject, out.name());
  io::cloudevents::v1::CloudEvent event;
  ASSERT_TRUE(event.ParseFromString(entry.event));
  EXPECT_EQ(event.spec_version(), "1.0");
  EXPECT_EQ(event.source(), "//enamnd/meetings");
  EXPECT_EQ(event.id(), entry.id);
  EXPECT_EQ(event.attributes().at("audience").ce_string(), "2584,2523");
  v1::DecisionRecorded recorded;
  ASSERT_TRUE(event.proto_data().UnpackTo(&recorded));
  EXPECT_EQ(recorded.paragraph().number(), 1);
  EXPECT_EQ(recorded.paragraph().case_number(), "2022/9-2.2.0.1");
  EXPECT_EQ(recorded.body_display_name(), "Testnämnden e-namnden");
  EXPECT_EQ(recorded.meeting_date().day(), 22);
  EXPECT_EQ(recorded.case_subject(), "//audits/reviews/2021-2584");
  EXPECT_EQ(recorded.paragraph().documents(0).title(), "Revisionsrapport Kiruna 2021");
}

TEST_F(MeetingsApiTest, DataSurvivesRestart) {
  v1::Paragraph out;
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &out).ok());
  StopServer();
  StartServer();
  v1::GetParagraphRequest request;
  request.set_name(out.name());
  v1::Paragraph again;
  ASSERT_TRUE(Call(&Stub::GetParagraph, request, &again).ok());
  EXPECT_EQ(again.decision().text(), out.decision().text());
  ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9"), &out).ok());
  EXPECT_EQ(out.number(), 2);
}

}  // namespace
}  // namespace enamnd::meetings
