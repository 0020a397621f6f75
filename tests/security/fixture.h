// The meetings, audits, projects, contracts and finance services in-process
// (tests/audits/fixture.h, plus projects, contracts and finance) with seeded data,
// and what the security tests need around them: calls of any method by its
// descriptor (generic stubs), the roles of the test principals, and a
// snapshot of everything stored (every table's rows in the four SQLite
// files, read over separate connections, and the length of each Redis
// stream) to prove that a refused call wrote nothing.
#ifndef ENAMND_TESTS_SECURITY_FIXTURE_H_
#define ENAMND_TESTS_SECURITY_FIXTURE_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "enamnd/auth/v1/auth.pb.h"
#include "enamnd/contracts/v1/contracts.grpc.pb.h"
#include "enamnd/finance/v1/finance.grpc.pb.h"
#include "enamnd/projects/v1/projects.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "services/contracts/api/service.h"
#include "services/finance/api/service.h"
#include "services/platform/policy.h"
#include "services/projects/api/service.h"
#include "tests/audits/fixture.h"
#include "tests/contracts/fixture.h"
#include "tests/projects/fixture.h"
#include "tests/support/committee.h"
#include "tests/support/database.h"
#include "tests/support/members.h"
#include "tests/support/principals.h"

namespace enamnd::security {

namespace mv1 = ::enamnd::meetings::v1;
namespace av1 = ::enamnd::audits::v1;
namespace pv1 = ::enamnd::projects::v1;
namespace cv1 = ::enamnd::contracts::v1;
namespace fv1 = ::enamnd::finance::v1;
using enamnd::testing::kTestMeeting;

inline constexpr char kMeetingsService[] = "enamnd.meetings.v1.MeetingsService";
inline constexpr char kAuditsService[] = "enamnd.audits.v1.AuditsService";
inline constexpr char kProjectsService[] = "enamnd.projects.v1.ProjectsService";
inline constexpr char kContractsService[] = "enamnd.contracts.v1.ContractsService";
inline constexpr char kFinanceService[] = "enamnd.finance.v1.FinanceService";
// Seeded: paragraph 1 of kTestMeeting, a draft sent to 2584; two reviews,
// each with one recommendation.
inline constexpr char kDraftParagraph[] = "bodies/e-namnden/meetings/2022-06-22/paragraphs/1";
inline constexpr char kReview2584[] = "reviews/2021-2584";
inline constexpr char kReview2580[] = "reviews/2021-2580";
// Seeded: a proposed pre-study of 2584 and 2523, and a pre-study of 2580 in
// its final report (without the report yet).
inline constexpr char kHrPayroll[] = "initiatives/hr-payroll";
inline constexpr char kELearning[] = "initiatives/e-learning";
// Seeded: a procurement in evaluation; a framework agreement 2584 and 2523
// may call off, and one only 2580 may (tests/contracts/fixture.h,
// AgreementRequest: 2021-01-01 to 2022-12-31, options 1+1 years).
inline constexpr char kSocialServicesSystem[] = "procurements/social-services-system";
inline constexpr char kItConsultants[] = "agreements/it-konsulter";
inline constexpr char kEArchive[] = "agreements/e-arkiv";
// Seeded: the draft budget of 2022 (a line shared by population, one
// equally), the population of 2021-12-31 and index-series/aki (2022-2024).
inline constexpr char kBudget2022[] = "budgets/2022";
// The day the services' calendars are pinned to.
inline constexpr absl::CivilDay kToday(2022, 6, 29);

inline const google::protobuf::ServiceDescriptor& ServiceNamed(const std::string& name) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
  if (service == nullptr) {
    ADD_FAILURE() << "no service " << name;
    abort();
  }
  return *service;
}

inline const auth::v1::MethodPolicy& PolicyOf(const google::protobuf::MethodDescriptor& method) {
  return method.options().GetExtension(auth::v1::policy);
}

// Every role a method's policy names, in any list.
inline std::set<std::string> RolesOf(const auth::v1::MethodPolicy& policy) {
  std::set<std::string> roles(policy.roles().begin(), policy.roles().end());
  roles.insert(policy.scoped_roles().begin(), policy.scoped_roles().end());
  roles.insert(policy.official_only_roles().begin(), policy.official_only_roles().end());
  return roles;
}

// The roles kTestPolicy grants `principal`.
inline std::set<std::string> HeldRoles(const std::string& principal) {
  static const auto* const table = [] {
    absl::StatusOr<platform::PolicyTable> parsed =
        platform::ParsePolicyText(enamnd::testing::kTestPolicy);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return new platform::PolicyTable(parsed.ok() ? *parsed : platform::PolicyTable());
  }();
  std::set<std::string> roles;
  for (const platform::RoleGrant& grant : table->GrantsOf(principal)) roles.insert(grant.role);
  return roles;
}

// Whether `principal` holds any role the method's policy names.
inline bool MayCall(const std::string& principal,
                    const google::protobuf::MethodDescriptor& method) {
  std::set<std::string> held = HeldRoles(principal);
  for (const std::string& role : RolesOf(PolicyOf(method))) {
    if (held.count(role) > 0) return true;
  }
  return false;
}

// The principals of tests/support/principals.h.
inline const std::vector<std::string>& AllPrincipals() {
  static const auto* const principals =
      new std::vector<std::string>{enamnd::testing::kStranger,   enamnd::testing::kPublicReader,
                                   enamnd::testing::kOperator,   enamnd::testing::kAuditor2584,
                                   enamnd::testing::kSystem2584, enamnd::testing::kEServicePlatform,
                                   enamnd::testing::kSecretary,  enamnd::testing::kCoordinator,
                                   enamnd::testing::kFinance,    enamnd::testing::kClerk};
  return *principals;
}

// A request of `method`'s input type from text format ("" is the empty
// request); fails the test when the text does not parse.
inline std::unique_ptr<google::protobuf::Message> RequestOf(
    const google::protobuf::MethodDescriptor& method, const std::string& text) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method.input_type());
  std::unique_ptr<google::protobuf::Message> request(prototype->New());
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, request.get()))
      << method.full_name() << ": " << text;
  return request;
}

namespace internal {

// Writes one request, half-closes, reads until the server ends the call.
class OneRequestStream : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit OneRequestStream(const grpc::ByteBuffer& request) : request_(request) {}
  void Begin() {
    StartWrite(&request_);
    StartWritesDone();
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  grpc::Status Wait() {
    done_.WaitForNotification();
    return status_;
  }

 private:
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  absl::Notification done_;
};

}  // namespace internal

// One call of `method` (unary or streaming) on `channel` with `request`,
// ended by a deadline of `timeout`; returns its status.
inline grpc::Status CallMethod(const std::shared_ptr<grpc::Channel>& channel,
                               const google::protobuf::MethodDescriptor& method,
                               const google::protobuf::Message& request,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::string path = platform::FullMethodName(method);
  std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer buffer(&slice, 1);
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  if (!method.client_streaming() && !method.server_streaming()) {
    grpc::ByteBuffer response;
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&context, path, grpc::StubOptions(), &buffer, &response, [&](grpc::Status s) {
      status = std::move(s);
      done.Notify();
    });
    done.WaitForNotification();
    return status;
  }
  internal::OneRequestStream stream(buffer);
  stub.PrepareBidiStreamingCall(&context, path, grpc::StubOptions(), &stream);
  stream.Begin();
  return stream.Wait();
}

// Everything the three services have stored: each table's rows (as SQL
// quote() text, sorted) by "service.table", and each stream's length.
struct Snapshot {
  std::map<std::string, std::string> tables;
  std::map<std::string, int64_t> streams;
  std::map<std::string, int64_t> rows;  // per table, for messages
  bool operator==(const Snapshot& other) const {
    return tables == other.tables && streams == other.streams;
  }
};

// What differs between two snapshots, for a failure message.
inline std::string Difference(const Snapshot& before, const Snapshot& after) {
  std::vector<std::string> changes;
  std::set<std::string> names;
  for (const auto& [name, rows] : before.tables) names.insert(name);
  for (const auto& [name, rows] : after.tables) names.insert(name);
  for (const std::string& name : names) {
    auto b = before.tables.find(name);
    auto a = after.tables.find(name);
    if (b == before.tables.end() || a == after.tables.end() || b->second != a->second) {
      changes.push_back(absl::StrCat("table ", name, " (rows ",
                                     before.rows.count(name) ? before.rows.at(name) : -1, " -> ",
                                     after.rows.count(name) ? after.rows.at(name) : -1, ")"));
    }
  }
  for (const auto& [stream, length] : after.streams) {
    int64_t was = before.streams.count(stream) ? before.streams.at(stream) : -1;
    if (was != length) changes.push_back(absl::StrCat("stream ", stream, " ", was, " -> ", length));
  }
  return changes.empty() ? "nothing" : absl::StrJoin(changes, "; ");
}

class SecurityFixture : public audits::AuditsFixture {
 protected:
  using AuditsStubPtr = std::unique_ptr<av1::AuditsService::Stub>;
  using MeetingsStubPtr = std::unique_ptr<mv1::MeetingsService::Stub>;
  using ProjectsStub = pv1::ProjectsService::Stub;
  using ProjectsStubPtr = std::unique_ptr<ProjectsStub>;
  using ContractsStub = cv1::ContractsService::Stub;
  using ContractsStubPtr = std::unique_ptr<ContractsStub>;
  using FinanceStub = fv1::FinanceService::Stub;
  using FinanceStubPtr = std::unique_ptr<FinanceStub>;

  void SetUp() override {
    AuditsFixture::SetUp();
    if (HasFatalFailure()) return;
    absl::Status started = projects_service_.Start();
    ASSERT_TRUE(started.ok()) << started;
    started = contracts_service_.Start();
    ASSERT_TRUE(started.ok()) << started;
    started = finance_service_.Start();
    ASSERT_TRUE(started.ok()) << started;
    projects_ = projects_service_.runner();
    contracts_ = contracts_service_.runner();
    finance_ = finance_service_.runner();
    meetings_->clock()->Pin(kToday);
    audits_->clock()->Pin(kToday);
    projects_->clock()->Pin(kToday);
    contracts_->clock()->Pin(kToday);
    finance_->clock()->Pin(kToday);
    meetings_db_ = enamnd::testing::OpenDatabase(meetings_->db()->path(), {});
    audits_db_ = enamnd::testing::OpenDatabase(audits_->db()->path(), {});
    projects_db_ = enamnd::testing::OpenDatabase(projects_->db()->path(), {});
    contracts_db_ = enamnd::testing::OpenDatabase(contracts_->db()->path(), {});
    finance_db_ = enamnd::testing::OpenDatabase(finance_->db()->path(), {});
    ASSERT_NE(meetings_db_, nullptr);
    ASSERT_NE(audits_db_, nullptr);
    ASSERT_NE(projects_db_, nullptr);
    ASSERT_NE(contracts_db_, nullptr);
    ASSERT_NE(finance_db_, nullptr);
    Seed();
  }
  void TearDown() override {
    meetings_db_.reset();
    audits_db_.reset();
    projects_db_.reset();
    contracts_db_.reset();
    finance_db_.reset();
    finance_service_.Stop();
    contracts_service_.Stop();
    projects_service_.Stop();
    AuditsFixture::TearDown();
  }

  // The committee (municipalities 2584, 2523, 2580; the 22 June 2022
  // meeting with everyone present; case 2022-9 about review 2021-2584), a
  // draft decision sent to 2584, reviews of 2584 and 2580 with one
  // recommendation each; once projects has learned the members, kHrPayroll
  // and kELearning; once contracts has, kSocialServicesSystem (advertised,
  // then in evaluation), kItConsultants and kEArchive.
  void Seed() {
    enamnd::testing::CommitteeSeed seed;
    seed.municipality_codes = {"2584", "2523", "2580"};
    seed.case_subject = "//audits/reviews/2021-2584";
    ASSERT_TRUE(enamnd::testing::SeedCommittee(meetings_stub_, seed));
    mv1::Paragraph draft =
        enamnd::testing::Decide(meetings_stub_, "Nämnden lägger granskningen till handlingarna.",
                                mv1::DECISION_KIND_NOTE_AND_FILE);
    ASSERT_EQ(draft.name(), kDraftParagraph);
    av1::Review review;
    av1::Recommendation recommendation;
    ASSERT_TRUE(CreateReview(2021, {"2584"}, &review).ok());
    ASSERT_TRUE(CreateReview(2021, {"2580"}, &review).ok());
    ASSERT_TRUE(Recommend(kReview2584, {"2584"}, &recommendation).ok());
    ASSERT_TRUE(Recommend(kReview2580, {"2580"}, &recommendation).ok());
    ASSERT_NO_FATAL_FAILURE(AwaitMembers(seed.municipality_codes));
    pv1::Initiative initiative;
    grpc::Status created =
        Projects(&ProjectsStub::CreateInitiative,
                 projects::PreStudyRequest("hr-payroll", {"2584", "2523"}), &initiative);
    ASSERT_TRUE(created.ok()) << created.error_message();
    pv1::CreateInitiativeRequest e_learning = projects::PreStudyRequest("e-learning", {"2580"});
    e_learning.mutable_initiative()->set_title("Förstudie gemensam e-learning plattform");
    created = Projects(&ProjectsStub::CreateInitiative, e_learning, &initiative);
    ASSERT_TRUE(created.ok()) << created.error_message();
    for (auto [state, day] : std::vector<std::pair<pv1::State, absl::CivilDay>>{
             {pv1::STATE_DECIDED, absl::CivilDay(2022, 3, 17)},
             {pv1::STATE_RUNNING, absl::CivilDay(2022, 3, 18)},
             {pv1::STATE_FINAL_REPORT, absl::CivilDay(2022, 6, 13)}}) {
      grpc::Status moved = Transition(kELearning, state, day, &initiative);
      ASSERT_TRUE(moved.ok()) << moved.error_message();
    }
    ASSERT_NO_FATAL_FAILURE(SeedContracts());
    ASSERT_NO_FATAL_FAILURE(SeedFinance(seed.municipality_codes));
  }
  // Once finance has learned the members: the population, the index and
  // the draft budget of 2022, as the clerk (who holds finance).
  void SeedFinance(const std::vector<std::string>& codes) {
    ASSERT_NO_FATAL_FAILURE(enamnd::testing::AwaitMembers(
        codes,
        [&](const std::string& code) {
          return Count(finance_db_.get(),
                       absl::StrCat("SELECT COUNT(*) FROM members WHERE code = '", code, "'")) == 1;
        },
        "finance"));
    fv1::CreatePopulationFiguresRequest population;
    fv1::PopulationFigures* figures = population.mutable_population_figures();
    *figures->mutable_reference_date() = enamnd::testing::Day(2021, 12, 31);
    figures->set_source("SCB, folkmängd 31 december 2021 (rounded for the test)");
    for (const std::string& code : codes) {
      fv1::MunicipalityPopulation* e = figures->add_entries();
      e->set_municipality("municipalities/" + code);
      e->set_inhabitants(code == "2580" ? 79'000 : 20'000);
    }
    fv1::PopulationFigures recorded;
    grpc::Status created = Finance(&FinanceStub::CreatePopulationFigures, population, &recorded);
    ASSERT_TRUE(created.ok()) << created.error_message();
    fv1::CreateIndexSeriesRequest aki;
    aki.set_index_series_id("aki");
    aki.mutable_index_series()->set_display_name("Arbetskostnadsindex (AKI)");
    for (int year : {2022, 2023, 2024}) {
      fv1::IndexFigure* f = aki.mutable_index_series()->add_figures();
      f->set_year(year);
      f->set_value_thousandths(100'000 + 3'000 * (year - 2022));
      f->set_source("invented for the test");
      f->set_reference_period(absl::StrCat(year));
    }
    fv1::IndexSeries series;
    created = Finance(&FinanceStub::CreateIndexSeries, aki, &series);
    ASSERT_TRUE(created.ok()) << created.error_message();
    fv1::CreateBudgetRequest budget;
    budget.set_year(2022);
    budget.mutable_budget()->set_title("Budget 2022");
    fv1::BudgetLine* basic = budget.mutable_budget()->add_lines();
    basic->set_id("basic-funding");
    basic->set_title("Grundfinansiering");
    basic->mutable_cost()->set_ore(300'000'000);
    basic->mutable_allocation()->mutable_population()->set_population_figures(
        "population-figures/2021-12-31");
    fv1::BudgetLine* office = budget.mutable_budget()->add_lines();
    office->set_id("e-office");
    office->set_title("E-kontor");
    office->mutable_cost()->set_ore(203'400'000);
    office->mutable_allocation()->mutable_equal();
    fv1::Budget made;
    created = Finance(&FinanceStub::CreateBudget, budget, &made);
    ASSERT_TRUE(created.ok()) << created.error_message();
  }
  void SeedContracts() {
    cv1::CreateProcurementRequest procurement;
    procurement.set_procurement_id("social-services-system");
    procurement.mutable_procurement()->set_title(
        "Upphandling Verksamhetssystem Socialtjänsten Norrbotten");
    *procurement.mutable_since_date() = enamnd::testing::Day(2022, 1, 10);
    cv1::Procurement p;
    grpc::Status created = Contracts(&ContractsStub::CreateProcurement, procurement, &p);
    ASSERT_TRUE(created.ok()) << created.error_message();
    for (auto [state, day] : std::vector<std::pair<cv1::Procurement::State, absl::CivilDay>>{
             {cv1::Procurement::STATE_ADVERTISED, absl::CivilDay(2022, 2, 1)},
             {cv1::Procurement::STATE_EVALUATION, absl::CivilDay(2022, 4, 1)}}) {
      cv1::TransitionProcurementRequest move;
      move.set_name(kSocialServicesSystem);
      move.set_state(state);
      *move.mutable_date() = enamnd::testing::Day(day.year(), day.month(), day.day());
      grpc::Status moved = Contracts(&ContractsStub::TransitionProcurement, move, &p);
      ASSERT_TRUE(moved.ok()) << moved.error_message();
    }
    cv1::CreateAgreementRequest e_archive = contracts::AgreementRequest("e-arkiv", {"2580"});
    e_archive.mutable_agreement()->set_title("E-arkiv");
    for (const cv1::CreateAgreementRequest& request :
         {contracts::AgreementRequest("it-konsulter", {"2584", "2523"}), e_archive}) {
      cv1::Agreement agreement;
      created = Contracts(&ContractsStub::CreateAgreement, request, &agreement);
      ASSERT_TRUE(created.ok()) << created.error_message();
    }
  }

  // Waits (with a deadline) until the projects and contracts services have
  // learned the municipalities from the meetings service's events: until
  // GetPortfolio, and ListAgreements filtered by each, stop failing.
  void AwaitMembers(const std::vector<std::string>& codes) {
    ASSERT_NO_FATAL_FAILURE(enamnd::testing::AwaitMembers(
        codes,
        [&](const std::string& code) {
          pv1::GetPortfolioRequest probe;
          probe.set_municipality("municipalities/" + code);
          pv1::Portfolio portfolio;
          return Projects(&ProjectsStub::GetPortfolio, probe, &portfolio).ok();
        },
        "projects"));
    enamnd::testing::AwaitMembers(
        codes,
        [&](const std::string& code) {
          cv1::ListAgreementsRequest probe;
          probe.set_filter(absl::StrCat("municipality = \"municipalities/", code, "\""));
          cv1::ListAgreementsResponse response;
          return Contracts(&ContractsStub::ListAgreements, probe, &response).ok();
        },
        "contracts");
  }

  template <typename Request, typename Response>
  grpc::Status Projects(grpc::Status (ProjectsStub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                        const Request& request, Response* response) {
    return enamnd::testing::Call(projects_service_.stub(), method, request, response);
  }
  // A call of the contracts service as the clerk.
  template <typename Request, typename Response>
  grpc::Status Contracts(grpc::Status (ContractsStub::*method)(grpc::ClientContext*, const Request&,
                                                               Response*),
                         const Request& request, Response* response) {
    return enamnd::testing::Call(contracts_service_.stub(), method, request, response);
  }
  // A call of the finance service as the clerk.
  template <typename Request, typename Response>
  grpc::Status Finance(grpc::Status (FinanceStub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
                       const Request& request, Response* response) {
    return enamnd::testing::Call(finance_service_.stub(), method, request, response);
  }
  // Moves `initiative` (its name) to `state` on `day`, as the clerk.
  grpc::Status Transition(const std::string& initiative, pv1::State state, absl::CivilDay day,
                          pv1::Initiative* out) {
    pv1::TransitionInitiativeRequest request;
    request.set_name(initiative);
    request.set_state(state);
    *request.mutable_date() = enamnd::testing::Day(day.year(), day.month(), day.day());
    return Projects(&ProjectsStub::TransitionInitiative, request, out);
  }

  AuditsStubPtr AuditsAs(const std::string& principal) { return audits_service_.StubAs(principal); }
  MeetingsStubPtr MeetingsAs(const std::string& principal) {
    return meetings_service_.StubAs(principal);
  }
  ProjectsStubPtr ProjectsAs(const std::string& principal) {
    return projects_service_.StubAs(principal);
  }
  ContractsStubPtr ContractsAs(const std::string& principal) {
    return contracts_service_.StubAs(principal);
  }
  FinanceStubPtr FinanceAs(const std::string& principal) {
    return finance_service_.StubAs(principal);
  }
  // A channel to the service of `service_name` calling as `principal`.
  std::shared_ptr<grpc::Channel> ChannelTo(const std::string& service_name,
                                           const std::string& principal) {
    if (service_name == kMeetingsService) return meetings_service_.ChannelAs(principal);
    if (service_name == kProjectsService) return projects_service_.ChannelAs(principal);
    if (service_name == kContractsService) return contracts_service_.ChannelAs(principal);
    if (service_name == kFinanceService) return finance_service_.ChannelAs(principal);
    return audits_service_.ChannelAs(principal);
  }
  // A plaintext channel without the principal header: no identity.
  std::shared_ptr<grpc::Channel> AnonymousChannelTo(const std::string& service_name) {
    std::string address = service_name == kMeetingsService    ? meetings_service_.address()
                          : service_name == kProjectsService  ? projects_service_.address()
                          : service_name == kContractsService ? contracts_service_.address()
                          : service_name == kFinanceService   ? finance_service_.address()
                                                              : audits_service_.address();
    return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }

  // Everything stored now.
  Snapshot Take() {
    Snapshot snapshot;
    AddTables("meetings", meetings_db_.get(), &snapshot);
    AddTables("audits", audits_db_.get(), &snapshot);
    AddTables("projects", projects_db_.get(), &snapshot);
    AddTables("contracts", contracts_db_.get(), &snapshot);
    AddTables("finance", finance_db_.get(), &snapshot);
    for (const char* stream :
         {"enamnd:events:meetings", "enamnd:events:audits", "enamnd:events:projects",
          "enamnd:events:contracts", "enamnd:events:finance"}) {
      snapshot.streams[stream] = redis_.Command({"XLEN", stream}).integer;
    }
    return snapshot;
  }

  // Everything stored once the background work is done: every outbox row
  // published, every meetings event consumed by the audits, projects and
  // contracts services, and two snapshots in a row equal (deadline jobs run
  // after commits).
  Snapshot Settled() {
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    Snapshot last;
    bool have_last = false;
    while (absl::Now() < deadline) {
      Snapshot now = Take();
      if (Quiet() && have_last && now == last) return now;
      last = std::move(now);
      have_last = true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "the services did not settle within 20 s";
    return last;
  }

  std::unique_ptr<platform::Database> meetings_db_;
  std::unique_ptr<platform::Database> audits_db_;
  std::unique_ptr<platform::Database> projects_db_;
  std::unique_ptr<platform::Database> contracts_db_;
  std::unique_ptr<platform::Database> finance_db_;
  enamnd::testing::InProcess<pv1::ProjectsService> projects_service_{
      "projects", projects::NewProjectsService, dir_.path() + "/projects", redis_.address()};
  enamnd::testing::InProcess<cv1::ContractsService> contracts_service_{
      "contracts", contracts::NewContractsService, dir_.path() + "/contracts", redis_.address()};
  platform::ServerRunner* projects_ = nullptr;
  enamnd::testing::InProcess<fv1::FinanceService> finance_service_{
      "finance", finance::NewFinanceService, dir_.path() + "/finance", redis_.address()};
  platform::ServerRunner* contracts_ = nullptr;
  platform::ServerRunner* finance_ = nullptr;

 private:
  int64_t Count(platform::Database* db, const std::string& sql) {
    auto tx = db->BeginRead();
    if (!tx.ok()) return -1;
    auto row = tx->QueryOne(sql);
    return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
  }

  bool Quiet() {
    const int64_t meetings_events = redis_.Command({"XLEN", "enamnd:events:meetings"}).integer;
    const int64_t projects_events = redis_.Command({"XLEN", "enamnd:events:projects"}).integer;
    for (platform::Database* db : {meetings_db_.get(), audits_db_.get(), projects_db_.get(),
                                   contracts_db_.get(), finance_db_.get()}) {
      if (Count(db,
                "SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                "outbox_published)") != 0)
        return false;
      // Every follower of the meetings service has consumed its events
      // (finance those of the projects service too).
      const int64_t followed = meetings_events + (db == finance_db_.get() ? projects_events : 0);
      if (db != meetings_db_.get() && Count(db, "SELECT COUNT(*) FROM inbox") != followed) {
        return false;
      }
    }
    return true;
  }

  static void AddTables(const std::string& service, platform::Database* db, Snapshot* snapshot) {
    auto tx = db->BeginRead();
    ASSERT_TRUE(tx.ok()) << tx.status();
    auto tables = tx->Query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name");
    ASSERT_TRUE(tables.ok()) << tables.status();
    for (const platform::Row& table : *tables) {
      const std::string name = table.Text(0);
      auto columns = tx->Query(absl::StrCat("PRAGMA table_info(\"", name, "\")"));
      ASSERT_TRUE(columns.ok()) << columns.status();
      std::vector<std::string> quoted;
      for (const platform::Row& column : *columns) {
        quoted.push_back(absl::StrCat("quote(\"", column.Text(1), "\")"));
      }
      auto rows = tx->Query(absl::StrCat("SELECT ", absl::StrJoin(quoted, " || '|' || "),
                                         " FROM \"", name, "\" ORDER BY 1"));
      ASSERT_TRUE(rows.ok()) << rows.status();
      std::string text;
      for (const platform::Row& row : *rows) absl::StrAppend(&text, row.Text(0), "\n");
      std::string key = absl::StrCat(service, ".", name);
      snapshot->tables[key] = std::move(text);
      snapshot->rows[key] = static_cast<int64_t>(rows->size());
    }
  }
};

}  // namespace enamnd::security

#endif  // ENAMND_TESTS_SECURITY_FIXTURE_H_
