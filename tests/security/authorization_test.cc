// Every method of the five services, read from the descriptor pool (a new
// method is covered without touching this test): a call without identity
// is UNAUTHENTICATED, a call by a principal holding none of the method's
// roles is PERMISSION_DENIED naming them, and neither wrote anything.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/security/fixture.h"

namespace enamnd::security {
namespace {

using enamnd::testing::kAuditor2584;
using enamnd::testing::kClerk;
using enamnd::testing::kCoordinator;
using enamnd::testing::kFinance;
using enamnd::testing::kOperator;
using enamnd::testing::kPublicReader;
using enamnd::testing::kSecretary;
using enamnd::testing::kStranger;
using enamnd::testing::kSystem2584;

// Requests that would succeed for the clerk on the seeded data (the last
// test proves it), so that a denial is what keeps them out. Methods not
// listed are called with the empty request. In the order the clerk sends
// them (the protocol is adjusted last; kHrPayroll is decided before 2580
// joins and 2523 leaves; the new procurement is advertised, the seeded one
// in evaluation is awarded, its standstill (to 30 June) held by a review
// and released; kItConsultants changes owner, is extended, joined and
// followed up; a budget for 2023 is created and kBudget2022 uprated to 2024
// and retitled, with an index, population figures, an outcome and a
// forecast; the plan of 2022 is created, retitled, adopted and followed up
// through May).
const std::vector<std::pair<std::string, std::string>>& ValidRequests() {
  static const auto* const requests = new std::vector<std::pair<std::string, std::string>>{
      {"enamnd.meetings.v1.MeetingsService.CreateMunicipality",
       R"pb(municipality_id: "2505"
            municipality { display_name: "Kommun 2505" })pb"},
      {"enamnd.meetings.v1.MeetingsService.UpdateBody",
       R"pb(body { name: "bodies/e-namnden" display_name: "Nämnden" }
            update_mask { paths: "display_name" })pb"},
      {"enamnd.meetings.v1.MeetingsService.StartParagraphSeries", R"pb(body: "bodies/e-namnden"
                                                                       year: 2023
                                                                       next_number: 8)pb"},
      {"enamnd.meetings.v1.MeetingsService.CreateMeeting",
       R"pb(parent: "bodies/e-namnden"
            meeting { date { year: 2022 month: 9 day: 1 } })pb"},
      {"enamnd.meetings.v1.MeetingsService.CreateCase",
       R"pb(case { case_number: "2022/10-2.2.0.1" title: "Nytt ärende" })pb"},
      {"enamnd.meetings.v1.MeetingsService.UpdateCase",
       R"pb(case { name: "cases/2022-9" title: "Ändrad rubrik" }
            update_mask { paths: "title" })pb"},
      {"enamnd.meetings.v1.MeetingsService.RecordDecision",
       R"pb(parent: "bodies/e-namnden/meetings/2022-06-22"
            paragraph {
              case: "cases/2022-9"
              decision { kind: DECISION_KIND_NOTE_AND_FILE text: "Nämnden noterar." }
            })pb"},
      {"enamnd.meetings.v1.MeetingsService.UpdateParagraph",
       R"pb(paragraph { name: "bodies/e-namnden/meetings/2022-06-22/paragraphs/1" title: "Ny" }
            update_mask { paths: "title" })pb"},
      {"enamnd.meetings.v1.MeetingsService.AdjustProtocol",
       R"pb(meeting: "bodies/e-namnden/meetings/2022-06-22"
            chair { display_name: "Ledamot 2584" }
            adjusters { display_name: "Ledamot 2523" }
            adjusted_date { year: 2022 month: 6 day: 29 })pb"},
      {"enamnd.audits.v1.AuditsService.CreateReview",
       R"pb(review {
              year: 2022
              auditing_municipalities: "municipalities/2584"
              kind: KIND_BASIC
              title: "Grundläggande granskning 2022"
            })pb"},
      {"enamnd.audits.v1.AuditsService.UpdateReview",
       R"pb(review { name: "reviews/2021-2584" title: "Ny rubrik" }
            update_mask { paths: "title" })pb"},
      {"enamnd.audits.v1.AuditsService.RecordDischarge",
       R"pb(review: "reviews/2021-2584"
            discharge {
              municipality: "municipalities/2584"
              decision: DECISION_GRANTED
              decided_date { year: 2022 month: 6 day: 13 }
            })pb"},
      {"enamnd.audits.v1.AuditsService.CreateRecommendation",
       R"pb(review: "reviews/2021-2584"
            recommendation { text: "Upprätta ett årshjul." given_by: "municipalities/2584" })pb"},
      {"enamnd.audits.v1.AuditsService.UpdateRecommendation",
       R"pb(recommendation {
              name: "reviews/2021-2584/recommendations/1"
              responsible: "Samordnaren"
            }
            update_mask { paths: "responsible" })pb"},
      {"enamnd.audits.v1.AuditsService.CreateControlPlan",
       R"pb(plan { year: 2022 title: "Internkontrollplan 2022" })pb"},
      {"enamnd.projects.v1.ProjectsService.CreateInitiative",
       R"pb(initiative_id: "student-health"
            initiative {
              title: "Gemensamt system för elevhälsan"
              kind: KIND_DEVELOPMENT_PROJECT
              participations {
                municipality: "municipalities/2584"
                joined_date { year: 2022 month: 6 day: 1 }
              }
            }
            since_date { year: 2022 month: 6 day: 1 })pb"},
      {"enamnd.projects.v1.ProjectsService.UpdateInitiative",
       R"pb(initiative {
              name: "initiatives/hr-payroll"
              description: "Förstudie om ett gemensamt HR-system"
            }
            update_mask { paths: "description" })pb"},
      {"enamnd.projects.v1.ProjectsService.TransitionInitiative",
       R"pb(name: "initiatives/hr-payroll"
            state: STATE_DECIDED
            date { year: 2022 month: 4 day: 1 }
            decided_by { steering_group_protocol: "Protokoll styrgrupp HR 220401" })pb"},
      {"enamnd.projects.v1.ProjectsService.JoinInitiative",
       R"pb(initiative: "initiatives/hr-payroll"
            municipality: "municipalities/2580"
            joined_date { year: 2022 month: 5 day: 1 })pb"},
      {"enamnd.projects.v1.ProjectsService.LeaveInitiative",
       R"pb(initiative: "initiatives/hr-payroll"
            municipality: "municipalities/2523"
            left_date { year: 2022 month: 5 day: 31 })pb"},
      {"enamnd.projects.v1.ProjectsService.CreateRevision",
       R"pb(initiative: "initiatives/hr-payroll"
            revision_id: "A"
            revision {
              text: "Förstudien utreder ett gemensamt HR-system."
              decided_by { steering_group_protocol: "Protokoll styrgrupp HR 220504" }
              decided_date { year: 2022 month: 5 day: 4 }
            })pb"},
      {"enamnd.projects.v1.ProjectsService.CreateStatusReport",
       R"pb(initiative: "initiatives/hr-payroll"
            status_report {
              report_date { year: 2022 month: 6 day: 22 }
              status_lines: "Förstudien pågår."
              traffic_light: TRAFFIC_LIGHT_GREEN
            }
            request_id: "status-hr-2022-06-22")pb"},
      {"enamnd.projects.v1.ProjectsService.RecordFinalReport",
       R"pb(initiative: "initiatives/e-learning"
            final_report {
              document { title: "Förstudierapport e-learning rev A 22-06-13" }
              continuation: CONTINUATION_PENDING
              report_date { year: 2022 month: 6 day: 13 }
            })pb"},
      {"enamnd.contracts.v1.ContractsService.CreateProcurement",
       R"pb(procurement_id: "printers"
            procurement { title: "Upphandling skrivare och kopiatorer" }
            since_date { year: 2022 month: 6 day: 1 })pb"},
      {"enamnd.contracts.v1.ContractsService.TransitionProcurement",
       R"pb(name: "procurements/printers"
            state: STATE_ADVERTISED
            date { year: 2022 month: 6 day: 15 })pb"},
      {"enamnd.contracts.v1.ContractsService.RecordAward",
       R"pb(name: "procurements/social-services-system"
            decision_date { year: 2022 month: 6 day: 20 }
            notice_date { year: 2022 month: 6 day: 20 }
            notice_means: NOTICE_MEANS_ELECTRONIC)pb"},
      {"enamnd.contracts.v1.ContractsService.RecordReviewRequest",
       R"pb(name: "procurements/social-services-system"
            review {
              filed_date { year: 2022 month: 6 day: 28 }
              court: "Förvaltningsrätten i Luleå"
            })pb"},
      {"enamnd.contracts.v1.ContractsService.RecordReviewOutcome",
       R"pb(name: "procurements/social-services-system"
            outcome: REVIEW_OUTCOME_REJECTED
            decided_date { year: 2022 month: 6 day: 29 })pb"},
      {"enamnd.contracts.v1.ContractsService.CreateAgreement",
       R"pb(agreement_id: "printers"
            agreement {
              title: "Skrivare och kopiatorer"
              supplier {
                display_name: "Exempeltryck AB (påhittad)"
                organisation_number: "556016-0680"
              }
              terms {
                type: AGREEMENT_TYPE_CONTRACT
                start { year: 2022 month: 6 day: 1 }
                end { year: 2024 month: 5 day: 31 }
              }
              entitled: "municipalities/2584"
            })pb"},
      {"enamnd.contracts.v1.ContractsService.UpdateAgreement",
       R"pb(agreement { name: "agreements/it-konsulter" owner: "IT-chefen i Kiruna" }
            update_mask { paths: "owner" })pb"},
      {"enamnd.contracts.v1.ContractsService.ExtendAgreement",
       R"pb(name: "agreements/it-konsulter"
            date { year: 2022 month: 6 day: 1 })pb"},
      {"enamnd.contracts.v1.ContractsService.JoinAgreement",
       R"pb(name: "agreements/it-konsulter"
            municipality: "municipalities/2584"
            joined_date { year: 2021 month: 3 day: 1 })pb"},
      {"enamnd.contracts.v1.ContractsService.RecordFollowUp",
       R"pb(name: "agreements/it-konsulter"
            follow_up {
              date { year: 2022 month: 6 day: 22 }
              result: "Leveranser enligt avtal"
            })pb"},
      {"enamnd.finance.v1.FinanceService.CreateBudget",
       R"pb(year: 2023
            budget {
              title: "Budget 2023"
              lines {
                id: "basic-funding"
                title: "Grundfinansiering"
                cost { ore: 310000000 }
                allocation { equal {} }
              }
            })pb"},
      {"enamnd.finance.v1.FinanceService.UprateBudget", R"pb(source_budget: "budgets/2022"
                                                             year: 2024
                                                             index_series: "index-series/aki")pb"},
      {"enamnd.finance.v1.FinanceService.UpdateBudget",
       R"pb(budget { name: "budgets/2022" title: "Budget 2022, reviderad" }
            update_mask { paths: "title" })pb"},
      {"enamnd.finance.v1.FinanceService.CreateIndexSeries",
       R"pb(index_series_id: "kpi"
            index_series {
              display_name: "Konsumentprisindex"
              figures {
                year: 2022
                value_thousandths: 370000
                source: "SCB"
                reference_period: "2022M05"
              }
            })pb"},
      {"enamnd.finance.v1.FinanceService.UpdateIndexSeries",
       R"pb(index_series { name: "index-series/aki" display_name: "AKI" }
            update_mask { paths: "display_name" })pb"},
      {"enamnd.finance.v1.FinanceService.CreatePopulationFigures",
       R"pb(population_figures {
              reference_date { year: 2022 month: 12 day: 31 }
              source: "SCB"
              entries { municipality: "municipalities/2584" inhabitants: 22433 }
            })pb"},
      {"enamnd.finance.v1.FinanceService.RecordOutcome",
       R"pb(budget: "budgets/2022"
            outcome {
              month: 5
              lines {
                line: "basic-funding"
                cost { ore: 25000000 }
              }
            })pb"},
      {"enamnd.finance.v1.FinanceService.MakeForecast",
       R"pb(budget: "budgets/2022"
            forecast {
              as_of_month: 5
              lines {
                line: "e-office"
                cost { ore: 183400000 }
              }
              notes: "Vakant tjänst"
            })pb"},
      {"enamnd.finance.v1.FinanceService.CreatePlan",
       R"pb(year: 2022
            plan {
              title: "Verksamhetsplan 2022"
              goals {
                id: "trainings"
                kind: KIND_GOAL
                text: "Minst tre utbildningstillfällen för ledamöterna"
                measure: MEASURE_MANUAL
                target: 3
                unit: UNIT_COUNT
              }
            })pb"},
      {"enamnd.finance.v1.FinanceService.UpdatePlan",
       R"pb(plan { name: "plans/2022" title: "Verksamhetsplan 2022, reviderad" }
            update_mask { paths: "title" })pb"},
      {"enamnd.finance.v1.FinanceService.AdoptPlan",
       R"pb(name: "plans/2022"
            decision {
              paragraph: "bodies/e-namnden/meetings/2021-12-16/paragraphs/4"
              meeting_date { year: 2021 month: 12 day: 16 }
              case_number: "2021/3-2.2.0.1"
            })pb"},
      {"enamnd.finance.v1.FinanceService.RecordPlanFollowUp",
       R"pb(plan: "plans/2022"
            through_month: 5
            follow_up {
              title: "Delårsrapport 2022"
              goals { goal: "trainings" value: 2 }
            })pb"},
  };
  return *requests;
}

std::string ValidRequestText(const google::protobuf::MethodDescriptor& method) {
  for (const auto& [name, text] : ValidRequests()) {
    if (name == method.full_name()) return text;
  }
  return "";
}

std::vector<const google::protobuf::MethodDescriptor*> AllMethods() {
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const char* name :
       {kMeetingsService, kAuditsService, kProjectsService, kContractsService, kFinanceService}) {
    const google::protobuf::ServiceDescriptor& service = ServiceNamed(name);
    for (int i = 0; i < service.method_count(); ++i) methods.push_back(service.method(i));
  }
  return methods;
}

// Its empty request is refused by the handler, not the gate, for a
// municipality system: the list must name the system's municipality.
constexpr char kScopedListAgreements[] = "enamnd.contracts.v1.ContractsService.ListAgreements";

class AuthorizationTest : public SecurityFixture {};

TEST_F(AuthorizationTest, TheTestPrincipalsLackTheRolesTheStoryNeeds) {
  // The loop below relies on these: every write is denied to the public
  // reader, everything but the audit trail to the operator, everything to
  // the stranger.
  for (const google::protobuf::MethodDescriptor* method : AllMethods()) {
    const std::string path = platform::FullMethodName(*method);
    EXPECT_FALSE(MayCall(kStranger, *method)) << path;
    if (!PolicyOf(*method).read_only()) {
      EXPECT_FALSE(MayCall(kPublicReader, *method)) << path;
    }
    EXPECT_EQ(MayCall(kOperator, *method), method->name() == "ListAuditRecords") << path;
    // Initiatives, procurements and agreements are the coordinator's to
    // change: the secretary and the readers (auditor, municipality system)
    // are refused.
    const std::string service = method->service()->full_name();
    if ((service == kProjectsService || service == kContractsService) &&
        !PolicyOf(*method).read_only()) {
      EXPECT_TRUE(MayCall(kCoordinator, *method)) << path;
      for (const char* principal : {kSecretary, kAuditor2584, kSystem2584}) {
        EXPECT_FALSE(MayCall(principal, *method)) << path << " " << principal;
      }
    }
    // Budgets, outcomes and prices are the finance officer's; the metered
    // usage the e-service platform's.
    if (service == kFinanceService && !PolicyOf(*method).read_only()) {
      EXPECT_EQ(MayCall(kFinance, *method), method->name() != "IngestUsage") << path;
      for (const char* principal : {kSecretary, kCoordinator, kAuditor2584, kSystem2584}) {
        EXPECT_FALSE(MayCall(principal, *method)) << path << " " << principal;
      }
    }
  }
}

TEST_F(AuthorizationTest, EveryMethodRefusesCallersWithoutIdentityOrRoleAndWritesNothing) {
  ASSERT_FALSE(HasFatalFailure());
  Snapshot before = Settled();
  ASSERT_GT(before.rows.at("meetings.paragraphs"), 0);
  ASSERT_GT(before.rows.at("audits.documents"), 0);
  ASSERT_GT(before.rows.at("projects.initiatives"), 0);
  ASSERT_GT(before.rows.at("contracts.procurements"), 0);
  ASSERT_GT(before.rows.at("contracts.agreements"), 0);
  ASSERT_GT(before.streams.at("enamnd:events:meetings"), 0);
  ASSERT_GT(before.streams.at("enamnd:events:projects"), 0);
  ASSERT_GT(before.streams.at("enamnd:events:contracts"), 0);
  ASSERT_GT(before.rows.at("finance.budgets"), 0);
  ASSERT_GT(before.streams.at("enamnd:events:finance"), 0);
  int methods = 0, denials = 0;
  for (const google::protobuf::MethodDescriptor* method : AllMethods()) {
    ++methods;
    const std::string service = method->service()->full_name();
    const std::string path = platform::FullMethodName(*method);
    const auth::v1::MethodPolicy& policy = PolicyOf(*method);
    std::unique_ptr<google::protobuf::Message> request =
        RequestOf(*method, ValidRequestText(*method));

    grpc::Status anonymous = CallMethod(AnonymousChannelTo(service), *method, *request);
    EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << path << ": " << anonymous.error_message();
    EXPECT_TRUE(absl::StrContains(anonymous.error_message(), "no identity")) << path;

    for (const std::string& principal : AllPrincipals()) {
      if (MayCall(principal, *method)) continue;
      ++denials;
      grpc::Status denied = CallMethod(ChannelTo(service, principal), *method, *request);
      EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << path << " as " << principal << ": " << denied.error_message();
      // The message names the method, a role it needs and who was refused.
      EXPECT_TRUE(absl::StrContains(denied.error_message(), path)) << denied.error_message();
      bool names_a_role = false;
      for (const std::string& role : RolesOf(policy)) {
        names_a_role = names_a_role || absl::StrContains(denied.error_message(), role);
      }
      EXPECT_TRUE(names_a_role) << path << ": " << denied.error_message();
      EXPECT_TRUE(absl::StrContains(denied.error_message(), principal)) << denied.error_message();
    }
  }
  EXPECT_EQ(methods, ServiceNamed(kMeetingsService).method_count() +
                         ServiceNamed(kAuditsService).method_count() +
                         ServiceNamed(kProjectsService).method_count() +
                         ServiceNamed(kContractsService).method_count() +
                         ServiceNamed(kFinanceService).method_count());
  EXPECT_GE(denials, 2 * methods);  // at least the stranger and the operator, nearly always
  Snapshot after = Take();
  EXPECT_TRUE(before == after) << "refused calls changed " << Difference(before, after);
}

TEST_F(AuthorizationTest, HoldersOfAMethodsRoleGetPastTheGate) {
  // The empty request: the gate lets holders through and the handler
  // refuses the request itself (INVALID_ARGUMENT, NOT_FOUND...), never
  // with UNAUTHENTICATED or PERMISSION_DENIED. Nothing is written.
  Snapshot before = Settled();
  int admitted = 0;
  for (const google::protobuf::MethodDescriptor* method : AllMethods()) {
    if (method->server_streaming()) continue;  // would stream until its deadline
    // A stream of one empty batch is a valid ingest of nothing (OK, with
    // its audit record);
    // tests/finance/usage_api_test.cc admits the e-service platform.
    if (method->client_streaming()) continue;
    const std::string service = method->service()->full_name();
    std::unique_ptr<google::protobuf::Message> empty = RequestOf(*method, "");
    for (const std::string& principal : AllPrincipals()) {
      if (!MayCall(principal, *method)) continue;
      ++admitted;
      grpc::Status status = CallMethod(ChannelTo(service, principal), *method, *empty);
      EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << method->full_name() << " as " << principal;
      if (method->full_name() == kScopedListAgreements && principal == kSystem2584) {
        // Past the gate, the handler refuses a municipality system's list
        // that names no municipality (scope_test.cc); not the gate's words.
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_TRUE(absl::StrContains(status.error_message(), "filter by municipality"))
            << status.error_message();
        EXPECT_FALSE(absl::StrContains(status.error_message(), "needs role"))
            << status.error_message();
        continue;
      }
      EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method->full_name() << " as " << principal << ": " << status.error_message();
      if (!PolicyOf(*method).read_only()) {
        EXPECT_FALSE(status.ok()) << method->full_name() << " accepted the empty request";
      }
    }
  }
  EXPECT_GT(admitted, 0);
  Snapshot after = Take();
  EXPECT_TRUE(before == after) << "empty requests changed " << Difference(before, after);
}

TEST_F(AuthorizationTest, WatchDecisionsIsAdmittedForItsRolesOnly) {
  const google::protobuf::MethodDescriptor* watch =
      ServiceNamed(kMeetingsService).FindMethodByName("WatchDecisions");
  ASSERT_NE(watch, nullptr);
  std::unique_ptr<google::protobuf::Message> request = RequestOf(*watch, "");
  // A holder streams until the deadline ends the call.
  grpc::Status admitted = CallMethod(ChannelTo(kMeetingsService, enamnd::testing::kSystem2584),
                                     *watch, *request, std::chrono::milliseconds(500));
  EXPECT_EQ(admitted.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << admitted.error_message();
  grpc::Status denied = CallMethod(ChannelTo(kMeetingsService, kPublicReader), *watch, *request);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthorizationTest, EveryStreamingMethodAdmitsItsRolesOnly) {
  // The empty request is a valid watch (from the start, everything): a
  // holder of a role streams until the deadline ends the call, anyone else
  // is refused at once.
  int streaming = 0;
  for (const google::protobuf::MethodDescriptor* method : AllMethods()) {
    if (!method->server_streaming()) continue;
    ++streaming;
    const std::string service = method->service()->full_name();
    std::unique_ptr<google::protobuf::Message> empty = RequestOf(*method, "");
    for (const std::string& principal : AllPrincipals()) {
      grpc::Status status = CallMethod(ChannelTo(service, principal), *method, *empty,
                                       std::chrono::milliseconds(300));
      if (principal == enamnd::testing::kSystem2584 && MayCall(principal, *method) &&
          !PolicyOf(*method).scoped_roles().empty()) {
        // A scoped watcher must name its municipality, and then streams.
        EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << method->full_name() << ": " << status.error_message();
        EXPECT_TRUE(absl::StrContains(status.error_message(), "set municipality"))
            << status.error_message();
        std::unique_ptr<google::protobuf::Message> own =
            RequestOf(*method, "municipality: \"municipalities/2584\"");
        grpc::Status watched = CallMethod(ChannelTo(service, principal), *method, *own,
                                          std::chrono::milliseconds(300));
        EXPECT_EQ(watched.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
            << method->full_name() << ": " << watched.error_message();
        std::unique_ptr<google::protobuf::Message> other =
            RequestOf(*method, "municipality: \"municipalities/2580\"");
        EXPECT_EQ(CallMethod(ChannelTo(service, principal), *method, *other,
                             std::chrono::milliseconds(300))
                      .error_code(),
                  grpc::StatusCode::PERMISSION_DENIED)
            << method->full_name();
        continue;
      }
      EXPECT_EQ(status.error_code(), MayCall(principal, *method)
                                         ? grpc::StatusCode::DEADLINE_EXCEEDED
                                         : grpc::StatusCode::PERMISSION_DENIED)
          << method->full_name() << " as " << principal << ": " << status.error_message();
    }
  }
  EXPECT_EQ(streaming, 6);  // WatchEvents of the five services, WatchDecisions
}

TEST_F(AuthorizationTest, TheValidRequestsAreValid) {
  // Proves the denial test sends requests that would have written: the
  // clerk (every staff role) sends the same ones and each succeeds.
  for (const auto& [name, text] : ValidRequests()) {
    const google::protobuf::MethodDescriptor* method =
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
    ASSERT_NE(method, nullptr) << name;
    EXPECT_FALSE(PolicyOf(*method).read_only()) << name;
    std::unique_ptr<google::protobuf::Message> request = RequestOf(*method, text);
    grpc::Status status =
        CallMethod(ChannelTo(method->service()->full_name(), kClerk), *method, *request);
    EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
  }
}

}  // namespace
}  // namespace enamnd::security
