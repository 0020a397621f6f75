// Stories over the finance service's plan side (issue 13), in-process with
// the other services' addresses pointing nowhere (127.0.0.1:1): a plan
// created (and a retried create replayed), changed with its etag, adopted
// and then locked; follow-ups recorded and replaced only with their etag;
// what the public reads; bad input that names its field and writes
// nothing; and the report, which renders though no other service answers:
// the meetings figures missing, the manual goals and the financial
// statement (budget 2022 and its outcome) present. Last, reports with the
// meetings service in-process and answering, also as PDF.
//
// The rules themselves (ValidatePlanContent, AsOfDay, EvaluateGoal, the
// rendering) are domain/plans.cc and domain/plan_report.cc, tested in
// finance_unit_test; here the API's part: names, etags, states, who sees
// what, events and audit records, and what it hands the domain.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "enamnd/finance/v1/events.pb.h"
#include "enamnd/finance/v1/finance.grpc.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/finance/api/service.h"
#include "services/meetings/api/service.h"
#include "services/platform/sha256.h"
#include "tests/finance/budget_builders.h"
#include "tests/support/builders.h"
#include "tests/support/committee.h"
#include "tests/support/database.h"
#include "tests/support/pdf_text.h"
#include "tests/support/principals.h"
#include "tests/support/service_fixture.h"

namespace enamnd::finance {
namespace {

using testing::Day;
using v1::Plan;
using v1::PlanFollowUp;
using Stub = v1::FinanceService::Stub;

constexpr char kNowhere[] = "127.0.0.1:1";

// The plan of `year`: the committee's meetings (counted by the meetings
// service) and a goal entered by hand.
v1::CreatePlanRequest PlanRequest(int year) {
  v1::CreatePlanRequest request;
  request.set_year(year);
  Plan* p = request.mutable_plan();
  p->set_title(absl::StrCat("Verksamhetsplan ", year));
  v1::Goal* meetings = p->add_goals();
  meetings->set_id("committee-meetings");
  meetings->set_kind(v1::Goal::KIND_INDICATOR);
  meetings->set_text("Nämnden sammanträder minst fyra gånger per år");
  meetings->set_measure(v1::MEASURE_MEETINGS_HELD);
  meetings->set_body("bodies/e-namnden");
  meetings->set_target(4);
  meetings->set_unit(v1::UNIT_COUNT);
  v1::Goal* trainings = p->add_goals();
  trainings->set_id("trainings");
  trainings->set_kind(v1::Goal::KIND_GOAL);
  trainings->set_text("Minst tre utbildningstillfällen för nämndens ledamöter");
  trainings->set_measure(v1::MEASURE_MANUAL);
  trainings->set_target(3);
  trainings->set_unit(v1::UNIT_COUNT);
  return request;
}

// The follow-up through `month`: the manual goal's value, a comment on the
// meetings goal.
PlanFollowUp FollowUp(const std::string& title) {
  PlanFollowUp f;
  f.set_title(title);
  f.add_summary()->set_text("Nämnden har arbetat enligt planen.");
  v1::GoalFollowUp* meetings = f.add_goals();
  meetings->set_goal("committee-meetings");
  meetings->add_comment()->set_text("Ett sammanträde har hållits, tre är planerade.");
  meetings->set_forecast_text("Prognosen är att målet kommer nås.");
  meetings->set_forecast(v1::OUTLOOK_WILL_BE_MET);
  v1::GoalFollowUp* trainings = f.add_goals();
  trainings->set_goal("trainings");
  trainings->set_value(2);
  trainings->set_forecast(v1::OUTLOOK_AT_RISK);
  f.add_outcome_notes("Vakant tjänst under våren");
  return f;
}

common::v1::CommitteeDecision Decision(int year, int month, int day) {
  common::v1::CommitteeDecision d;
  d.set_paragraph(
      absl::StrFormat("bodies/e-namnden/meetings/%04d-%02d-%02d/paragraphs/4", year, month, day));
  *d.mutable_meeting_date() = Day(year, month, day);
  d.set_case_number(absl::StrCat(year, "/3-2.2.0.1"));
  d.set_decision_kind("DECISION_KIND_ADOPT");
  d.set_decision_text("Nämnden antar verksamhetsplanen.");
  return d;
}

class PlanApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    finance_service_.Configure([](platform::ServerConfig* config) {
      config->today = absl::CivilDay(2022, 7, 8);
      // No other service answers: the report must render all the same.
      for (const char* peer : {"meetings", "contracts", "projects"}) config->peers[peer] = kNowhere;
    });
    ASSERT_TRUE(finance_service_.Start().ok());
    finance_ = finance_service_.runner();
    as_finance_ = finance_service_.StubAs(testing::kFinance);
  }
  void TearDown() override {
    as_finance_.reset();
    finance_service_.Stop();
  }

  template <typename Request, typename Response>
  grpc::Status Finance(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                    Response*),
                       const Request& request, Response* response) {
    return testing::Call(as_finance_.get(), method, request, response);
  }
  template <typename Request, typename Response>
  grpc::Status As(const std::string& principal,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response) {
    auto stub = finance_service_.StubAs(principal);
    return testing::Call(stub.get(), method, request, response);
  }

  Plan Create(const v1::CreatePlanRequest& request) {
    Plan out;
    grpc::Status status = Finance(&Stub::CreatePlan, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  Plan Adopt(const std::string& name, const common::v1::CommitteeDecision& decision) {
    v1::AdoptPlanRequest request;
    request.set_name(name);
    *request.mutable_decision() = decision;
    Plan out;
    grpc::Status status = Finance(&Stub::AdoptPlan, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  // The plan of `year` created and adopted (before the year begins).
  Plan AdoptedPlan(int year) {
    Create(PlanRequest(year));
    return Adopt(absl::StrCat("plans/", year), Decision(year - 1, 12, 16));
  }
  grpc::Status Record(const std::string& plan, int month, const PlanFollowUp& follow_up,
                      PlanFollowUp* out) {
    v1::RecordPlanFollowUpRequest request;
    request.set_plan(plan);
    request.set_through_month(month);
    *request.mutable_follow_up() = follow_up;
    return Finance(&Stub::RecordPlanFollowUp, request, out);
  }
  grpc::Status Render(const std::string& principal, const std::string& follow_up,
                      v1::RenderedPlanReport* out) {
    v1::RenderPlanReportRequest request;
    request.set_follow_up(follow_up);
    return As(principal, &Stub::RenderPlanReport, request, out);
  }
  // Budget 2022 (draft, or adopted by `adopted_by`) with two equal lines
  // and the outcome of January to May: income 1 792 400 kr, costs
  // 1 672 600 kr.
  void BudgetWithOutcome(int year, const common::v1::CommitteeDecision* adopted_by) {
    v1::CreateBudgetRequest create;
    create.set_year(year);
    create.mutable_budget()->set_title(absl::StrCat("Budget ", year));
    *create.mutable_budget()->add_lines() = EqualLine("basic-funding", 360'000'000, 360'000'000);
    *create.mutable_budget()->add_lines() = EqualLine("e-office", 143'400'000, 143'400'000);
    if (adopted_by != nullptr) *create.mutable_adopted_by() = *adopted_by;
    v1::Budget budget;
    grpc::Status created = Finance(&Stub::CreateBudget, create, &budget);
    ASSERT_TRUE(created.ok()) << created.error_message();
    for (int m = 1; m <= 6; ++m) {
      v1::RecordOutcomeRequest request;
      request.set_budget(absl::StrCat("budgets/", year));
      request.mutable_outcome()->set_month(m);
      auto add = [&](const std::string& line, int64_t income, int64_t cost) {
        AddAmounts(request.mutable_outcome()->mutable_lines(), line, income, cost);
      };
      add("basic-funding", 30'000'000, 25'000'000);
      if (m == 2) add("e-office", 0, 20'000'000);
      if (m == 3) add("e-office", 29'240'000, 0);
      if (m == 5) add("e-office", 0, 22'260'000);
      if (m == 6) add("e-office", 0, 99'000'000);  // after the follow-up's month
      v1::MonthlyOutcome out;
      grpc::Status recorded = Finance(&Stub::RecordOutcome, request, &out);
      ASSERT_TRUE(recorded.ok()) << recorded.error_message();
    }
  }

  int64_t EventCount(const std::string& type) {
    return testing::OutboxEvents(finance_->db(), "enamnd.finance.v1." + type);
  }
  int64_t AllEvents() { return Rows("outbox"); }
  int64_t Rows(const std::string& from) { return testing::CountRows(finance_->db(), from); }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  testing::InProcess<v1::FinanceService> finance_service_{
      "finance", NewFinanceService, dir_.path() + "/finance", redis_.address()};
  platform::ServerRunner* finance_ = nullptr;
  std::unique_ptr<Stub> as_finance_;
};

TEST_F(PlanApiTest, APlanCreatedChangedAdoptedAndThenLocked) {
  v1::CreatePlanRequest create = PlanRequest(2022);
  create.set_request_id("plan-2022");
  Plan p = Create(create);
  EXPECT_EQ(p.name(), "plans/2022");
  EXPECT_EQ(p.year(), 2022);
  EXPECT_EQ(p.title(), "Verksamhetsplan 2022");
  EXPECT_EQ(p.state(), Plan::STATE_DRAFT);
  ASSERT_EQ(p.goals_size(), 2);
  EXPECT_EQ(p.goals(0).body(), "bodies/e-namnden");
  EXPECT_EQ(p.etag(), "1");
  EXPECT_EQ(p.create_principal(), testing::kFinance);
  EXPECT_EQ(p.update_principal(), testing::kFinance);
  EXPECT_GT(p.create_time().seconds(), 0);
  EXPECT_EQ(p.update_time().seconds(), p.create_time().seconds());
  // A retry with the same request_id returns the plan made; nothing new.
  Plan again = Create(create);
  EXPECT_EQ(again.name(), "plans/2022");
  EXPECT_EQ(again.etag(), "1");
  EXPECT_EQ(EventCount("PlanChanged"), 1);
  // Without it, the year is taken.
  create.set_request_id("");
  EXPECT_EQ(Finance(&Stub::CreatePlan, create, &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  // Every staff reader reads the draft; the public is refused it.
  v1::GetPlanRequest get;
  get.set_name("plans/2022");
  for (const char* reader : {testing::kFinance, testing::kSecretary, testing::kAuditor2584}) {
    Plan read;
    grpc::Status status = As(reader, &Stub::GetPlan, get, &read);
    ASSERT_TRUE(status.ok()) << reader << ": " << status.error_message();
    EXPECT_EQ(read.etag(), "1");
    EXPECT_EQ(read.goals_size(), 2);
  }
  Plan read;
  grpc::Status refused = As(testing::kPublicReader, &Stub::GetPlan, get, &read);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "plans/2022")) << refused.error_message();

  // Changed with its etag; a stale etag is refused.
  v1::UpdatePlanRequest update;
  update.mutable_plan()->set_name("plans/2022");
  update.mutable_plan()->set_title("Verksamhetsplan 2022, reviderad");
  update.mutable_plan()->set_etag("1");
  update.mutable_update_mask()->add_paths("title");
  Plan changed;
  ASSERT_TRUE(Finance(&Stub::UpdatePlan, update, &changed).ok());
  EXPECT_EQ(changed.title(), "Verksamhetsplan 2022, reviderad");
  EXPECT_EQ(changed.etag(), "2");
  EXPECT_EQ(changed.goals_size(), 2);  // not in the mask: kept
  EXPECT_EQ(changed.create_principal(), testing::kFinance);
  EXPECT_EQ(Finance(&Stub::UpdatePlan, update, &changed).error_code(), grpc::StatusCode::ABORTED);
  // The goals replaced whole.
  update.mutable_plan()->clear_etag();
  update.mutable_update_mask()->set_paths(0, "goals");
  *update.mutable_plan()->add_goals() = PlanRequest(2022).plan().goals(1);
  ASSERT_TRUE(Finance(&Stub::UpdatePlan, update, &changed).ok());
  ASSERT_EQ(changed.goals_size(), 1);
  EXPECT_EQ(changed.goals(0).id(), "trainings");
  EXPECT_EQ(changed.title(), "Verksamhetsplan 2022, reviderad");
  EXPECT_EQ(changed.etag(), "3");
  EXPECT_EQ(EventCount("PlanChanged"), 3);

  // Adopted by the committee's decision, with the etag it was read at.
  v1::AdoptPlanRequest adopt;
  adopt.set_name("plans/2022");
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  adopt.set_etag("2");
  Plan adopted;
  EXPECT_EQ(Finance(&Stub::AdoptPlan, adopt, &adopted).error_code(), grpc::StatusCode::ABORTED);
  adopt.set_etag("3");
  ASSERT_TRUE(Finance(&Stub::AdoptPlan, adopt, &adopted).ok());
  EXPECT_EQ(adopted.state(), Plan::STATE_ADOPTED);
  EXPECT_EQ(adopted.adopted_by().paragraph(), "bodies/e-namnden/meetings/2021-12-16/paragraphs/4");
  EXPECT_EQ(adopted.adopted_by().case_number(), "2021/3-2.2.0.1");
  EXPECT_EQ(adopted.etag(), "4");
  EXPECT_EQ(EventCount("PlanAdopted"), 1);
  ASSERT_TRUE(As(testing::kPublicReader, &Stub::GetPlan, get, &read).ok());
  EXPECT_EQ(read.state(), Plan::STATE_ADOPTED);
  EXPECT_EQ(read.title(), "Verksamhetsplan 2022, reviderad");

  // Locked: no change, no second adoption; nothing written.
  const int64_t events = AllEvents();
  update.mutable_update_mask()->set_paths(0, "title");
  grpc::Status locked = Finance(&Stub::UpdatePlan, update, &changed);
  EXPECT_EQ(locked.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(locked.error_message(), "an adopted plan is locked"))
      << locked.error_message();
  adopt.clear_etag();
  EXPECT_EQ(Finance(&Stub::AdoptPlan, adopt, &adopted).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(AllEvents(), events);
  ASSERT_TRUE(Finance(&Stub::GetPlan, get, &read).ok());
  EXPECT_EQ(read.etag(), "4");
}

TEST_F(PlanApiTest, TheEventsCarryThePlanAsStored) {
  Plan p = Create(PlanRequest(2022));
  Adopt("plans/2022", Decision(2021, 12, 16));
  PlanFollowUp recorded;
  ASSERT_TRUE(Record("plans/2022", 5, FollowUp("Delårsrapport 2022"), &recorded).ok());
  auto tx = finance_->db()->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto rows = tx->Query("SELECT type, subject FROM outbox ORDER BY sequence");
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<std::string> seen;
  for (const platform::Row& row : *rows) seen.push_back(row.Text(0) + " " + row.Text(1));
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "enamnd.finance.v1.PlanChanged plans/2022",
                      "enamnd.finance.v1.PlanAdopted plans/2022",
                      "enamnd.finance.v1.PlanFollowUpRecorded plans/2022/follow-ups/5",
                  }));
  EXPECT_EQ(p.etag(), "1");
}

TEST_F(PlanApiTest, FollowUpsOfAnAdoptedPlanReplacedOnlyWithTheirEtag) {
  // A draft is not followed up.
  Create(PlanRequest(2022));
  PlanFollowUp f;
  grpc::Status draft = Record("plans/2022", 5, FollowUp("Delårsrapport 2022"), &f);
  EXPECT_EQ(draft.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << draft.error_message();
  EXPECT_EQ(Record("plans/2021", 5, FollowUp("x"), &f).error_code(), grpc::StatusCode::NOT_FOUND);
  Adopt("plans/2022", Decision(2021, 12, 16));

  // Through May: counted to the month's last day unless a later day is given.
  PlanFollowUp given = FollowUp("Delårsrapport 2022");
  given.set_name("plans/1999/follow-ups/1");  // ignored
  given.set_through_month(9);                 // ignored
  ASSERT_TRUE(Record("plans/2022", 5, given, &f).ok());
  EXPECT_EQ(f.name(), "plans/2022/follow-ups/5");
  EXPECT_EQ(f.through_month(), 5);
  EXPECT_EQ(f.as_of_date().year(), 2022);
  EXPECT_EQ(f.as_of_date().month(), 5);
  EXPECT_EQ(f.as_of_date().day(), 31);
  EXPECT_EQ(f.etag(), "1");
  EXPECT_EQ(f.update_principal(), testing::kFinance);
  ASSERT_EQ(f.goals_size(), 2);
  EXPECT_EQ(f.goals(1).value(), 2);
  ASSERT_EQ(f.outcome_notes_size(), 1);

  // Recorded: replacing it takes its etag; without one, or with another,
  // the call is refused and nothing changes.
  given.set_title("Delårsrapport januari-maj 2022");
  *given.mutable_as_of_date() = Day(2022, 6, 21);
  EXPECT_EQ(Record("plans/2022", 5, given, &f).error_code(), grpc::StatusCode::ABORTED);
  given.set_etag("7");
  EXPECT_EQ(Record("plans/2022", 5, given, &f).error_code(), grpc::StatusCode::ABORTED);
  v1::GetPlanFollowUpRequest get;
  get.set_name("plans/2022/follow-ups/5");
  PlanFollowUp read;
  ASSERT_TRUE(Finance(&Stub::GetPlanFollowUp, get, &read).ok());
  EXPECT_EQ(read.title(), "Delårsrapport 2022");
  EXPECT_EQ(read.etag(), "1");
  given.set_etag("1");
  ASSERT_TRUE(Record("plans/2022", 5, given, &f).ok());
  EXPECT_EQ(f.etag(), "2");
  EXPECT_EQ(f.title(), "Delårsrapport januari-maj 2022");
  EXPECT_EQ(f.as_of_date().month(), 6);
  EXPECT_EQ(f.as_of_date().day(), 21);
  // A month not yet recorded takes no etag.
  given.set_etag("2");
  given.clear_as_of_date();
  EXPECT_EQ(Record("plans/2022", 6, given, &f).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Rows("plan_follow_ups"), 1);
  EXPECT_EQ(EventCount("PlanFollowUpRecorded"), 2);

  // The public reads the follow-ups of adopted plans.
  ASSERT_TRUE(As(testing::kPublicReader, &Stub::GetPlanFollowUp, get, &read).ok());
  EXPECT_EQ(read.etag(), "2");
  EXPECT_EQ(read.as_of_date().day(), 21);
  get.set_name("plans/2022/follow-ups/6");
  grpc::Status missing = As(testing::kPublicReader, &Stub::GetPlanFollowUp, get, &read);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(missing.error_message(), "plans/2022/follow-ups/6"));
}

TEST_F(PlanApiTest, ExactlyThePlanRolesWrite) {
  v1::CreatePlanRequest create = PlanRequest(2022);
  const int64_t events = AllEvents();
  Plan out;
  for (const char* reader : {testing::kSecretary, testing::kAuditor2584, testing::kPublicReader,
                             testing::kCoordinator}) {
    EXPECT_EQ(As(reader, &Stub::CreatePlan, create, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << reader;
  }
  EXPECT_EQ(Rows("plans"), 0);
  EXPECT_EQ(AllEvents(), events);
}

TEST_F(PlanApiTest, BadInputNamesTheFieldAndWritesNothing) {
  Create(PlanRequest(2022));
  Create(PlanRequest(2021));
  Adopt("plans/2021", Decision(2020, 12, 10));
  PlanFollowUp recorded;
  ASSERT_TRUE(Record("plans/2021", 12, FollowUp("Årsredovisning 2021"), &recorded).ok());
  const int64_t events = AllEvents();
  const int64_t audit_records = finance_service_.AuditRecordCount();
  const int64_t requests = Rows("request_ids");
  Plan p;

  // CreatePlan.
  v1::CreatePlanRequest create = PlanRequest(2023);
  create.set_year(1999);
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePlan, create, &p), "year");
  create.set_year(2101);
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePlan, create, &p), "year");
  create.set_year(2023);
  create.mutable_plan()->set_year(2024);
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePlan, create, &p), "plan.year");
  create = PlanRequest(2023);
  create.set_request_id(std::string(129, 'x'));
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePlan, create, &p), "request_id");
  create = PlanRequest(2023);
  create.set_request_id("plan-2023");
  create.mutable_plan()->clear_title();
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePlan, create, &p), "plan.title");
  create.mutable_plan()->set_title("Verksamhetsplan 2023");
  create.mutable_plan()->clear_goals();
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePlan, create, &p), "plan.goals");
  create = PlanRequest(2023);
  create.mutable_plan()->mutable_goals(1)->set_measure(v1::MEASURE_UNSPECIFIED);
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePlan, create, &p), "plan.goals[1].measure");

  // GetPlan.
  v1::GetPlanRequest get;
  get.set_name("plan/2022");
  EXPECT_INVALID_FIELD(Finance(&Stub::GetPlan, get, &p), "name");
  get.set_name("plans/2030");
  grpc::Status none = Finance(&Stub::GetPlan, get, &p);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(none.error_message(), "plans/2030")) << none.error_message();

  // UpdatePlan.
  v1::UpdatePlanRequest update;
  update.mutable_plan()->set_name("plans/2022");
  update.mutable_plan()->set_title("Ny");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdatePlan, update, &p), "update_mask");
  update.mutable_update_mask()->add_paths("state");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdatePlan, update, &p), "update_mask");
  update.mutable_update_mask()->set_paths(0, "title");
  update.mutable_plan()->set_name("plans/x");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdatePlan, update, &p), "plan.name");
  update.mutable_plan()->set_name("plans/2022");
  update.mutable_plan()->clear_title();
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdatePlan, update, &p), "plan.title");
  update.mutable_update_mask()->set_paths(0, "goals");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdatePlan, update, &p), "plan.goals");
  update.mutable_plan()->set_name("plans/2030");
  EXPECT_EQ(Finance(&Stub::UpdatePlan, update, &p).error_code(), grpc::StatusCode::NOT_FOUND);

  // AdoptPlan: the decision's paragraph, day and case number, a day that
  // has come.
  v1::AdoptPlanRequest adopt;
  adopt.set_name("plans/2022");
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  adopt.mutable_decision()->clear_paragraph();
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision.paragraph");
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  adopt.mutable_decision()->clear_case_number();
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision.case_number");
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  adopt.mutable_decision()->clear_meeting_date();
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision.meeting_date");
  *adopt.mutable_decision() = Decision(2022, 7, 9);  // today is 2022-07-08
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision.meeting_date");
  *adopt.mutable_decision()->mutable_meeting_date() = Day(2022, 2, 30);
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision.meeting_date");
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  adopt.mutable_decision()->set_decision_kind("DECISION_KIND_REJECT");
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision.decision_kind");
  // A decision given by hand has no event behind it and no legal force.
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  adopt.mutable_decision()->set_event_id("17");
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision");
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  *adopt.mutable_decision()->mutable_legal_force_date() = Day(2022, 1, 20);
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "decision");
  *adopt.mutable_decision() = Decision(2021, 12, 16);
  adopt.set_name("plans/22");
  EXPECT_INVALID_FIELD(Finance(&Stub::AdoptPlan, adopt, &p), "name");
  adopt.set_name("plans/2030");
  EXPECT_EQ(Finance(&Stub::AdoptPlan, adopt, &p).error_code(), grpc::StatusCode::NOT_FOUND);

  // RecordPlanFollowUp.
  PlanFollowUp f;
  v1::RecordPlanFollowUpRequest record;
  record.set_plan("plans/2021");
  record.set_through_month(13);
  *record.mutable_follow_up() = FollowUp("Delårsrapport 2021");
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "through_month");
  record.set_through_month(0);
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "through_month");
  record.set_through_month(5);
  record.set_plan("plans/2021/follow-ups/5");
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "plan");
  record.set_plan("plans/2021");
  *record.mutable_follow_up()->mutable_as_of_date() = Day(2021, 2, 30);
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "follow_up.as_of_date");
  *record.mutable_follow_up()->mutable_as_of_date() = Day(2021, 5, 30);  // before May ends
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "follow_up.as_of_date");
  *record.mutable_follow_up()->mutable_as_of_date() = Day(2022, 7, 9);  // after today
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "follow_up.as_of_date");
  record.mutable_follow_up()->clear_as_of_date();
  record.mutable_follow_up()->clear_title();
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "follow_up.title");
  *record.mutable_follow_up() = FollowUp("Delårsrapport 2021");
  record.mutable_follow_up()->mutable_goals(1)->set_goal("nothing");
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordPlanFollowUp, record, &f), "follow_up.goals[1].goal");
  // July 2022 has not ended on 8 July.
  *record.mutable_follow_up() = FollowUp("Delårsrapport 2022");
  record.set_plan("plans/2022");
  record.set_through_month(7);
  EXPECT_EQ(Finance(&Stub::RecordPlanFollowUp, record, &f).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // GetPlanFollowUp and RenderPlanReport.
  v1::GetPlanFollowUpRequest get_follow_up;
  get_follow_up.set_name("plans/2021/follow-ups/13");
  EXPECT_INVALID_FIELD(Finance(&Stub::GetPlanFollowUp, get_follow_up, &f), "name");
  get_follow_up.set_name("plans/2030/follow-ups/5");
  EXPECT_EQ(Finance(&Stub::GetPlanFollowUp, get_follow_up, &f).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::RenderedPlanReport report;
  EXPECT_INVALID_FIELD(Render(testing::kFinance, "plans/2021", &report), "follow_up");
  EXPECT_INVALID_FIELD(Render(testing::kFinance, "", &report), "follow_up");
  grpc::Status no_plan = Render(testing::kFinance, "plans/2030/follow-ups/5", &report);
  EXPECT_EQ(no_plan.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(no_plan.error_message(), "plans/2030")) << no_plan.error_message();
  grpc::Status no_follow_up = Render(testing::kPublicReader, "plans/2021/follow-ups/5", &report);
  EXPECT_EQ(no_follow_up.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(no_follow_up.error_message(), "follow-up plans/2021/follow-ups/5"))
      << no_follow_up.error_message();

  EXPECT_EQ(AllEvents(), events);
  EXPECT_EQ(finance_service_.AuditRecordCount(), audit_records);
  EXPECT_EQ(Rows("request_ids"), requests);
  EXPECT_EQ(Rows("plans"), 2);
  EXPECT_EQ(Rows("plan_follow_ups"), 1);
  ASSERT_TRUE(Finance(&Stub::GetPlan, get, &p).error_code() == grpc::StatusCode::NOT_FOUND);
  get.set_name("plans/2022");
  ASSERT_TRUE(Finance(&Stub::GetPlan, get, &p).ok());
  EXPECT_EQ(p.etag(), "1");
  EXPECT_EQ(p.state(), Plan::STATE_DRAFT);
}

TEST_F(PlanApiTest, TheReportRendersThoughNoOtherServiceAnswers) {
  ASSERT_NO_FATAL_FAILURE(BudgetWithOutcome(2022, nullptr));
  AdoptedPlan(2022);
  PlanFollowUp f;
  ASSERT_TRUE(Record("plans/2022", 5, FollowUp("Delårsrapport 2022"), &f).ok());
  const int64_t events = AllEvents();

  v1::RenderedPlanReport report;
  const absl::Time before = absl::Now();
  grpc::Status rendered = Render(testing::kFinance, "plans/2022/follow-ups/5", &report);
  ASSERT_TRUE(rendered.ok()) << rendered.error_message();
  EXPECT_LT(absl::Now() - before, absl::Seconds(8));  // within the fetch's deadline, and some
  EXPECT_EQ(report.follow_up(), "plans/2022/follow-ups/5");
  EXPECT_EQ(report.title(), "Delårsrapport 2022");
  EXPECT_FALSE(report.complete());
  EXPECT_GT(report.render_time().seconds(), 0);
  EXPECT_FALSE(report.markdown().empty());
  EXPECT_FALSE(report.html().empty());

  // Every goal of the plan in order, with what the committee wrote.
  ASSERT_EQ(report.goals_size(), 2);
  const v1::GoalReport& meetings = report.goals(0);
  EXPECT_EQ(meetings.goal().id(), "committee-meetings");
  EXPECT_EQ(meetings.follow_up().forecast(), v1::OUTLOOK_WILL_BE_MET);
  ASSERT_GE(meetings.figures_size(), 1);
  EXPECT_TRUE(meetings.figures(0).missing());
  EXPECT_EQ(meetings.computed_outlook(), v1::OUTLOOK_UNSPECIFIED);
  const v1::GoalReport& trainings = report.goals(1);
  EXPECT_EQ(trainings.goal().id(), "trainings");
  EXPECT_EQ(trainings.follow_up().value(), 2);
  ASSERT_GE(trainings.figures_size(), 1);
  EXPECT_FALSE(trainings.figures(0).missing());
  EXPECT_EQ(trainings.figures(0).value(), 2);
  EXPECT_EQ(trainings.figures(0).source(), "plans/2022/follow-ups/5");

  // The meetings service is reported down (the plan needs nothing else).
  bool meetings_reported = false;
  for (const v1::SourceStatus& s : report.sources()) {
    if (s.service() != "meetings") continue;
    meetings_reported = true;
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(s.error().empty());
  }
  EXPECT_TRUE(meetings_reported);

  // The financial statement through May from the service's own tables
  // (June's outcome left out): as GetFinancialReport gives it.
  EXPECT_TRUE(report.financial_statement_missing().empty()) << report.financial_statement_missing();
  const v1::FinancialReport& statement = report.financial_statement();
  EXPECT_EQ(statement.budget(), "budgets/2022");
  EXPECT_EQ(statement.through_month(), 5);
  EXPECT_EQ(statement.total().outcome().income_tkr(), 1792);
  EXPECT_EQ(statement.total().outcome().cost_tkr(), 1673);
  EXPECT_EQ(statement.total().budget().cost_tkr(), 5034);
  v1::GetFinancialReportRequest direct;
  direct.set_budget("budgets/2022");
  direct.set_through_month(5);
  v1::FinancialReport expected;
  ASSERT_TRUE(Finance(&Stub::GetFinancialReport, direct, &expected).ok());
  EXPECT_EQ(statement.SerializeAsString(), expected.SerializeAsString());

  // Rendering writes nothing.
  EXPECT_EQ(AllEvents(), events);
}

TEST_F(PlanApiTest, ThePublicRendersAnAdoptedPlansReportWithAnAdoptedBudgetOnly) {
  // 2022: the budget is a draft, which the public does not see.
  ASSERT_NO_FATAL_FAILURE(BudgetWithOutcome(2022, nullptr));
  AdoptedPlan(2022);
  PlanFollowUp f;
  ASSERT_TRUE(Record("plans/2022", 5, FollowUp("Delårsrapport 2022"), &f).ok());
  v1::RenderedPlanReport report;
  grpc::Status rendered = Render(testing::kPublicReader, "plans/2022/follow-ups/5", &report);
  ASSERT_TRUE(rendered.ok()) << rendered.error_message();
  EXPECT_EQ(report.goals_size(), 2);
  EXPECT_FALSE(report.has_financial_statement());
  EXPECT_EQ(report.financial_statement_missing(), "ingen antagen budget för 2022");
  // Staff see the draft's figures.
  ASSERT_TRUE(Render(testing::kAuditor2584, "plans/2022/follow-ups/5", &report).ok());
  EXPECT_TRUE(report.has_financial_statement());
  EXPECT_TRUE(report.financial_statement_missing().empty());

  // 2021: adopted, so the public reads its statement.
  common::v1::CommitteeDecision budget_decision = Decision(2020, 12, 10);
  ASSERT_NO_FATAL_FAILURE(BudgetWithOutcome(2021, &budget_decision));
  AdoptedPlan(2021);
  ASSERT_TRUE(Record("plans/2021", 5, FollowUp("Delårsrapport 2021"), &f).ok());
  ASSERT_TRUE(Render(testing::kPublicReader, "plans/2021/follow-ups/5", &report).ok());
  EXPECT_TRUE(report.financial_statement_missing().empty());
  EXPECT_EQ(report.financial_statement().budget(), "budgets/2021");
  EXPECT_EQ(report.financial_statement().total().outcome().cost_tkr(), 1673);

  // 2020: no budget at all.
  AdoptedPlan(2020);
  ASSERT_TRUE(Record("plans/2020", 12, FollowUp("Årsredovisning 2020"), &f).ok());
  ASSERT_TRUE(Render(testing::kPublicReader, "plans/2020/follow-ups/12", &report).ok());
  EXPECT_FALSE(report.has_financial_statement());
  EXPECT_EQ(report.financial_statement_missing(), "ingen budget för 2020");
}

// The same with the meetings service in-process and answering: the test
// committee (tests/support/committee.h) has held one meeting in 2022, on 22
// June, with both of its seats present.
class PlanReportWithMeetingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(meetings_service_.Start().ok());
    ASSERT_TRUE(testing::SeedCommittee(meetings_service_.stub()));
    const std::string meetings = meetings_service_.address();
    finance_service_.Configure([meetings](platform::ServerConfig* config) {
      config->today = absl::CivilDay(2022, 7, 8);
      config->peers["meetings"] = meetings;
      config->peers["contracts"] = kNowhere;
      config->peers["projects"] = kNowhere;
    });
    ASSERT_TRUE(finance_service_.Start().ok());
    as_finance_ = finance_service_.StubAs(testing::kFinance);
  }
  void TearDown() override {
    as_finance_.reset();
    finance_service_.Stop();
    meetings_service_.Stop();
  }

  // Plan 2022 (PlanRequest and an attendance indicator) adopted, and its
  // follow-up through June recorded.
  void RecordJune() {
    v1::CreatePlanRequest create = PlanRequest(2022);
    v1::Goal* attendance = create.mutable_plan()->add_goals();
    attendance->set_id("attendance");
    attendance->set_kind(v1::Goal::KIND_INDICATOR);
    attendance->set_text("Minst 75 % av ledamöterna närvarar vid sammanträdena");
    attendance->set_measure(v1::MEASURE_ATTENDANCE_AVERAGE);
    attendance->set_body("bodies/e-namnden");
    attendance->set_target(75);
    attendance->set_unit(v1::UNIT_PERCENT);
    Plan plan;
    grpc::Status status = testing::Call(as_finance_.get(), &Stub::CreatePlan, create, &plan);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::AdoptPlanRequest adopt;
    adopt.set_name("plans/2022");
    *adopt.mutable_decision() = Decision(2021, 12, 16);
    ASSERT_TRUE(testing::Call(as_finance_.get(), &Stub::AdoptPlan, adopt, &plan).ok());
    v1::RecordPlanFollowUpRequest record;
    record.set_plan("plans/2022");
    record.set_through_month(6);
    *record.mutable_follow_up() = FollowUp("Delårsrapport 2022");
    PlanFollowUp f;
    status = testing::Call(as_finance_.get(), &Stub::RecordPlanFollowUp, record, &f);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  testing::InProcess<meetings::v1::MeetingsService> meetings_service_{
      "meetings", meetings::NewMeetingsService, dir_.path() + "/meetings", redis_.address()};
  testing::InProcess<v1::FinanceService> finance_service_{
      "finance", NewFinanceService, dir_.path() + "/finance", redis_.address()};
  std::unique_ptr<Stub> as_finance_;
};

TEST_F(PlanReportWithMeetingsTest, TheMeetingsFiguresComeFromTheMeetingsService) {
  ASSERT_NO_FATAL_FAILURE(RecordJune());
  v1::RenderPlanReportRequest render;
  render.set_follow_up("plans/2022/follow-ups/6");
  v1::RenderedPlanReport report;
  auto reader = finance_service_.StubAs(testing::kPublicReader);
  grpc::Status status = testing::Call(reader.get(), &Stub::RenderPlanReport, render, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(report.complete());
  ASSERT_EQ(report.goals_size(), 3);
  const v1::GoalReport& held = report.goals(0);
  ASSERT_GE(held.figures_size(), 1);
  EXPECT_FALSE(held.figures(0).missing()) << held.figures(0).missing_reason();
  EXPECT_EQ(held.figures(0).value(), 1);
  EXPECT_TRUE(absl::StartsWith(held.figures(0).source(), "//meetings/bodies/e-namnden"))
      << held.figures(0).source();
  const v1::GoalReport& present = report.goals(2);
  ASSERT_GE(present.figures_size(), 1);
  EXPECT_FALSE(present.figures(0).missing()) << present.figures(0).missing_reason();
  EXPECT_EQ(present.figures(0).percent(), 100);
  EXPECT_EQ(present.computed_outlook(), v1::OUTLOOK_WILL_BE_MET);
  bool meetings_ok = false;
  for (const v1::SourceStatus& s : report.sources()) {
    if (s.service() == "meetings") meetings_ok = s.ok() && s.calls() > 0;
  }
  EXPECT_TRUE(meetings_ok);
  EXPECT_EQ(report.financial_statement_missing(), "ingen budget för 2022");
}

// The report as PDF: read back with pdftotext it has the follow-up's texts
// and the goals' names, and the same records give the same bytes though the
// figures are read again (their read times are left out).
TEST_F(PlanReportWithMeetingsTest, ThePdfSaysWhatTheReportSays) {
  ASSERT_NO_FATAL_FAILURE(RecordJune());
  v1::RenderPlanReportRequest render;
  render.set_follow_up("plans/2022/follow-ups/6");
  render.set_format(common::v1::DOCUMENT_FORMAT_PDF);
  auto reader = finance_service_.StubAs(testing::kPublicReader);
  v1::RenderedPlanReport first;
  grpc::Status status = testing::Call(reader.get(), &Stub::RenderPlanReport, render, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(first.complete());
  EXPECT_TRUE(first.markdown().empty());
  EXPECT_TRUE(first.html().empty());
  const common::v1::RenderedFile& pdf = first.pdf();
  EXPECT_EQ(pdf.media_type(), "application/pdf");
  EXPECT_EQ(pdf.file_name(), "delarsrapport-2022-06-30.pdf");
  EXPECT_TRUE(absl::StartsWith(pdf.content(), "%PDF-"));
  EXPECT_EQ(pdf.sha256(), platform::Sha256Hex(pdf.content()));

  const std::string text = testing::PdfText(pdf.content());
  const v1::CreatePlanRequest plan = PlanRequest(2022);
  std::vector<std::string> verbatim = {"Nämnden har arbetat enligt planen.",
                                       "Ett sammanträde har hållits, tre är planerade.",
                                       "Prognosen är att målet kommer nås.",
                                       "Vakant tjänst under våren",
                                       "Minst 75 % av ledamöterna närvarar vid sammanträdena",
                                       "Måluppföljning",
                                       "Ekonomisk redovisning saknas: ingen budget för 2022",
                                       "NORRBOTTENS E-NÄMND",
                                       "DELÅRSRAPPORT",
                                       "2022-06-30",
                                       "Sida 1 av"};
  for (const v1::Goal& goal : plan.plan().goals()) verbatim.push_back(goal.text());
  for (const std::string& part : verbatim) {
    EXPECT_TRUE(absl::StrContains(text, testing::OneSpaced(part))) << part << "\n" << text;
  }

  v1::RenderedPlanReport second;
  ASSERT_TRUE(testing::Call(reader.get(), &Stub::RenderPlanReport, render, &second).ok());
  EXPECT_EQ(second.pdf().sha256(), pdf.sha256());
  EXPECT_TRUE(second.pdf().content() == pdf.content());

  // One format alone; unspecified is both, as before.
  v1::RenderedPlanReport one;
  render.set_format(common::v1::DOCUMENT_FORMAT_HTML);
  ASSERT_TRUE(testing::Call(reader.get(), &Stub::RenderPlanReport, render, &one).ok());
  EXPECT_TRUE(one.markdown().empty());
  EXPECT_TRUE(absl::StartsWith(one.html(), "<!DOCTYPE html>"));
  EXPECT_FALSE(one.has_pdf());
  render.set_format(common::v1::DOCUMENT_FORMAT_TEXT);
  ASSERT_TRUE(testing::Call(reader.get(), &Stub::RenderPlanReport, render, &one).ok());
  EXPECT_TRUE(absl::StartsWith(one.markdown(), "# Delårsrapport 2022")) << one.markdown();
  EXPECT_TRUE(one.html().empty());
  render.clear_format();
  ASSERT_TRUE(testing::Call(reader.get(), &Stub::RenderPlanReport, render, &one).ok());
  EXPECT_FALSE(one.markdown().empty());
  EXPECT_FALSE(one.html().empty());
  EXPECT_FALSE(one.has_pdf());

  render.set_format(static_cast<common::v1::DocumentFormat>(9));
  EXPECT_INVALID_FIELD(testing::Call(reader.get(), &Stub::RenderPlanReport, render, &one),
                       "format");
}

}  // namespace
}  // namespace enamnd::finance
