// Real binaries: a decision recorded in enamnd-meetings reaches its review
// in enamnd-audits, also when Redis restarts and the audits service is down
// while the decision is recorded.
#include "absl/strings/str_cat.h"
#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace enamnd {
namespace {

namespace av1 = ::enamnd::audits::v1;
namespace mv1 = ::enamnd::meetings::v1;
using testing::MeetingsProcess;
using testing::PollUntil;
using testing::ServiceProcess;

class AuditsProcess : public ServiceProcess {
 public:
  AuditsProcess(const std::string& data_dir, const std::string& redis, const std::string& log)
      : ServiceProcess("audits", data_dir, redis, log),
        stub_(av1::AuditsService::NewStub(channel())) {}
  av1::AuditsService::Stub* stub() { return stub_.get(); }

 protected:
  void ReleaseClients() override { stub_.reset(); }

 private:
  std::unique_ptr<av1::AuditsService::Stub> stub_;
};

template <typename Stub, typename Req, typename Resp, typename Method>
grpc::Status Call(Stub* stub, Method method, const Req& request, Resp* response) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return (stub->*method)(&ctx, request, response);
}

const char kMeeting[] = "bodies/e-namnden/meetings/2022-06-22";

void SetUpMeetings(mv1::MeetingsService::Stub* stub) {
  using S = mv1::MeetingsService::Stub;
  for (const char* code : {"2584", "2523"}) {
    mv1::CreateMunicipalityRequest m;
    m.set_municipality_id(code);
    m.mutable_municipality()->set_display_name(absl::StrCat("Kommun ", code));
    mv1::Municipality out;
    ASSERT_TRUE(Call(stub, &S::CreateMunicipality, m, &out).ok());
  }
  mv1::CreateBodyRequest b;
  b.set_body_id("e-namnden");
  b.mutable_body()->set_display_name("Norrbottens e-nämnd");
  b.mutable_body()->set_kind(mv1::Body::KIND_COMMITTEE);
  for (const char* code : {"2584", "2523"}) {
    auto* seat = b.mutable_body()->add_seats();
    seat->set_municipality(absl::StrCat("municipalities/", code));
    seat->mutable_member()->set_display_name(absl::StrCat("Ledamot ", code));
  }
  mv1::Body body;
  ASSERT_TRUE(Call(stub, &S::CreateBody, b, &body).ok());
  mv1::CreateMeetingRequest mt;
  mt.set_parent("bodies/e-namnden");
  mt.mutable_meeting()->mutable_date()->set_year(2022);
  mt.mutable_meeting()->mutable_date()->set_month(6);
  mt.mutable_meeting()->mutable_date()->set_day(22);
  mv1::Meeting meeting;
  ASSERT_TRUE(Call(stub, &S::CreateMeeting, mt, &meeting).ok());
  mv1::RecordAttendanceRequest a;
  a.set_meeting(kMeeting);
  for (const char* code : {"2584", "2523"}) {
    auto* s = a.mutable_attendance()->add_seats();
    s->set_municipality(absl::StrCat("municipalities/", code));
    s->set_member_present(true);
  }
  ASSERT_TRUE(Call(stub, &S::RecordAttendance, a, &meeting).ok());
  mv1::CreateCaseRequest c;
  c.mutable_case_()->set_case_number("2022/9-2.2.0.1");
  c.mutable_case_()->set_title("Grundläggande granskning 2021, Kiruna och Gällivare");
  c.mutable_case_()->set_subject("//audits/reviews/2021-2584");
  mv1::Case created;
  ASSERT_TRUE(Call(stub, &S::CreateCase, c, &created).ok());
}

std::string Decide(mv1::MeetingsService::Stub* stub, const std::string& text) {
  mv1::RecordDecisionRequest r;
  r.set_parent(kMeeting);
  r.mutable_paragraph()->set_case_("cases/2022-9");
  r.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_ADOPT);
  r.mutable_paragraph()->mutable_decision()->set_text(text);
  r.mutable_paragraph()->add_recipients()->set_municipality("municipalities/2584");
  mv1::Paragraph p;
  grpc::Status status = Call(stub, &mv1::MeetingsService::Stub::RecordDecision, r, &p);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return p.name();
}

int Handlings(av1::AuditsService::Stub* stub, std::vector<std::string>* paragraphs = nullptr) {
  av1::GetReviewRequest get;
  get.set_name("reviews/2021-2584");
  av1::Review review;
  if (!Call(stub, &av1::AuditsService::Stub::GetReview, get, &review).ok()) return -1;
  if (paragraphs != nullptr) {
    paragraphs->clear();
    for (const auto& h : review.handlings()) paragraphs->push_back(h.paragraph());
  }
  return review.handlings_size();
}

TEST(AuditsFlowTest, DecisionReachesReviewAcrossRedisRestartAndAuditsDowntime) {
  testing::TempDir dir;
  testing::RedisServer redis(/*persistent=*/true);
  MeetingsProcess meetings(dir.path() + "/meetings", redis.address(), dir.path() + "/meetings.log");
  auto audits = std::make_unique<AuditsProcess>(dir.path() + "/audits", redis.address(),
                                                dir.path() + "/audits.log");
  ASSERT_TRUE(meetings.started() && audits->started());

  av1::CreateReviewRequest review;
  review.mutable_review()->set_year(2021);
  review.mutable_review()->add_auditing_municipalities("municipalities/2584");
  review.mutable_review()->add_auditing_municipalities("municipalities/2523");
  review.mutable_review()->set_kind(av1::Review::KIND_BASIC);
  review.mutable_review()->set_title("Grundläggande granskning 2021");
  av1::Review created;
  ASSERT_TRUE(Call(audits->stub(), &av1::AuditsService::Stub::CreateReview, review, &created).ok());
  SetUpMeetings(meetings.stub());

  std::string first = Decide(meetings.stub(), "Nämnden tar med sig synpunkterna.");
  ASSERT_TRUE(PollUntil([&] { return Handlings(audits->stub()) == 1; }, absl::Seconds(20)));

  // The audits service goes down; Redis restarts; a decision is recorded.
  EXPECT_EQ(audits->Stop(), 0);
  audits.reset();
  redis.Restart();
  std::string second = Decide(meetings.stub(), "Nämnden återkommer i delårsrapport 2.");
  // The meetings relay publishes it once Redis is back.
  ASSERT_TRUE(PollUntil(
      [&] {
        for (const auto& e : testing::ReadStream(redis, "enamnd:events:meetings")) {
          if (e.subject == second) return true;
        }
        return false;
      },
      absl::Seconds(30)));

  audits = std::make_unique<AuditsProcess>(dir.path() + "/audits", redis.address(),
                                           dir.path() + "/audits.log");
  ASSERT_TRUE(audits->started());
  std::vector<std::string> linked;
  ASSERT_TRUE(
      PollUntil([&] { return Handlings(audits->stub(), &linked) == 2; }, absl::Seconds(20)));
  EXPECT_EQ(linked, (std::vector<std::string>{first, second}));
  EXPECT_EQ(audits->Stop(), 0);
  EXPECT_EQ(meetings.Stop(), 0) << "clean exit";
}

}  // namespace
}  // namespace enamnd
