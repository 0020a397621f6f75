// PlanSources (issue 13): the finance service reads the facts of a plan
// follow-up from in-process meetings, contracts and projects services under
// its own identity (spiffe://enamnd/service/finance, role finance), page by
// page; and stays within its deadlines when a peer is down, does not
// answer, or fails once (the channel's retry policy).
#include "services/finance/api/plan_sources.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "enamnd/contracts/v1/contracts.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "enamnd/projects/v1/projects.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/contracts/api/service.h"
#include "services/meetings/api/service.h"
#include "services/platform/metrics.h"
#include "services/projects/api/service.h"
#include "tests/support/builders.h"
#include "tests/support/committee.h"
#include "tests/support/members.h"
#include "tests/support/principals.h"
#include "tests/support/process.h"
#include "tests/support/service_fixture.h"

namespace enamnd::finance {
namespace {

namespace mv1 = ::enamnd::meetings::v1;
namespace cv1 = ::enamnd::contracts::v1;
namespace pv1 = ::enamnd::projects::v1;
using testing::Day;

constexpr char kFinanceService[] = "spiffe://enamnd/service/finance";
constexpr char kBody[] = "bodies/e-namnden";

// The test policy with the finance service's own grant (issue 13).
void WritePolicy(const std::string& path) {
  std::ofstream out(path);
  out << testing::kTestPolicy;
  if (!absl::StrContains(testing::kTestPolicy, kFinanceService)) {
    out << "grants { principal: \"" << kFinanceService << "\" role: \"finance\" }\n";
  }
}

double PeerCalls(const std::string& peer, const std::string& code) {
  return platform::MetricsRegistry::Global()
      .GetCounter("enamnd_peer_calls_total", "Calls to other services, by peer and code.",
                  {{"service", "finance"}, {"peer", peer}, {"code", code}})
      ->value();
}

FactNeeds AllNeeds() {
  FactNeeds needs;
  needs.year = 2022;
  needs.as_of = absl::CivilDay(2022, 6, 21);
  needs.bodies = {kBody};
  needs.agreements = true;
  needs.initiatives = true;
  return needs;
}

// ------------------------------------------------------------ a fake peer

// A meetings service that answers as told: hangs (holds the calls until
// Release), or fails GetBody UNAVAILABLE once and then answers.
class FakeMeetings : public mv1::MeetingsService::CallbackService {
 public:
  enum class Mode { kHangGetBody, kHangListMeetings, kUnavailableOnce };
  explicit FakeMeetings(Mode mode) : mode_(mode) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeMeetings() override {
    Release();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  int get_body_calls() {
    absl::MutexLock lock(&mutex_);
    return get_body_calls_;
  }
  // Ends the calls held.
  void Release() {
    std::vector<grpc::ServerUnaryReactor*> held;
    {
      absl::MutexLock lock(&mutex_);
      held.swap(held_);
    }
    for (grpc::ServerUnaryReactor* reactor : held) reactor->Finish(grpc::Status::CANCELLED);
  }

  grpc::ServerUnaryReactor* GetBody(grpc::CallbackServerContext* context,
                                    const mv1::GetBodyRequest* request,
                                    mv1::Body* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mutex_);
    ++get_body_calls_;
    if (mode_ == Mode::kHangGetBody) {
      held_.push_back(reactor);
    } else if (mode_ == Mode::kUnavailableOnce && get_body_calls_ == 1) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"));
    } else {
      response->set_name(request->name());
      response->add_seats()->set_municipality("municipalities/2584");
      response->add_seats()->set_municipality("municipalities/2523");
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }
  grpc::ServerUnaryReactor* ListMeetings(grpc::CallbackServerContext* context,
                                         const mv1::ListMeetingsRequest*,
                                         mv1::ListMeetingsResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mutex_);
    if (mode_ == Mode::kHangListMeetings) {
      held_.push_back(reactor);
      return reactor;
    }
    mv1::Meeting* meeting = response->add_meetings();
    meeting->set_name(absl::StrCat(kBody, "/meetings/2022-03-16"));
    *meeting->mutable_date() = Day(2022, 3, 16);
    meeting->set_state(mv1::Meeting::STATE_PLANNED);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const Mode mode_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mutex_;
  int get_body_calls_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<grpc::ServerUnaryReactor*> held_ ABSL_GUARDED_BY(mutex_);
};

// ------------------------------------------------------------ the fixture

// In-process meetings, contracts and projects services on one redis-server;
// the contracts and projects services learn the members from the meetings
// service.
class PlanSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto policy = [](platform::ServerConfig* config) { WritePolicy(config->auth.policy_path); };
    meetings_service_.Configure(policy);
    projects_service_.Configure(policy);
    contracts_service_.Configure([policy](platform::ServerConfig* config) {
      policy(config);
      config->today = absl::CivilDay(2022, 7, 8);
    });
    ASSERT_TRUE(meetings_service_.Start().ok());
    ASSERT_TRUE(contracts_service_.Start().ok());
    ASSERT_TRUE(projects_service_.Start().ok());
  }
  void TearDown() override {
    projects_service_.Stop();
    contracts_service_.Stop();
    meetings_service_.Stop();
  }

  // The finance service's configuration, the peers at these addresses.
  platform::ServerConfig FinanceConfig(const std::string& meetings) {
    platform::ServerConfig config;
    config.service = "finance";
    config.insecure = true;
    config.peers["meetings"] = meetings;
    config.peers["contracts"] = contracts_service_.address();
    config.peers["projects"] = projects_service_.address();
    return config;
  }
  std::unique_ptr<PlanSources> Sources(const std::string& meetings,
                                       PlanSources::Options options = {}) {
    return PlanSources::FromConfig(FinanceConfig(meetings), options);
  }

  // The committee (three seats, the meeting of 22 June held with all
  // present), the members known to the contracts and projects services.
  void SeedMembers() {
    testing::CommitteeSeed seed;
    seed.municipality_codes = {"2584", "2523", "2580"};
    ASSERT_TRUE(testing::SeedCommittee(meetings_service_.stub(), seed));
    testing::AwaitMembers(
        seed.municipality_codes,
        [&](const std::string& code) {
          cv1::ListAgreementsRequest probe;
          probe.set_filter(absl::StrCat("municipality = \"municipalities/", code, "\""));
          cv1::ListAgreementsResponse response;
          return testing::Call(contracts_service_.stub(),
                               &cv1::ContractsService::Stub::ListAgreements, probe, &response)
              .ok();
        },
        "the contracts service");
    testing::AwaitMembers(
        seed.municipality_codes,
        [&](const std::string& code) {
          pv1::GetPortfolioRequest probe;
          probe.set_municipality("municipalities/" + code);
          pv1::Portfolio portfolio;
          return testing::Call(projects_service_.stub(), &pv1::ProjectsService::Stub::GetPortfolio,
                               probe, &portfolio)
              .ok();
        },
        "the projects service");
  }

  // Meetings of e-namnden besides the seeded one: 1 Feb held without
  // attendance, 16 Mar held with two of three seats (a member, a
  // substitute serving), 14 Sep planned, 2 Nov cancelled; 16 Dec 2021 held.
  void SeedMeetings() {
    using Stub = mv1::MeetingsService::Stub;
    mv1::MeetingsService::Stub* stub = meetings_service_.stub();
    auto create = [&](common::v1::Date date, mv1::Meeting::State state) {
      mv1::CreateMeetingRequest request;
      request.set_parent(kBody);
      *request.mutable_meeting()->mutable_date() = date;
      request.mutable_meeting()->set_state(state);
      mv1::Meeting out;
      grpc::Status status = testing::Call(stub, &Stub::CreateMeeting, request, &out);
      EXPECT_TRUE(status.ok()) << status.error_message();
      return out.name();
    };
    create(Day(2021, 12, 16), mv1::Meeting::STATE_HELD);
    create(Day(2022, 2, 1), mv1::Meeting::STATE_HELD);
    const std::string march = create(Day(2022, 3, 16), mv1::Meeting::STATE_PLANNED);
    create(Day(2022, 9, 14), mv1::Meeting::STATE_PLANNED);
    const std::string november = create(Day(2022, 11, 2), mv1::Meeting::STATE_PLANNED);

    mv1::RecordAttendanceRequest attendance;
    attendance.set_meeting(march);
    mv1::SeatAttendance* seat = attendance.mutable_attendance()->add_seats();
    seat->set_municipality("municipalities/2584");
    seat->set_member_present(true);
    seat = attendance.mutable_attendance()->add_seats();
    seat->set_municipality("municipalities/2523");
    seat->set_substitute_served(true);
    seat->set_substitute_present(true);
    seat = attendance.mutable_attendance()->add_seats();
    seat->set_municipality("municipalities/2580");
    mv1::Meeting out;
    grpc::Status status = testing::Call(stub, &Stub::RecordAttendance, attendance, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();

    mv1::UpdateMeetingRequest cancel;
    cancel.mutable_meeting()->set_name(november);
    cancel.mutable_meeting()->set_state(mv1::Meeting::STATE_CANCELLED);
    cancel.mutable_update_mask()->add_paths("state");
    status = testing::Call(stub, &Stub::UpdateMeeting, cancel, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Agreements around the as-of day 2022-06-21: one in force with a
  // follow-up, one that ended 2021, one that ends on the day, one that
  // starts the day after.
  void SeedAgreements() {
    auto create = [&](const std::string& id, common::v1::Date start, common::v1::Date end,
                      bool follow_up) {
      cv1::CreateAgreementRequest request;
      request.set_agreement_id(id);
      cv1::Agreement* a = request.mutable_agreement();
      a->set_title("Avtal " + id);
      a->mutable_supplier()->set_display_name("Exempelbolaget AB");
      a->mutable_supplier()->set_organisation_number("556016-0680");
      cv1::Terms* t = a->mutable_terms();
      t->set_type(cv1::AGREEMENT_TYPE_CONTRACT);
      *t->mutable_start() = start;
      *t->mutable_end() = end;
      a->add_entitled("municipalities/2584");
      if (follow_up) {
        a->mutable_follow_up_routine()->set_every_months(6);
        cv1::FollowUp* f = a->add_follow_ups();
        *f->mutable_date() = Day(2022, 2, 10);
        f->set_result("Leveranser enligt avtal");
      }
      cv1::Agreement out;
      grpc::Status status = testing::Call(
          contracts_service_.stub(), &cv1::ContractsService::Stub::CreateAgreement, request, &out);
      EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    };
    create("it-konsulter", Day(2021, 1, 1), Day(2022, 12, 31), true);
    create("gammalt", Day(2019, 1, 1), Day(2021, 12, 31), false);
    create("slutar", Day(2020, 7, 1), Day(2022, 6, 21), false);
    create("borjar", Day(2022, 6, 22), Day(2023, 6, 21), false);
  }

  // hr-payroll proposed 16 Mar, decided 1 Apr, running 2 May; e-arkiv
  // proposed 16 Mar.
  void SeedInitiatives() {
    using Stub = pv1::ProjectsService::Stub;
    auto create = [&](const std::string& id, const std::string& title) {
      pv1::CreateInitiativeRequest request;
      request.set_initiative_id(id);
      pv1::Initiative* in = request.mutable_initiative();
      in->set_title(title);
      in->set_kind(pv1::KIND_PRE_STUDY);
      pv1::Participation* p = in->add_participations();
      p->set_municipality("municipalities/2584");
      *p->mutable_joined_date() = Day(2022, 3, 16);
      *request.mutable_since_date() = Day(2022, 3, 16);
      pv1::Initiative out;
      grpc::Status status =
          testing::Call(projects_service_.stub(), &Stub::CreateInitiative, request, &out);
      EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    };
    auto move = [&](pv1::State state, common::v1::Date date) {
      pv1::TransitionInitiativeRequest request;
      request.set_name("initiatives/hr-payroll");
      request.set_state(state);
      *request.mutable_date() = date;
      pv1::Initiative out;
      grpc::Status status =
          testing::Call(projects_service_.stub(), &Stub::TransitionInitiative, request, &out);
      EXPECT_TRUE(status.ok()) << status.error_message();
    };
    create("hr-payroll", "Gemensamt personal/HR-system");
    create("e-arkiv", "Gemensamt e-arkiv");
    move(pv1::STATE_DECIDED, Day(2022, 4, 1));
    move(pv1::STATE_RUNNING, Day(2022, 5, 2));
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  testing::InProcess<mv1::MeetingsService> meetings_service_{
      "meetings", meetings::NewMeetingsService, dir_.path() + "/meetings", redis_.address()};
  testing::InProcess<cv1::ContractsService> contracts_service_{
      "contracts", contracts::NewContractsService, dir_.path() + "/contracts", redis_.address()};
  testing::InProcess<pv1::ProjectsService> projects_service_{
      "projects", projects::NewProjectsService, dir_.path() + "/projects", redis_.address()};
};

void ExpectFine(const PlanFacts& facts, const std::string& source) {
  auto it = facts.sources.find(source);
  ASSERT_NE(it, facts.sources.end()) << source;
  EXPECT_TRUE(it->second.ok) << source << ": " << it->second.error;
  EXPECT_GE(it->second.calls, 1) << source;
}

// What the other sources read in every test of a failing meetings peer.
void ExpectOthersFine(const PlanFacts& facts) {
  ExpectFine(facts, "contracts");
  ExpectFine(facts, "projects");
  EXPECT_TRUE(facts.agreements.has_value());
  EXPECT_TRUE(facts.initiatives.has_value());
}

// ------------------------------------------------------------ the stories

TEST_F(PlanSourcesTest, ReadsMeetingsAgreementsAndInitiativesPageByPage) {
  ASSERT_NO_FATAL_FAILURE(SeedMembers());
  ASSERT_NO_FATAL_FAILURE(SeedMeetings());
  ASSERT_NO_FATAL_FAILURE(SeedAgreements());
  ASSERT_NO_FATAL_FAILURE(SeedInitiatives());
  PlanSources::Options options;
  options.page_size = 2;  // several pages of each list
  const double ok_calls = PeerCalls("meetings", "OK");
  const absl::Time before = absl::Now();
  PlanFacts facts = Sources(meetings_service_.address(), options)->Fetch(AllNeeds());
  const absl::Time after = absl::Now();

  ASSERT_EQ(facts.sources.size(), 3u);
  for (const auto& [source, outcome] : facts.sources) {
    EXPECT_TRUE(outcome.ok) << source << ": " << outcome.error;
    EXPECT_GE(outcome.read_time, before) << source;
    EXPECT_LE(outcome.read_time, after) << source;
  }
  // GetBody, then five meetings of 2022 two by two.
  EXPECT_EQ(facts.sources["meetings"].calls, 4);
  EXPECT_EQ(PeerCalls("meetings", "OK") - ok_calls, 4);
  EXPECT_GE(facts.sources["contracts"].calls, 2);
  EXPECT_GE(facts.sources["projects"].calls, 1);

  ASSERT_EQ(facts.bodies.size(), 1u);
  const BodyFacts& body = facts.bodies[kBody];
  EXPECT_EQ(body.body, kBody);
  EXPECT_EQ(body.seats, 3);
  struct Expected {
    std::string id;
    absl::CivilDay date;
    MeetingFact::State state;
    bool attendance;
    int present;
  };
  const std::vector<Expected> expected = {
      {"2022-02-01", absl::CivilDay(2022, 2, 1), MeetingFact::State::kHeld, false, 0},
      {"2022-03-16", absl::CivilDay(2022, 3, 16), MeetingFact::State::kHeld, true, 2},
      {"2022-06-22", absl::CivilDay(2022, 6, 22), MeetingFact::State::kHeld, true, 3},
      {"2022-09-14", absl::CivilDay(2022, 9, 14), MeetingFact::State::kPlanned, false, 0},
      {"2022-11-02", absl::CivilDay(2022, 11, 2), MeetingFact::State::kCancelled, false, 0}};
  ASSERT_EQ(body.meetings.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const MeetingFact& m = body.meetings[i];
    EXPECT_EQ(m.name, absl::StrCat(kBody, "/meetings/", expected[i].id));
    EXPECT_EQ(m.date, expected[i].date) << m.name;
    EXPECT_EQ(m.state, expected[i].state) << m.name;
    EXPECT_EQ(m.attendance_recorded, expected[i].attendance) << m.name;
    EXPECT_EQ(m.present, expected[i].present) << m.name;
  }

  ASSERT_TRUE(facts.agreements.has_value());
  std::map<std::string, AgreementFact> agreements;
  for (const AgreementFact& a : *facts.agreements) agreements[a.name] = a;
  ASSERT_EQ(agreements.size(), 4u);
  const AgreementFact& it = agreements["agreements/it-konsulter"];
  EXPECT_EQ(it.title, "Avtal it-konsulter");
  EXPECT_TRUE(it.in_force);
  EXPECT_EQ(it.follow_up_days, std::vector<absl::CivilDay>{absl::CivilDay(2022, 2, 10)});
  EXPECT_EQ(it.next_follow_up, absl::CivilDay(2022, 8, 10));
  EXPECT_FALSE(agreements["agreements/gammalt"].in_force);
  EXPECT_TRUE(agreements["agreements/slutar"].in_force);  // its last day
  EXPECT_FALSE(agreements["agreements/borjar"].in_force);
  EXPECT_FALSE(agreements["agreements/borjar"].next_follow_up.has_value());
  EXPECT_TRUE(agreements["agreements/borjar"].follow_up_days.empty());

  ASSERT_TRUE(facts.initiatives.has_value());
  std::map<std::string, InitiativeFact> initiatives;
  for (const InitiativeFact& in : *facts.initiatives) initiatives[in.name] = in;
  ASSERT_EQ(initiatives.size(), 2u);
  const InitiativeFact& hr = initiatives["initiatives/hr-payroll"];
  EXPECT_EQ(hr.title, "Gemensamt personal/HR-system");
  ASSERT_EQ(hr.steps.size(), 3u);
  EXPECT_EQ(hr.steps[0].day, absl::CivilDay(2022, 3, 16));
  EXPECT_FALSE(hr.steps[0].under_way);
  EXPECT_EQ(hr.steps[1].day, absl::CivilDay(2022, 4, 1));
  EXPECT_TRUE(hr.steps[1].under_way);
  EXPECT_EQ(hr.steps[2].day, absl::CivilDay(2022, 5, 2));
  EXPECT_TRUE(hr.steps[2].under_way);
  const InitiativeFact& archive = initiatives["initiatives/e-arkiv"];
  EXPECT_EQ(archive.title, "Gemensamt e-arkiv");
  ASSERT_EQ(archive.steps.size(), 1u);
  EXPECT_FALSE(archive.steps[0].under_way);
}

TEST_F(PlanSourcesTest, ReadsOnlyWhatIsNeeded) {
  ASSERT_NO_FATAL_FAILURE(SeedMembers());
  ASSERT_NO_FATAL_FAILURE(SeedAgreements());
  FactNeeds needs = AllNeeds();
  needs.bodies.clear();
  needs.initiatives = false;
  PlanFacts facts = Sources(meetings_service_.address())->Fetch(needs);
  ASSERT_EQ(facts.sources.size(), 1u);
  ExpectFine(facts, "contracts");
  EXPECT_EQ(facts.sources["contracts"].calls, 1);
  ASSERT_TRUE(facts.agreements.has_value());
  EXPECT_EQ(facts.agreements->size(), 4u);
  EXPECT_TRUE(facts.bodies.empty());
  EXPECT_FALSE(facts.initiatives.has_value());

  // Nothing needed: nothing read, and the answer comes at once.
  facts = Sources(meetings_service_.address())->Fetch(FactNeeds{});
  EXPECT_TRUE(facts.sources.empty());
}

TEST_F(PlanSourcesTest, AFetchOutlivesItsSources) {
  ASSERT_NO_FATAL_FAILURE(SeedMembers());
  absl::Notification ready;
  PlanFacts facts;
  int answers = 0;  // written before Notify, read after it
  {
    std::unique_ptr<PlanSources> sources = Sources(meetings_service_.address());
    sources->FetchAsync(AllNeeds(), [&](PlanFacts answer) {
      facts = std::move(answer);
      ++answers;
      ready.Notify();
    });
  }  // gone while its calls run
  ASSERT_TRUE(ready.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(answers, 1);
  EXPECT_TRUE(facts.sources["meetings"].ok) << facts.sources["meetings"].error;
  EXPECT_EQ(facts.bodies[kBody].seats, 3);
  ExpectOthersFine(facts);
}

TEST_F(PlanSourcesTest, ABodyThatCannotBeReadIsLeftOut) {
  ASSERT_NO_FATAL_FAILURE(SeedMembers());
  FactNeeds needs = AllNeeds();
  needs.bodies.insert("bodies/okand");
  PlanFacts facts = Sources(meetings_service_.address())->Fetch(needs);
  const SourceOutcome& meetings = facts.sources["meetings"];
  EXPECT_FALSE(meetings.ok);
  EXPECT_TRUE(absl::StartsWith(meetings.error, "NOT_FOUND: ")) << meetings.error;
  EXPECT_EQ(facts.bodies.count("bodies/okand"), 0u);
  ASSERT_EQ(facts.bodies.count(kBody), 1u);  // the other body is read
  EXPECT_EQ(facts.bodies[kBody].seats, 3);
  EXPECT_EQ(facts.bodies[kBody].meetings.size(), 1u);
  EXPECT_EQ(meetings.calls, 3);  // two GetBody, one ListMeetings
  ExpectOthersFine(facts);
}

TEST_F(PlanSourcesTest, APeerThatIsDownFailsFast) {
  ASSERT_NO_FATAL_FAILURE(SeedMembers());
  PlanSources::Options options;  // 2 s a call, 4 s a fetch
  const std::string nothing = absl::StrCat("127.0.0.1:", testing::FreePort());
  const double unavailable = PeerCalls("meetings", "UNAVAILABLE");
  const absl::Time start = absl::Now();
  PlanFacts facts = Sources(nothing, options)->Fetch(AllNeeds());
  const absl::Duration took = absl::Now() - start;

  EXPECT_LT(took, options.fetch_timeout) << "the retries of a refused connection end early";
  const SourceOutcome& meetings = facts.sources["meetings"];
  EXPECT_FALSE(meetings.ok);
  EXPECT_TRUE(absl::StartsWith(meetings.error, "UNAVAILABLE: ")) << meetings.error;
  EXPECT_EQ(meetings.calls, 1);  // GetBody; no ListMeetings after it failed
  EXPECT_TRUE(facts.bodies.empty());
  EXPECT_EQ(PeerCalls("meetings", "UNAVAILABLE") - unavailable, 1);
  ExpectOthersFine(facts);
}

TEST_F(PlanSourcesTest, APeerThatDoesNotAnswerTimesOutPerCall) {
  FakeMeetings fake(FakeMeetings::Mode::kHangGetBody);
  PlanSources::Options options;
  options.call_timeout = absl::Milliseconds(300);
  options.fetch_timeout = absl::Milliseconds(600);
  const absl::Time start = absl::Now();
  PlanFacts facts = Sources(fake.address(), options)->Fetch(AllNeeds());
  const absl::Duration took = absl::Now() - start;

  EXPECT_GE(took, options.call_timeout);
  EXPECT_LT(took, options.fetch_timeout + absl::Seconds(1));
  const SourceOutcome& meetings = facts.sources["meetings"];
  EXPECT_FALSE(meetings.ok);
  EXPECT_TRUE(absl::StartsWith(meetings.error, "DEADLINE_EXCEEDED: ")) << meetings.error;
  EXPECT_TRUE(absl::StrContains(meetings.error, " ms")) << meetings.error;
  EXPECT_EQ(meetings.calls, 1);
  EXPECT_TRUE(facts.bodies.empty());
  ExpectOthersFine(facts);
}

TEST_F(PlanSourcesTest, APeerThatDoesNotAnswerEndsWithTheFetchDeadline) {
  // GetBody answers; the list hangs, longer than the fetch may take.
  FakeMeetings fake(FakeMeetings::Mode::kHangListMeetings);
  PlanSources::Options options;
  options.call_timeout = absl::Seconds(30);
  options.fetch_timeout = absl::Milliseconds(600);
  const absl::Time start = absl::Now();
  PlanFacts facts = Sources(fake.address(), options)->Fetch(AllNeeds());
  const absl::Duration took = absl::Now() - start;

  EXPECT_GE(took, options.fetch_timeout);
  EXPECT_LT(took, options.fetch_timeout + absl::Seconds(1));
  const SourceOutcome& meetings = facts.sources["meetings"];
  EXPECT_FALSE(meetings.ok);
  EXPECT_TRUE(absl::StartsWith(meetings.error, "DEADLINE_EXCEEDED: ")) << meetings.error;
  EXPECT_EQ(meetings.calls, 2);
  EXPECT_TRUE(facts.bodies.empty());  // read in part: left out
  ExpectOthersFine(facts);
}

TEST_F(PlanSourcesTest, TheCallersDeadlineEndsTheReadsWhenItIsSooner) {
  // The fetch and each call would wait 30 s; the caller's deadline is 600 ms.
  FakeMeetings fake(FakeMeetings::Mode::kHangListMeetings);
  PlanSources::Options options;
  options.call_timeout = absl::Seconds(30);
  options.fetch_timeout = absl::Seconds(30);
  std::unique_ptr<PlanSources> sources = Sources(fake.address(), options);
  const absl::Time start = absl::Now();
  const absl::Duration caller_budget = absl::Milliseconds(600);
  PlanFacts facts;
  absl::Notification done;
  sources->FetchAsync(
      AllNeeds(),
      [&](PlanFacts read) {
        facts = std::move(read);
        done.Notify();
      },
      start + caller_budget);
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  const absl::Duration took = absl::Now() - start;

  EXPECT_GE(took, caller_budget);
  EXPECT_LT(took, caller_budget + absl::Seconds(1));
  EXPECT_FALSE(facts.sources["meetings"].ok);
  EXPECT_TRUE(absl::StartsWith(facts.sources["meetings"].error, "DEADLINE_EXCEEDED: "))
      << facts.sources["meetings"].error;
  ExpectOthersFine(facts);
}

TEST_F(PlanSourcesTest, AFailureOnceIsRetriedByTheChannel) {
  FakeMeetings fake(FakeMeetings::Mode::kUnavailableOnce);
  PlanFacts facts = Sources(fake.address())->Fetch(AllNeeds());
  const SourceOutcome& meetings = facts.sources["meetings"];
  EXPECT_TRUE(meetings.ok) << meetings.error;
  EXPECT_EQ(fake.get_body_calls(), 2);  // the channel tried again
  EXPECT_EQ(meetings.calls, 2);         // one GetBody and one ListMeetings issued
  ASSERT_EQ(facts.bodies.count(kBody), 1u);
  EXPECT_EQ(facts.bodies[kBody].seats, 2);
  ASSERT_EQ(facts.bodies[kBody].meetings.size(), 1u);
  EXPECT_EQ(facts.bodies[kBody].meetings[0].state, MeetingFact::State::kPlanned);
  ExpectOthersFine(facts);
}

// ------------------------------------------------------------ no channels

TEST(PlanSourcesSetupTest, AChannelThatCannotBeMadeIsReportedByEveryFetch) {
  platform::ServerConfig config;
  config.service = "finance";
  config.insecure = true;
  config.peers["contracts"] = "127.0.0.1:1";  // never called below
  std::unique_ptr<PlanSources> sources = PlanSources::FromConfig(config, {});
  FactNeeds needs = AllNeeds();
  needs.agreements = false;
  for (int i = 0; i < 2; ++i) {
    PlanFacts facts = sources->Fetch(needs);
    ASSERT_EQ(facts.sources.size(), 2u);
    EXPECT_FALSE(facts.sources["meetings"].ok);
    EXPECT_TRUE(
        absl::StrContains(facts.sources["meetings"].error, "no address of service meetings"))
        << facts.sources["meetings"].error;
    EXPECT_EQ(facts.sources["meetings"].calls, 0);
    EXPECT_FALSE(facts.sources["projects"].ok);
    EXPECT_TRUE(facts.bodies.empty());
    EXPECT_FALSE(facts.initiatives.has_value());
  }

  PlanSources given(PlanSources::Channels{}, {}, {{"contracts", "no certificate"}});
  PlanFacts facts = given.Fetch(AllNeeds());
  EXPECT_EQ(facts.sources["contracts"].error, "no certificate");
  EXPECT_EQ(facts.sources["projects"].error, "not configured");
  EXPECT_EQ(facts.sources["meetings"].error, "not configured");
}

}  // namespace
}  // namespace enamnd::finance
