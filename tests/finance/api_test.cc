// Stories over the finance service's budget side, in-process with the
// meetings service that registers the 14 members and decides about
// //finance/budgets/{year}: a budget created, uprated by an index, changed,
// adopted by the committee and revised; a budget created after its decision;
// outcome, forecast and report (Jan-May 2022 of DOMAIN.md); cost shares by
// population over the members and by participation (from a projects
// event); the roles; bad input that writes nothing.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "enamnd/finance/v1/events.pb.h"
#include "enamnd/finance/v1/finance.grpc.pb.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "enamnd/meetings/v1/meetings.grpc.pb.h"
#include "enamnd/projects/v1/events.pb.h"
#include "gtest/gtest.h"
#include "services/finance/api/finance_api.h"
#include "services/finance/api/service.h"
#include "services/finance/domain/allocation.h"
#include "services/meetings/api/service.h"
#include "services/platform/api_util.h"
#include "tests/finance/budget_builders.h"
#include "tests/support/builders.h"
#include "tests/support/committee.h"
#include "tests/support/database.h"
#include "tests/support/members.h"
#include "tests/support/principals.h"
#include "tests/support/service_fixture.h"

namespace enamnd::finance {
namespace {

using testing::Day;
using v1::Budget;
using Stub = v1::FinanceService::Stub;

// The members and their inhabitants on 31 Dec 2023 (DOMAIN.md).
const std::map<std::string, int64_t>& Population2023() {
  static const auto* population = new std::map<std::string, int64_t>{
      {"2505", 6'113},  {"2506", 2'609},  {"2510", 4'728},  {"2513", 3'162}, {"2514", 15'547},
      {"2518", 4'088},  {"2521", 5'871},  {"2523", 17'330}, {"2560", 7'783}, {"2580", 79'352},
      {"2581", 42'344}, {"2582", 27'943}, {"2583", 9'177},  {"2584", 22'433}};
  return *population;
}

std::vector<std::string> Codes() {
  std::vector<std::string> codes;
  for (const auto& [code, n] : Population2023()) codes.push_back(code);
  return codes;
}

// A line shared by the population on 31 Dec 2023.
v1::BudgetLine Line(const std::string& id, Ore income, Ore cost) {
  v1::BudgetLine line = EqualLine(id, income, cost);
  line.mutable_allocation()->mutable_population()->set_population_figures(
      "population-figures/2023-12-31");
  return line;
}

// Budget 2022: 5 034 tkr of costs over two lines.
v1::CreateBudgetRequest Budget2022Request() {
  v1::CreateBudgetRequest request;
  request.set_year(2022);
  request.set_request_id("budget-2022");
  Budget* b = request.mutable_budget();
  b->set_title("Budget 2022");
  *b->add_lines() = Line("basic-funding", 360'000'000, 360'000'000);
  *b->add_lines() = EqualLine("e-office", 143'400'000, 143'400'000);
  b->add_comments("Budget 2022 antagen 2021-12-16");
  return request;
}

class FinanceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    finance_service_.Configure(
        [](platform::ServerConfig* config) { config->today = absl::CivilDay(2022, 7, 8); });
    ASSERT_TRUE(meetings_service_.Start().ok());
    ASSERT_TRUE(finance_service_.Start().ok());
    finance_ = finance_service_.runner();
    meetings_stub_ = meetings_service_.stub();
    as_finance_ = finance_service_.StubAs(testing::kFinance);
  }
  void TearDown() override {
    as_finance_.reset();
    finance_service_.Stop();
    meetings_service_.Stop();
  }

  // The committee with the 14 members and a case about `subject`; waits
  // until the finance service knows the members.
  void SeedCommittee(const std::string& subject) {
    testing::CommitteeSeed seed;
    seed.municipality_codes = Codes();
    seed.case_title = "Budget";
    seed.case_subject = subject;
    ASSERT_TRUE(testing::SeedCommittee(meetings_stub_, seed));
    testing::AwaitMembers(
        Codes(),
        [&](const std::string& code) {
          return Rows(absl::StrCat("members WHERE code = '", code, "'")) == 1;
        },
        "the finance service");
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

  Budget CreateBudget(const v1::CreateBudgetRequest& request) {
    Budget out;
    grpc::Status status = Finance(&Stub::CreateBudget, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  Budget Get(const std::string& name, const std::string& principal = testing::kFinance) {
    v1::GetBudgetRequest request;
    request.set_name(name);
    Budget out;
    grpc::Status status = As(principal, &Stub::GetBudget, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  // Polls until the budget is in `state` (decisions arrive as events).
  Budget AwaitState(const std::string& name, Budget::State state) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    Budget b = Get(name);
    while (b.state() != state && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
      b = Get(name);
    }
    EXPECT_EQ(b.state(), state) << name;
    return b;
  }
  void CreateAki() {
    v1::CreateIndexSeriesRequest request;
    request.set_index_series_id("aki");
    request.set_request_id("aki");
    v1::IndexSeries* s = request.mutable_index_series();
    s->set_display_name("Arbetskostnadsindex (AKI)");
    // AKI-like levels (invented): 2022 -> 2023 is +2.6 %.
    for (auto [year, value] : {std::pair{2022, 112'300}, {2023, 115'220}}) {
      v1::IndexFigure* f = s->add_figures();
      f->set_year(year);
      f->set_value_thousandths(value);
      f->set_source("SCB, Arbetskostnadsindex för tjänstemän (invented for the test)");
      f->set_reference_period(absl::StrCat(year, "M03"));
    }
    v1::IndexSeries out;
    ASSERT_TRUE(Finance(&Stub::CreateIndexSeries, request, &out).ok());
  }
  void CreatePopulation() {
    v1::CreatePopulationFiguresRequest request;
    request.set_request_id("population-2023");
    v1::PopulationFigures* f = request.mutable_population_figures();
    *f->mutable_reference_date() = Day(2023, 12, 31);
    f->set_source("SCB, folkmängd 31 december 2023");
    for (const auto& [code, n] : Population2023()) {
      v1::MunicipalityPopulation* e = f->add_entries();
      e->set_municipality("municipalities/" + code);
      e->set_inhabitants(n);
    }
    v1::PopulationFigures out;
    grpc::Status status = Finance(&Stub::CreatePopulationFigures, request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(out.total(), 248'480);
  }
  meetings::v1::Paragraph Decide(meetings::v1::DecisionKind kind) {
    return testing::Decide(meetings_stub_, "Nämnden godkänner budgeten", kind);
  }

  int64_t EventCount(const std::string& type) {
    return testing::OutboxEvents(finance_->db(), "enamnd.finance.v1." + type);
  }
  int64_t AllEvents() { return Rows("outbox"); }
  int64_t Rows(const std::string& from) { return testing::CountRows(finance_->db(), from); }

  testing::TempDir dir_;
  testing::RedisServer redis_;
  testing::InProcess<meetings::v1::MeetingsService> meetings_service_{
      "meetings", meetings::NewMeetingsService, dir_.path() + "/meetings", redis_.address()};
  testing::InProcess<v1::FinanceService> finance_service_{
      "finance", NewFinanceService, dir_.path() + "/finance", redis_.address()};
  platform::ServerRunner* finance_ = nullptr;
  meetings::v1::MeetingsService::Stub* meetings_stub_ = nullptr;
  std::unique_ptr<Stub> as_finance_;
};

TEST_F(FinanceApiTest, ABudgetUpratedChangedAdoptedAndRevised) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee("//finance/budgets/2023"));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  // 2022 was adopted before enamnd kept the meetings.
  v1::CreateBudgetRequest create = Budget2022Request();
  common::v1::CommitteeDecision* adopted_by = create.mutable_adopted_by();
  adopted_by->set_paragraph("§ 40");
  *adopted_by->mutable_meeting_date() = Day(2021, 12, 16);
  adopted_by->set_decision_kind("DECISION_KIND_ADOPT");
  Budget b2022 = CreateBudget(create);
  EXPECT_EQ(b2022.state(), Budget::STATE_ADOPTED);
  EXPECT_EQ(b2022.total_cost().ore(), 503'400'000);
  EXPECT_EQ(b2022.adoption().revision(), 1);
  Budget again;
  ASSERT_TRUE(Finance(&Stub::CreateBudget, create, &again).ok());  // a retry
  EXPECT_EQ(again.name(), "budgets/2022");
  create.set_request_id("another");
  EXPECT_EQ(Finance(&Stub::CreateBudget, create, &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_NO_FATAL_FAILURE(CreateAki());

  // Uprating to a year the index has no figure for writes nothing.
  v1::UprateBudgetRequest uprate;
  uprate.set_source_budget("budgets/2022");
  uprate.set_index_series("index-series/aki");
  uprate.set_year(2024);
  uprate.set_request_id("uprate-2024");
  const int64_t events = AllEvents();
  Budget b;
  grpc::Status missing = Finance(&Stub::UprateBudget, uprate, &b);
  EXPECT_INVALID_FIELD(missing, "index_series");
  EXPECT_TRUE(absl::StrContains(missing.error_message(), "index-series/aki has no figure for 2024"))
      << missing.error_message();
  EXPECT_EQ(Rows("budgets"), 1);
  EXPECT_EQ(AllEvents(), events);

  uprate.set_year(2023);
  uprate.set_request_id("uprate-2023");
  uprate.add_omit_lines("e-office");
  ASSERT_TRUE(Finance(&Stub::UprateBudget, uprate, &b).ok());
  EXPECT_EQ(b.name(), "budgets/2023");
  EXPECT_EQ(b.title(), "Budget 2023");
  EXPECT_EQ(b.state(), Budget::STATE_DRAFT);
  ASSERT_EQ(b.lines_size(), 1);
  // 3 600 000 kr * 115.220 / 112.300 = 3 693 606.41 kr.
  EXPECT_EQ(b.lines(0).cost().ore(), 369'360'641);
  EXPECT_EQ(b.uprated_from().from_figure().value_thousandths(), 112'300);
  EXPECT_EQ(b.uprated_from().to_figure().year(), 2023);

  // A draft changes and stays a draft.
  v1::UpdateBudgetRequest update;
  *update.mutable_budget() = b;
  *update.mutable_budget()->add_lines() = Line("e-service-developer", 0, 80'000'000);
  update.mutable_update_mask()->add_paths("lines");
  ASSERT_TRUE(Finance(&Stub::UpdateBudget, update, &b).ok());
  EXPECT_EQ(b.state(), Budget::STATE_DRAFT);
  EXPECT_EQ(b.revision(), 2);
  EXPECT_EQ(b.total_cost().ore(), 449'360'641);
  EXPECT_EQ(Finance(&Stub::UpdateBudget, update, &b).error_code(),
            grpc::StatusCode::ABORTED);  // stale etag

  // The committee approves it (§ on the case about //finance/budgets/2023).
  ASSERT_FALSE(Decide(meetings::v1::DECISION_KIND_APPROVE).name().empty());
  b = AwaitState("budgets/2023", Budget::STATE_ADOPTED);
  EXPECT_EQ(b.adoption().revision(), 2);
  ASSERT_EQ(b.decisions_size(), 1);
  EXPECT_EQ(b.decisions(0).decision_kind(), "DECISION_KIND_APPROVE");
  EXPECT_EQ(EventCount("BudgetAdopted"), 2);  // 2022 at creation, 2023 now

  // A change after adoption: revised, the adopted revision kept.
  *update.mutable_budget() = b;
  update.mutable_budget()->set_title("Budget 2023, reviderad");
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(Finance(&Stub::UpdateBudget, update, &b).ok());
  EXPECT_EQ(b.state(), Budget::STATE_REVISED);
  EXPECT_EQ(b.revision(), 3);
  v1::ListBudgetRevisionsRequest revisions;
  revisions.set_budget("budgets/2023");
  v1::ListBudgetRevisionsResponse listed;
  ASSERT_TRUE(Finance(&Stub::ListBudgetRevisions, revisions, &listed).ok());
  ASSERT_EQ(listed.revisions_size(), 3);
  EXPECT_EQ(listed.revisions(0).state(), Budget::STATE_DRAFT);
  EXPECT_EQ(listed.revisions(1).state(), Budget::STATE_ADOPTED);
  EXPECT_EQ(listed.revisions(2).state(), Budget::STATE_REVISED);

  // The public reads the adopted revision.
  Budget seen = Get("budgets/2023", testing::kPublicReader);
  EXPECT_EQ(seen.state(), Budget::STATE_ADOPTED);
  EXPECT_EQ(seen.title(), "Budget 2023");
  EXPECT_EQ(seen.revision(), 2);

  // A later approving decision adopts the revision.
  ASSERT_FALSE(Decide(meetings::v1::DECISION_KIND_ADOPT).name().empty());
  b = AwaitState("budgets/2023", Budget::STATE_ADOPTED);
  EXPECT_EQ(b.adoption().revision(), 3);
  EXPECT_EQ(Get("budgets/2023", testing::kPublicReader).title(), "Budget 2023, reviderad");
}

TEST_F(FinanceApiTest, ABudgetCreatedAfterItsDecisionIsAdoptedAtOnce) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee("//finance/budgets/2022"));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  ASSERT_FALSE(Decide(meetings::v1::DECISION_KIND_APPROVE).name().empty());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (EventCount("BudgetDecisionLinked") == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(EventCount("BudgetDecisionLinked"), 1);
  Budget b = CreateBudget(Budget2022Request());
  EXPECT_EQ(b.state(), Budget::STATE_ADOPTED);
  EXPECT_EQ(b.adoption().decision().decision_kind(), "DECISION_KIND_APPROVE");
  ASSERT_EQ(b.decisions_size(), 1);
  EXPECT_EQ(EventCount("BudgetCreated"), 1);
  EXPECT_EQ(EventCount("BudgetAdopted"), 1);
}

// One meetings event as the subscriber hands it over.
io::cloudevents::v1::CloudEvent MeetingsEvent(const std::string& type,
                                              const google::protobuf::Message& payload,
                                              const std::string& id) {
  io::cloudevents::v1::CloudEvent event;
  event.set_source("//enamnd/meetings");
  event.set_id(id);
  event.set_type("enamnd.meetings.v1." + type);
  event.mutable_proto_data()->PackFrom(payload);
  return event;
}

meetings::v1::DecisionRecorded BudgetDecision(int number, const std::string& subject,
                                              meetings::v1::DecisionKind kind) {
  meetings::v1::DecisionRecorded d;
  d.mutable_paragraph()->set_name(
      absl::StrCat("bodies/e-namnden/meetings/2022-06-22/paragraphs/", number));
  d.mutable_paragraph()->set_number(number);
  d.mutable_paragraph()->mutable_decision()->set_kind(kind);
  *d.mutable_meeting_date() = Day(2022, 6, 22);
  d.set_case_subject(subject);
  return d;
}

TEST_F(FinanceApiTest, DecisionsTheirLegalForceAndAppealsFromTheMeetingsStream) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee(""));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  CreateBudget(Budget2022Request());
  FinanceApi api(finance_->db(), finance_->outbox(), finance_->clock());
  auto handle = [&](const io::cloudevents::v1::CloudEvent& event) {
    auto tx = finance_->db()->Begin();
    ASSERT_TRUE(tx.ok());
    absl::Status handled = api.HandleMeetingsEvent(*tx, event);
    ASSERT_TRUE(handled.ok()) << handled;
    ASSERT_TRUE(tx->Commit().ok());
  };
  // Referred back: linked, the draft stays a draft; sent twice, linked once.
  auto refer = BudgetDecision(11, "//finance/budgets/2022", meetings::v1::DECISION_KIND_REFER_BACK);
  handle(MeetingsEvent("DecisionRecorded", refer, "101"));
  handle(MeetingsEvent("DecisionRecorded", refer, "101"));
  // Not a budget, and a payload that never parses: skipped.
  handle(MeetingsEvent("DecisionRecorded",
                       BudgetDecision(13, "//finance/budgets", meetings::v1::DECISION_KIND_ADOPT),
                       "102"));
  io::cloudevents::v1::CloudEvent broken = MeetingsEvent("DecisionRecorded", refer, "103");
  broken.mutable_proto_data()->set_value("\xff\xff\xff");
  handle(broken);
  EXPECT_EQ(api.skipped_events(), 1);
  Budget b = Get("budgets/2022");
  EXPECT_EQ(b.state(), Budget::STATE_DRAFT);
  ASSERT_EQ(b.decisions_size(), 1);
  EXPECT_EQ(EventCount("BudgetDecisionLinked"), 1);

  // Approved at § 12: adopted; its legal force, then an appeal that revokes it.
  handle(MeetingsEvent(
      "DecisionRecorded",
      BudgetDecision(12, "//finance/budgets/2022", meetings::v1::DECISION_KIND_APPROVE), "104"));
  b = Get("budgets/2022");
  EXPECT_EQ(b.state(), Budget::STATE_ADOPTED);
  EXPECT_EQ(b.adoption().decision().paragraph_number(), 12);
  meetings::v1::DecisionFinal final_decision;
  final_decision.set_paragraph("bodies/e-namnden/meetings/2022-06-22/paragraphs/12");
  final_decision.set_case_subject("//finance/budgets/2022");
  *final_decision.mutable_legal_force_date() = Day(2022, 7, 20);
  handle(MeetingsEvent("DecisionFinal", final_decision, "105"));
  b = Get("budgets/2022");
  ASSERT_EQ(b.decisions_size(), 2);
  EXPECT_EQ(platform::ToCivil(b.decisions(1).legal_force_date()), absl::CivilDay(2022, 7, 20));
  meetings::v1::AppealLodged appeal;
  appeal.set_paragraph("bodies/e-namnden/meetings/2022-06-22/paragraphs/12");
  handle(MeetingsEvent("AppealLodged", appeal, "106"));
  b = Get("budgets/2022");
  EXPECT_FALSE(platform::IsSet(b.decisions(1).legal_force_date()));
  EXPECT_EQ(b.state(), Budget::STATE_ADOPTED);
  EXPECT_EQ(EventCount("BudgetAdopted"), 1);
}

// A decision corrected before its protocol is adjusted (DecisionUpdated)
// into an approval adopts the budget (docs/finance.md, section 5); an
// update that keeps an approval does not adopt a revision made since.
TEST_F(FinanceApiTest, ADecisionUpdatedIntoAnApprovalAdoptsTheBudget) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee(""));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  CreateBudget(Budget2022Request());
  FinanceApi api(finance_->db(), finance_->outbox(), finance_->clock());
  auto handle = [&](const io::cloudevents::v1::CloudEvent& event) {
    auto tx = finance_->db()->Begin();
    ASSERT_TRUE(tx.ok());
    absl::Status handled = api.HandleMeetingsEvent(*tx, event);
    ASSERT_TRUE(handled.ok()) << handled;
    ASSERT_TRUE(tx->Commit().ok());
  };
  auto updated = [](meetings::v1::DecisionKind kind) {
    meetings::v1::DecisionRecorded recorded = BudgetDecision(12, "//finance/budgets/2022", kind);
    meetings::v1::DecisionUpdated update;
    *update.mutable_paragraph() = recorded.paragraph();
    *update.mutable_meeting_date() = recorded.meeting_date();
    update.set_case_subject(recorded.case_subject());
    update.add_changed_fields("decision");
    return update;
  };
  handle(MeetingsEvent(
      "DecisionRecorded",
      BudgetDecision(12, "//finance/budgets/2022", meetings::v1::DECISION_KIND_POSTPONE), "201"));
  EXPECT_EQ(Get("budgets/2022").state(), Budget::STATE_DRAFT);
  handle(MeetingsEvent("DecisionUpdated", updated(meetings::v1::DECISION_KIND_APPROVE), "202"));
  Budget b = Get("budgets/2022");
  EXPECT_EQ(b.state(), Budget::STATE_ADOPTED);
  EXPECT_EQ(b.adoption().decision().decision_kind(), "DECISION_KIND_APPROVE");
  EXPECT_EQ(b.adoption().revision(), 1);
  EXPECT_EQ(EventCount("BudgetAdopted"), 1);

  // Revised after adoption; the same approval updated again (its text,
  // say) does not adopt the revision.
  v1::UpdateBudgetRequest update;
  *update.mutable_budget() = b;
  update.mutable_budget()->set_title("Budget 2022, reviderad");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(Finance(&Stub::UpdateBudget, update, &b).ok());
  handle(MeetingsEvent("DecisionUpdated", updated(meetings::v1::DECISION_KIND_APPROVE), "203"));
  b = Get("budgets/2022");
  EXPECT_EQ(b.state(), Budget::STATE_REVISED);
  EXPECT_EQ(b.adoption().revision(), 1);
  EXPECT_EQ(EventCount("BudgetAdopted"), 1);
}

TEST_F(FinanceApiTest, OutcomeForecastAndTheReportOfJanuaryToMay2022) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee(""));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  CreateBudget(Budget2022Request());
  // Income 1 792 400 kr and costs 1 672 600 kr over January to May.
  for (int m = 1; m <= 5; ++m) {
    v1::RecordOutcomeRequest request;
    request.set_budget("budgets/2022");
    request.mutable_outcome()->set_month(m);
    auto add = [&](const std::string& line, Ore income, Ore cost) {
      AddAmounts(request.mutable_outcome()->mutable_lines(), line, income, cost);
    };
    add("basic-funding", 30'000'000, 25'000'000);
    if (m == 2) add("e-office", 0, 20'000'000);
    if (m == 3) add("e-office", 29'240'000, 0);
    if (m == 5) add("e-office", 0, 22'260'000);
    v1::MonthlyOutcome out;
    ASSERT_TRUE(Finance(&Stub::RecordOutcome, request, &out).ok());
    EXPECT_EQ(out.name(), absl::StrCat("budgets/2022/outcomes/", m));
    if (m == 5) {  // replacing a month whole, with its etag
      request.mutable_outcome()->set_etag("7");
      EXPECT_EQ(Finance(&Stub::RecordOutcome, request, &out).error_code(),
                grpc::StatusCode::ABORTED);
      request.mutable_outcome()->set_etag(out.etag());
      ASSERT_TRUE(Finance(&Stub::RecordOutcome, request, &out).ok());
      EXPECT_EQ(out.etag(), "2");
    }
  }
  v1::MakeForecastRequest forecast;
  forecast.set_budget("budgets/2022");
  forecast.mutable_forecast()->set_as_of_month(5);
  AddAmounts(forecast.mutable_forecast()->mutable_lines(), "e-office", 143'400'000, 123'400'000);
  forecast.mutable_forecast()->add_notes("Vakant tjänst under våren");
  v1::Forecast made;
  ASSERT_TRUE(Finance(&Stub::MakeForecast, forecast, &made).ok());
  EXPECT_EQ(made.name(), "budgets/2022/forecasts/5");

  v1::GetFinancialReportRequest request;
  request.set_budget("budgets/2022");
  v1::FinancialReport report;
  ASSERT_TRUE(As(testing::kAuditor2584, &Stub::GetFinancialReport, request, &report).ok());
  EXPECT_EQ(report.through_month(), 5);
  EXPECT_EQ(report.forecast(), "budgets/2022/forecasts/5");
  EXPECT_EQ(report.total().outcome().income_tkr(), 1792);
  EXPECT_EQ(report.total().outcome().cost_tkr(), 1673);
  EXPECT_EQ(report.total().outcome().deviation_tkr(), 120);
  EXPECT_EQ(report.total().budget().cost_tkr(), 5034);
  EXPECT_EQ(report.total().forecast_deviation().cost_tkr(), -200);
  ASSERT_EQ(report.forecast_notes_size(), 1);
  EXPECT_EQ(EventCount("OutcomeRecorded"), 6);
  EXPECT_EQ(EventCount("ForecastMade"), 1);

  // Cost shares of the outcome through May: the e-office line, equal.
  v1::GetCostSharesRequest shares;
  shares.set_budget("budgets/2022");
  shares.set_basis(v1::COST_BASIS_OUTCOME);
  shares.set_line("e-office");
  v1::CostShares out;
  ASSERT_TRUE(Finance(&Stub::GetCostShares, shares, &out).ok());
  EXPECT_EQ(out.through_month(), 5);
  ASSERT_EQ(out.lines_size(), 1);
  EXPECT_EQ(out.lines(0).total().ore(), 42'260'000);
  EXPECT_EQ(out.lines(0).model(), "equal shares (every member)");
  ASSERT_EQ(out.lines(0).shares_size(), 14);
  EXPECT_EQ(out.lines(0).shares(0).amount().ore(), 3'018'572);  // 42 260 000 / 14, rest first
  // The forecast's: the e-office line as forecast, the other as budgeted.
  shares.set_basis(v1::COST_BASIS_FORECAST);
  shares.clear_line();
  ASSERT_TRUE(Finance(&Stub::GetCostShares, shares, &out).ok());
  ASSERT_EQ(out.lines_size(), 2);
  EXPECT_EQ(out.lines(0).total().ore(), 360'000'000);
  EXPECT_EQ(out.lines(1).total().ore(), 123'400'000);
}

TEST_F(FinanceApiTest, CostSharesByPopulationAndByParticipation) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee(""));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  v1::CreateBudgetRequest create = Budget2022Request();
  v1::BudgetLine* dcbd = create.mutable_budget()->add_lines();
  *dcbd = Line("dcbd", 0, 1'000'000);
  dcbd->mutable_allocation()->Clear();
  dcbd->mutable_allocation()->mutable_participation()->set_initiative("initiatives/dcbd");
  CreateBudget(create);

  // Kiruna and Luleå take part in the data centre from the projects service.
  FinanceApi api(finance_->db(), finance_->outbox(), finance_->clock());
  auto feed = [&](const std::string& code, common::v1::Date joined, const std::string& id) {
    projects::v1::ParticipationChanged changed;
    changed.set_initiative("initiatives/dcbd");
    changed.mutable_participation()->set_municipality("municipalities/" + code);
    *changed.mutable_participation()->mutable_joined_date() = joined;
    io::cloudevents::v1::CloudEvent event;
    event.set_source("//enamnd/projects");
    event.set_id(id);
    event.set_type("enamnd.projects.v1.ParticipationChanged");
    event.mutable_proto_data()->PackFrom(changed);
    auto tx = finance_->db()->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(api.HandleProjectsEvent(*tx, event).ok());
    ASSERT_TRUE(tx->Commit().ok());
  };
  feed("2580", Day(2021, 6, 1), "1");
  feed("2584", Day(2022, 7, 2), "2");  // 183 of 2022's days
  io::cloudevents::v1::CloudEvent broken;
  broken.set_type("enamnd.projects.v1.ParticipationChanged");
  broken.mutable_proto_data()->set_type_url("type.googleapis.com/enamnd.projects.v1.Other");
  broken.mutable_proto_data()->set_value("\xff\xff");
  {
    auto tx = finance_->db()->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(api.HandleProjectsEvent(*tx, broken).ok());  // skipped, counted
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(api.skipped_events(), 1);
  EXPECT_EQ(Rows("participations"), 2);

  v1::GetCostSharesRequest request;
  request.set_budget("budgets/2022");
  v1::CostShares out;
  ASSERT_TRUE(Finance(&Stub::GetCostShares, request, &out).ok());
  ASSERT_EQ(out.lines_size(), 3);
  const v1::LineShares& basic = out.lines(0);
  EXPECT_EQ(basic.model(), "by population (population-figures/2023-12-31)");
  ASSERT_EQ(basic.shares_size(), 14);
  Ore sum = 0;
  for (const auto& s : basic.shares()) sum += s.amount().ore();
  EXPECT_EQ(sum, 360'000'000);
  EXPECT_EQ(basic.shares(0).municipality(), "municipalities/2505");
  EXPECT_EQ(basic.shares(0).display_name(), "Kommun 2505");
  // Luleå: 3 600 000 kr * 79 352 / 248 480 = 1 149 658.72 kr.
  for (const auto& s : basic.shares()) {
    if (s.municipality() == "municipalities/2580") {
      EXPECT_EQ(s.amount().ore(), 114'965'872);
      EXPECT_EQ(s.amount_kr(), 1'149'659);
    }
  }
  const v1::LineShares& participation = out.lines(2);
  ASSERT_EQ(participation.shares_size(), 2);
  // 365 and 183 days of 2022: 1 000 000 öre * 365 / 548.
  EXPECT_EQ(participation.shares(0).amount().ore(), 666'058);
  EXPECT_EQ(participation.shares(1).amount().ore(), 333'942);
  Ore totals = 0;
  for (const auto& t : out.totals()) totals += t.amount().ore();
  EXPECT_EQ(totals, 504'400'000);

  // A municipality system reads its own municipality's shares only.
  request.set_municipality("municipalities/2584");
  ASSERT_TRUE(As(testing::kSystem2584, &Stub::GetCostShares, request, &out).ok());
  ASSERT_EQ(out.totals_size(), 1);
  EXPECT_EQ(out.totals(0).municipality(), "municipalities/2584");
  for (const auto& line : out.lines()) {
    for (const auto& s : line.shares()) EXPECT_EQ(s.municipality(), "municipalities/2584");
  }
  request.set_municipality("municipalities/2580");
  EXPECT_EQ(As(testing::kSystem2584, &Stub::GetCostShares, request, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  request.clear_municipality();
  EXPECT_EQ(As(testing::kSystem2584, &Stub::GetCostShares, request, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // By usage with no transactions received: nothing to share by.
  v1::CreateBudgetRequest usage;
  usage.set_year(2023);
  usage.mutable_budget()->set_title("Budget 2023");
  *usage.mutable_budget()->add_lines() = EqualLine("transactions", 0, 17'580'000);
  usage.mutable_budget()->mutable_lines(0)->mutable_allocation()->mutable_usage();
  CreateBudget(usage);
  request.set_budget("budgets/2023");
  grpc::Status none = Finance(&Stub::GetCostShares, request, &out);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << none.error_message();
  EXPECT_TRUE(absl::StrContains(none.error_message(), "lines[0].allocation"))
      << none.error_message();
}

TEST_F(FinanceApiTest, RolesPublicReadsAdoptedBudgetsAndOnlyFinanceWrites) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee(""));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  v1::CreateBudgetRequest draft = Budget2022Request();
  Budget out;
  for (const char* reader : {testing::kSecretary, testing::kCoordinator, testing::kAuditor2584}) {
    EXPECT_EQ(As(reader, &Stub::CreateBudget, draft, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << reader;
  }
  EXPECT_EQ(As(testing::kPublicReader, &Stub::CreateBudget, draft, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  CreateBudget(draft);
  v1::CreateBudgetRequest adopted = Budget2022Request();
  adopted.set_year(2021);
  adopted.set_request_id("budget-2021");
  adopted.mutable_adopted_by()->set_decision_kind("DECISION_KIND_APPROVE");
  *adopted.mutable_adopted_by()->mutable_meeting_date() = Day(2020, 12, 10);
  CreateBudget(adopted);

  v1::GetBudgetRequest get;
  get.set_name("budgets/2022");
  EXPECT_EQ(As(testing::kPublicReader, &Stub::GetBudget, get, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get("budgets/2022", testing::kClerk).state(), Budget::STATE_DRAFT);
  v1::ListBudgetsRequest list;
  v1::ListBudgetsResponse listed;
  ASSERT_TRUE(As(testing::kPublicReader, &Stub::ListBudgets, list, &listed).ok());
  ASSERT_EQ(listed.budgets_size(), 1);
  EXPECT_EQ(listed.budgets(0).name(), "budgets/2021");
  ASSERT_TRUE(As(testing::kClerk, &Stub::ListBudgets, list, &listed).ok());
  EXPECT_EQ(listed.budgets_size(), 2);
  list.set_filter("state = STATE_DRAFT");
  ASSERT_TRUE(As(testing::kClerk, &Stub::ListBudgets, list, &listed).ok());
  ASSERT_EQ(listed.budgets_size(), 1);
  EXPECT_EQ(listed.budgets(0).name(), "budgets/2022");
  ASSERT_TRUE(As(testing::kPublicReader, &Stub::ListBudgets, list, &listed).ok());
  EXPECT_EQ(listed.budgets_size(), 0);

  // Revised, 2021 is still adopted to the public (it sees the adopted
  // revision), so its filter on the state it sees finds it.
  v1::UpdateBudgetRequest revise;
  *revise.mutable_budget() = Get("budgets/2021");
  revise.mutable_budget()->set_title("Budget 2021, reviderad");
  revise.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(Finance(&Stub::UpdateBudget, revise, &out).ok());
  ASSERT_EQ(out.state(), Budget::STATE_REVISED);
  list.set_filter("state = STATE_ADOPTED");
  ASSERT_TRUE(As(testing::kPublicReader, &Stub::ListBudgets, list, &listed).ok());
  ASSERT_EQ(listed.budgets_size(), 1);
  EXPECT_EQ(listed.budgets(0).name(), "budgets/2021");
  EXPECT_EQ(listed.budgets(0).state(), Budget::STATE_ADOPTED);
  list.set_filter("state = STATE_REVISED");
  ASSERT_TRUE(As(testing::kPublicReader, &Stub::ListBudgets, list, &listed).ok());
  EXPECT_EQ(listed.budgets_size(), 0);
  ASSERT_TRUE(As(testing::kClerk, &Stub::ListBudgets, list, &listed).ok());
  EXPECT_EQ(listed.budgets_size(), 1);
}

TEST_F(FinanceApiTest, BadInputNamesTheFieldAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(SeedCommittee(""));
  ASSERT_NO_FATAL_FAILURE(CreatePopulation());
  CreateBudget(Budget2022Request());
  ASSERT_NO_FATAL_FAILURE(CreateAki());
  const int64_t events = AllEvents();
  const int64_t budgets = Rows("budget_revisions");
  Budget b;

  v1::CreateBudgetRequest create = Budget2022Request();
  create.set_year(2023);
  create.set_request_id("");
  create.mutable_budget()->mutable_lines(0)->mutable_cost()->set_ore(-1);
  EXPECT_INVALID_FIELD(Finance(&Stub::CreateBudget, create, &b), "budget.lines[0].cost");
  create = Budget2022Request();
  create.set_year(2023);
  create.set_request_id("");
  create.mutable_budget()
      ->mutable_lines(1)
      ->mutable_allocation()
      ->mutable_equal()
      ->add_municipalities("municipalities/0999");
  EXPECT_INVALID_FIELD(Finance(&Stub::CreateBudget, create, &b),
                       "budget.lines[1].allocation.equal.municipalities[0]");
  create.set_year(1999);
  EXPECT_INVALID_FIELD(Finance(&Stub::CreateBudget, create, &b), "year");
  // Population figures a line names must be registered (docs/finance.md,
  // section 13), at CreateBudget and at UpdateBudget.
  create = Budget2022Request();
  create.set_year(2023);
  create.set_request_id("");
  create.mutable_budget()
      ->mutable_lines(0)
      ->mutable_allocation()
      ->mutable_population()
      ->set_population_figures("population-figures/2030-12-31");
  EXPECT_INVALID_FIELD(Finance(&Stub::CreateBudget, create, &b),
                       "budget.lines[0].allocation.population.population_figures");
  v1::UpdateBudgetRequest unknown_figures;
  *unknown_figures.mutable_budget() = create.budget();
  unknown_figures.mutable_budget()->set_name("budgets/2022");
  unknown_figures.mutable_update_mask()->add_paths("lines");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdateBudget, unknown_figures, &b),
                       "budget.lines[0].allocation.population.population_figures");

  v1::UprateBudgetRequest uprate;
  uprate.set_source_budget("budgets/2022");
  uprate.set_index_series("index-series/aki");
  uprate.set_year(2021);
  EXPECT_INVALID_FIELD(Finance(&Stub::UprateBudget, uprate, &b), "year");
  uprate.set_year(2023);
  uprate.add_omit_lines("nothing");
  EXPECT_INVALID_FIELD(Finance(&Stub::UprateBudget, uprate, &b), "omit_lines[0]");

  v1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name("budgets/2022");
  update.mutable_update_mask()->add_paths("state");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdateBudget, update, &b), "update_mask");
  update.mutable_update_mask()->set_paths(0, "title");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdateBudget, update, &b), "budget.title");

  v1::IndexSeries series;
  v1::CreateIndexSeriesRequest index;
  index.set_index_series_id("KPI");
  EXPECT_INVALID_FIELD(Finance(&Stub::CreateIndexSeries, index, &series), "index_series_id");
  v1::UpdateIndexSeriesRequest update_index;
  update_index.mutable_index_series()->set_name("index-series/aki");
  update_index.mutable_index_series()->set_display_name("AKI");
  update_index.mutable_index_series()->add_figures()->set_year(2024);
  update_index.mutable_update_mask()->add_paths("figures");
  EXPECT_INVALID_FIELD(Finance(&Stub::UpdateIndexSeries, update_index, &series),
                       "index_series.figures[0].value_thousandths");

  v1::PopulationFigures figures;
  v1::CreatePopulationFiguresRequest population;
  *population.mutable_population_figures()->mutable_reference_date() = Day(2022, 12, 31);
  population.mutable_population_figures()->set_source("SCB");
  v1::MunicipalityPopulation* e = population.mutable_population_figures()->add_entries();
  e->set_municipality("municipalities/0114");
  e->set_inhabitants(5);
  EXPECT_INVALID_FIELD(Finance(&Stub::CreatePopulationFigures, population, &figures),
                       "population_figures.entries[0].municipality");

  v1::MonthlyOutcome outcome;
  v1::RecordOutcomeRequest record;
  record.set_budget("budgets/2022");
  record.mutable_outcome()->set_month(8);  // today is 2022-07-08
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordOutcome, record, &outcome), "outcome.month");
  record.mutable_outcome()->set_month(6);
  record.mutable_outcome()->add_lines()->set_line("nothing");
  EXPECT_INVALID_FIELD(Finance(&Stub::RecordOutcome, record, &outcome), "outcome.lines[0].line");

  v1::Forecast forecast;
  v1::MakeForecastRequest make;
  make.set_budget("budgets/2022");
  make.mutable_forecast()->set_as_of_month(6);
  v1::LineAmounts* negative = make.mutable_forecast()->add_lines();
  negative->set_line("e-office");
  negative->mutable_cost()->set_ore(-100);
  EXPECT_INVALID_FIELD(Finance(&Stub::MakeForecast, make, &forecast), "forecast.lines[0].cost");

  v1::FinancialReport report;
  v1::GetFinancialReportRequest get_report;
  get_report.set_budget("budgets/2022");
  get_report.set_through_month(13);
  EXPECT_INVALID_FIELD(Finance(&Stub::GetFinancialReport, get_report, &report), "through_month");
  v1::CostShares shares;
  v1::GetCostSharesRequest get_shares;
  get_shares.set_budget("budgets/2022");
  get_shares.set_line("nothing");
  EXPECT_INVALID_FIELD(Finance(&Stub::GetCostShares, get_shares, &shares), "line");
  get_shares.set_line("");
  get_shares.set_basis(static_cast<v1::CostBasis>(9));
  EXPECT_INVALID_FIELD(Finance(&Stub::GetCostShares, get_shares, &shares), "basis");
  v1::GetBudgetRequest get;
  get.set_name("budget/2022");
  EXPECT_INVALID_FIELD(Finance(&Stub::GetBudget, get, &b), "name");
  get.set_name("budgets/2030");
  EXPECT_EQ(Finance(&Stub::GetBudget, get, &b).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ListBudgetsRequest list;
  list.set_filter("state = ADOPTED");
  v1::ListBudgetsResponse listed;
  EXPECT_INVALID_FIELD(Finance(&Stub::ListBudgets, list, &listed), "filter.state");

  EXPECT_EQ(AllEvents(), events);
  EXPECT_EQ(Rows("budget_revisions"), budgets);
  EXPECT_EQ(Rows("budgets"), 1);
  EXPECT_EQ(Rows("outcomes"), 0);
  EXPECT_EQ(Rows("forecasts"), 0);
  EXPECT_EQ(Rows("population_figures"), 1);
  EXPECT_EQ(Rows("index_series"), 1);
}

}  // namespace
}  // namespace enamnd::finance
