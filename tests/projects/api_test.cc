// Stories over the projects service's API, in-process with the meetings
// service that registers the members: an initiative's life, its directive,
// its participants, status and final reports, the portfolio, the roles, the
// decisions linked from the meetings stream, and bad input that writes
// nothing.
#include "absl/strings/match.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "enamnd/projects/v1/events.pb.h"
#include "services/projects/api/projects_api.h"
#include "tests/projects/fixture.h"
#include "tests/support/principals.h"
#include "tests/support/watcher.h"

namespace enamnd::projects {
namespace {

using testing::Day;
using Stub = v1::ProjectsService::Stub;

class ProjectsApiTest : public ProjectsFixture {
 protected:
  void SetUp() override {
    ProjectsFixture::SetUp();
    ASSERT_NO_FATAL_FAILURE(RegisterMembers({"2580", "2582", "2584"}));
  }

  v1::Initiative Create(const std::string& id, const std::vector<std::string>& codes) {
    v1::Initiative out;
    grpc::Status status = Projects(&Stub::CreateInitiative, PreStudyRequest(id, codes), &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }
  grpc::Status Move(const std::string& id, v1::State state, common::v1::Date date,
                    v1::Initiative* out) {
    v1::TransitionInitiativeRequest request;
    request.set_name("initiatives/" + id);
    request.set_state(state);
    *request.mutable_date() = date;
    return Projects(&Stub::TransitionInitiative, request, out);
  }
  grpc::Status Revise(const std::string& id, const std::string& letter, const std::string& summary,
                      v1::Revision* out) {
    v1::CreateRevisionRequest request;
    request.set_initiative("initiatives/" + id);
    request.set_revision_id(letter);
    v1::Revision* r = request.mutable_revision();
    r->mutable_document()->set_title("Förstudiedirektiv Rev " + letter);
    r->set_change_summary(summary);
    r->mutable_decided_by()->set_steering_group_protocol("Protokoll styrgrupp gemensamt HR 220504");
    *r->mutable_decided_date() = Day(2022, 5, 4);
    return Projects(&Stub::CreateRevision, request, out);
  }
  v1::Initiative Get(const std::string& id) {
    v1::GetInitiativeRequest request;
    request.set_name("initiatives/" + id);
    v1::Initiative out;
    EXPECT_TRUE(Projects(&Stub::GetInitiative, request, &out).ok());
    return out;
  }
};

TEST_F(ProjectsApiTest, AnInitiativeGoesThroughItsLife) {
  v1::Initiative in = Create("hr-payroll", {"2582", "2580"});
  EXPECT_EQ(in.name(), "initiatives/hr-payroll");
  EXPECT_EQ(in.state(), v1::STATE_PROPOSED);
  EXPECT_EQ(EventCount("InitiativeCreated"), 1);
  EXPECT_EQ(EventCount("ParticipationChanged"), 2);  // one per first participant

  ASSERT_TRUE(Move("hr-payroll", v1::STATE_DECIDED, Day(2022, 3, 16), &in).ok());
  ASSERT_TRUE(Move("hr-payroll", v1::STATE_RUNNING, Day(2022, 3, 20), &in).ok());
  // Sent again (a retry): nothing new.
  ASSERT_TRUE(Move("hr-payroll", v1::STATE_RUNNING, Day(2022, 3, 20), &in).ok());
  EXPECT_EQ(EventCount("InitiativeStateChanged"), 2);
  EXPECT_EQ(in.transitions_size(), 3);

  const std::string etag = in.etag();
  grpc::Status forbidden = Move("hr-payroll", v1::STATE_CLOSED, Day(2022, 6, 1), &in);
  EXPECT_EQ(forbidden.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(forbidden.error_message(),
                                "a pre_study that is running may become final_report or stopped, "
                                "not closed"))
      << forbidden.error_message();
  EXPECT_EQ(Get("hr-payroll").etag(), etag);  // nothing written
  EXPECT_EQ(EventCount("InitiativeStateChanged"), 2);

  v1::TransitionInitiativeRequest stale;
  stale.set_name("initiatives/hr-payroll");
  stale.set_state(v1::STATE_FINAL_REPORT);
  *stale.mutable_date() = Day(2022, 6, 13);
  stale.set_etag("1");
  EXPECT_EQ(Projects(&Stub::TransitionInitiative, stale, &in).error_code(),
            grpc::StatusCode::ABORTED);
}

TEST_F(ProjectsApiTest, TheDirectiveKeepsEveryRevision) {
  Create("hr-payroll", {"2582"});
  v1::Revision rev;
  ASSERT_TRUE(Revise("hr-payroll", "A", "", &rev).ok());
  EXPECT_EQ(rev.name(), "initiatives/hr-payroll/revisions/A");
  EXPECT_INVALID_FIELD(Revise("hr-payroll", "C", "Endast löneprocesserna", &rev), "revision_id");
  EXPECT_INVALID_FIELD(Revise("hr-payroll", "B", "", &rev), "revision.change_summary");
  ASSERT_TRUE(Revise("hr-payroll", "B", "Endast löneprocesserna", &rev).ok());
  // Rev B is never written twice.
  grpc::Status again = Revise("hr-payroll", "B", "Annat", &rev);
  EXPECT_INVALID_FIELD(again, "revision_id: after Rev B comes Rev C, not Rev B");

  v1::GetRevisionRequest current;
  current.set_name("initiatives/hr-payroll/revisions/-");
  ASSERT_TRUE(Projects(&Stub::GetRevision, current, &rev).ok());
  EXPECT_EQ(rev.letter(), "B");
  EXPECT_EQ(rev.change_summary(), "Endast löneprocesserna");
  v1::ListRevisionsRequest history;
  history.set_initiative("initiatives/hr-payroll");
  v1::ListRevisionsResponse all;
  ASSERT_TRUE(Projects(&Stub::ListRevisions, history, &all).ok());
  ASSERT_EQ(all.revisions_size(), 2);
  EXPECT_EQ(all.revisions(0).letter(), "A");
  EXPECT_EQ(Get("hr-payroll").current_revision(), "B");
  EXPECT_EQ(EventCount("DirectiveRevised"), 2);
}

TEST_F(ProjectsApiTest, WhichInitiativesDoesBodenTakePartInOnADay) {
  Create("hr-payroll", {"2582", "2580"});
  Create("e-learning", {"2580"});
  v1::JoinInitiativeRequest join;
  join.set_initiative("initiatives/e-learning");
  join.set_municipality("municipalities/2582");
  *join.mutable_joined_date() = Day(2022, 5, 1);
  v1::Initiative out;
  ASSERT_TRUE(Projects(&Stub::JoinInitiative, join, &out).ok());
  v1::LeaveInitiativeRequest leave;
  leave.set_initiative("initiatives/hr-payroll");
  leave.set_municipality("municipalities/2582");
  *leave.mutable_left_date() = Day(2022, 3, 1);  // before it joined
  EXPECT_INVALID_FIELD(Projects(&Stub::LeaveInitiative, leave, &out), "left_date");
  *leave.mutable_left_date() = Day(2022, 5, 31);
  ASSERT_TRUE(Projects(&Stub::LeaveInitiative, leave, &out).ok());
  EXPECT_EQ(EventCount("ParticipationChanged"), 5);

  auto names_on = [&](const std::string& day) {
    v1::ListInitiativesRequest request;
    request.set_filter("municipality = \"municipalities/2582\" AND date = " + day);
    v1::ListInitiativesResponse response;
    EXPECT_TRUE(Projects(&Stub::ListInitiatives, request, &response).ok());
    std::vector<std::string> names;
    for (const auto& in : response.initiatives()) names.push_back(in.name());
    return names;
  };
  EXPECT_EQ(names_on("2022-04-01"), std::vector<std::string>{"initiatives/hr-payroll"});
  EXPECT_EQ(names_on("2022-05-15"),
            (std::vector<std::string>{"initiatives/hr-payroll", "initiatives/e-learning"}));
  EXPECT_EQ(names_on("2022-06-22"), std::vector<std::string>{"initiatives/e-learning"});
}

TEST_F(ProjectsApiTest, BadInputNamesTheFieldAndWritesNothing) {
  v1::Initiative out;
  v1::CreateInitiativeRequest unknown = PreStudyRequest("x", {"2510"});  // Jokkmokk: not registered
  EXPECT_INVALID_FIELD(Projects(&Stub::CreateInitiative, unknown, &out),
                       "initiative.participations[0].municipality: municipalities/2510 is not a "
                       "member municipality");
  v1::CreateInitiativeRequest foreign = PreStudyRequest("x", {"2582"});
  foreign.mutable_initiative()->set_budget_line("//audits/reviews/2021-2584");
  EXPECT_INVALID_FIELD(Projects(&Stub::CreateInitiative, foreign, &out), "initiative.budget_line");
  v1::CreateInitiativeRequest malformed = PreStudyRequest("X Y", {"2582"});
  EXPECT_INVALID_FIELD(Projects(&Stub::CreateInitiative, malformed, &out), "initiative_id");
  v1::CreateInitiativeRequest backwards = PreStudyRequest("x", {"2582"});
  *backwards.mutable_initiative()->mutable_participations(0)->mutable_left_date() = Day(2022, 1, 1);
  EXPECT_INVALID_FIELD(Projects(&Stub::CreateInitiative, backwards, &out),
                       "initiative.participations[0].left_date");
  EXPECT_EQ(Rows("initiatives"), 0);
  EXPECT_EQ(Rows("participations"), 0);
  EXPECT_EQ(Rows("outbox WHERE type LIKE 'enamnd.projects.%'"), 0);

  Create("hr-payroll", {"2582"});
  v1::JoinInitiativeRequest join;
  join.set_initiative("initiatives/hr-payroll");
  join.set_municipality("municipalities/2510");
  *join.mutable_joined_date() = Day(2022, 5, 1);
  EXPECT_INVALID_FIELD(Projects(&Stub::JoinInitiative, join, &out), "municipality");
  join.set_initiative("initiatives/nothing");
  EXPECT_EQ(Projects(&Stub::JoinInitiative, join, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Rows("participations"), 1);
}

TEST_F(ProjectsApiTest, StatusAndFinalReportsAndThePortfolio) {
  Create("e-learning", {"2580", "2582"});
  v1::Initiative in;
  for (auto [state, day] :
       std::vector<std::pair<v1::State, int>>{{v1::STATE_DECIDED, 17}, {v1::STATE_RUNNING, 18}}) {
    ASSERT_TRUE(Move("e-learning", state, Day(2022, 3, day), &in).ok());
  }
  v1::CreateStatusReportRequest report;
  report.set_initiative("initiatives/e-learning");
  report.set_request_id("status-2022-06-22");
  *report.mutable_status_report()->mutable_report_date() = Day(2022, 6, 22);
  report.mutable_status_report()->add_status_lines(
      "Förstudie genomförd (avrapporteras i separat ärende)");
  v1::StatusReport made;
  ASSERT_TRUE(Projects(&Stub::CreateStatusReport, report, &made).ok());
  EXPECT_EQ(made.name(), "initiatives/e-learning/status-reports/1");
  ASSERT_TRUE(Projects(&Stub::CreateStatusReport, report, &made).ok());  // replayed
  EXPECT_EQ(made.name(), "initiatives/e-learning/status-reports/1");
  EXPECT_EQ(EventCount("StatusReported"), 1);

  v1::RecordFinalReportRequest final_report;
  final_report.set_initiative("initiatives/e-learning");
  v1::FinalReport* f = final_report.mutable_final_report();
  f->mutable_document()->set_title("Förstudierapport e-learning rev A 22-06-13");
  f->set_continuation(v1::CONTINUATION_PENDING);
  *f->mutable_report_date() = Day(2022, 6, 13);
  EXPECT_EQ(Projects(&Stub::RecordFinalReport, final_report, &in).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // still running
  ASSERT_TRUE(Move("e-learning", v1::STATE_FINAL_REPORT, Day(2022, 6, 13), &in).ok());
  ASSERT_TRUE(Projects(&Stub::RecordFinalReport, final_report, &in).ok());
  EXPECT_EQ(in.final_report().continuation(), v1::CONTINUATION_PENDING);

  v1::GetPortfolioRequest request;
  *request.mutable_date() = Day(2022, 6, 22);
  v1::Portfolio portfolio;
  ASSERT_TRUE(Projects(&Stub::GetPortfolio, request, &portfolio).ok());
  ASSERT_EQ(portfolio.entries_size(), 1);
  EXPECT_EQ(portfolio.entries(0).state(), v1::STATE_FINAL_REPORT);
  EXPECT_EQ(portfolio.entries(0).participant_display_names(0), "Kommun 2580");
  v1::RenderPortfolioRequest render;
  *render.mutable_portfolio() = request;
  render.set_format(v1::RENDER_FORMAT_MARKDOWN);
  v1::RenderedPortfolio rendered;
  ASSERT_TRUE(Projects(&Stub::RenderPortfolio, render, &rendered).ok());
  EXPECT_TRUE(absl::StrContains(
      rendered.text(), "STATUS:\n\n- Förstudie genomförd (avrapporteras i separat ärende)"))
      << rendered.text();
  render.clear_format();
  EXPECT_INVALID_FIELD(Projects(&Stub::RenderPortfolio, render, &rendered), "format");
  request.set_municipality("municipalities/2584");  // a member, but not taking part
  ASSERT_TRUE(Projects(&Stub::GetPortfolio, request, &portfolio).ok());
  EXPECT_EQ(portfolio.entries_size(), 0);
}

TEST_F(ProjectsApiTest, ThePublicReadsActiveInitiativesOnly) {
  Create("hr-payroll", {"2582"});
  Create("stopped-one", {"2582"});
  v1::Initiative in;
  ASSERT_TRUE(Move("stopped-one", v1::STATE_STOPPED, Day(2022, 4, 1), &in).ok());

  auto public_stub = projects_service_.StubAs(testing::kPublicReader);
  v1::GetInitiativeRequest get;
  get.set_name("initiatives/hr-payroll");
  EXPECT_TRUE(testing::Call(public_stub.get(), &Stub::GetInitiative, get, &in).ok());
  get.set_name("initiatives/stopped-one");
  EXPECT_EQ(testing::Call(public_stub.get(), &Stub::GetInitiative, get, &in).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListInitiativesResponse listed;
  ASSERT_TRUE(testing::Call(public_stub.get(), &Stub::ListInitiatives, v1::ListInitiativesRequest(),
                            &listed)
                  .ok());
  ASSERT_EQ(listed.initiatives_size(), 1);
  EXPECT_EQ(listed.initiatives(0).name(), "initiatives/hr-payroll");
  v1::ListInitiativesRequest inactive;
  inactive.set_filter("active = false");
  ASSERT_TRUE(testing::Call(public_stub.get(), &Stub::ListInitiatives, inactive, &listed).ok());
  EXPECT_EQ(listed.initiatives_size(), 0);
  // Nor in the portfolio of a day it was active.
  v1::GetPortfolioRequest march;
  *march.mutable_date() = Day(2022, 3, 20);
  v1::Portfolio portfolio;
  ASSERT_TRUE(testing::Call(public_stub.get(), &Stub::GetPortfolio, march, &portfolio).ok());
  EXPECT_EQ(portfolio.entries_size(), 1);
  ASSERT_TRUE(Projects(&Stub::GetPortfolio, march, &portfolio).ok());
  EXPECT_EQ(portfolio.entries_size(), 2);  // the coordinator's
  ASSERT_TRUE(Projects(&Stub::ListInitiatives, v1::ListInitiativesRequest(), &listed).ok());
  EXPECT_EQ(listed.initiatives_size(), 2);  // the coordinator reads them all

  // Writes need the coordinator.
  EXPECT_EQ(
      testing::Call(public_stub.get(), &Stub::CreateInitiative, PreStudyRequest("x", {"2582"}), &in)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  auto secretary = projects_service_.StubAs(testing::kSecretary);
  EXPECT_EQ(
      testing::Call(secretary.get(), &Stub::CreateInitiative, PreStudyRequest("x", {"2582"}), &in)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  auto coordinator = projects_service_.StubAs(testing::kCoordinator);
  ASSERT_TRUE(
      testing::Call(coordinator.get(), &Stub::CreateInitiative, PreStudyRequest("x", {"2582"}), &in)
          .ok());
  EXPECT_EQ(in.create_principal(), testing::kCoordinator);
}

TEST_F(ProjectsApiTest, DecisionsAboutAnInitiativeAreLinkedToIt) {
  // The meetings service's event, handled as the subscriber would: it may
  // arrive before the initiative is registered.
  meetings::v1::DecisionRecorded d;
  d.mutable_paragraph()->set_name("bodies/e-namnden/meetings/2022-06-22/paragraphs/11");
  d.mutable_paragraph()->set_number(11);
  d.mutable_paragraph()->set_title("Revidering förstudiedirektiv HR");
  d.mutable_paragraph()->mutable_decision()->set_text(
      "E-nämnden beslutar att lägga informationen till handlingarna.");
  *d.mutable_meeting_date() = Day(2022, 6, 22);
  d.set_case_subject("//projects/initiatives/hr-payroll");
  io::cloudevents::v1::CloudEvent event;
  event.set_source("//enamnd/meetings");
  event.set_id("41");
  event.set_type("enamnd.meetings.v1.DecisionRecorded");
  event.mutable_proto_data()->PackFrom(d);
  ProjectsApi api(projects_->db(), projects_->outbox(), projects_->clock());
  for (int i = 0; i < 2; ++i) {  // delivered twice: linked once
    auto tx = projects_->db()->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(api.HandleMeetingsEvent(*tx, event).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(EventCount("DecisionLinked"), 1);
  v1::Initiative in = Create("hr-payroll", {"2582"});
  ASSERT_EQ(in.decisions_size(), 1);
  EXPECT_EQ(in.decisions(0).paragraph_number(), 11);
  EXPECT_EQ(in.decisions(0).title(), "Revidering förstudiedirektiv HR");
}

TEST_F(ProjectsApiTest, WatchEventsByMunicipalityGivesItsParticipations) {
  Create("hr-payroll", {"2582", "2580"});  // 1 created, 2 and 3 participations
  testing::EventWatcher boden(testing::WatchEventsOn(projects_stub_, 0, {}, "municipalities/2582"));
  testing::EventWatcher everything(testing::WatchEventsOn(projects_stub_, 0));
  // A code the member register does not have is refused, not an empty stream.
  testing::EventWatcher jokkmokk(
      testing::WatchEventsOn(projects_stub_, 0, {}, "municipalities/2510"));
  ASSERT_TRUE(testing::PollUntil(
      [&] { return boden.count() == 1 && everything.count() == 3 && jokkmokk.done(); },
      absl::Seconds(10)));
  EXPECT_EQ(boden.received()[0].event().type(), "enamnd.projects.v1.ParticipationChanged");
  v1::ParticipationChanged changed;
  ASSERT_TRUE(boden.received()[0].event().proto_data().UnpackTo(&changed));
  EXPECT_EQ(changed.participation().municipality(), "municipalities/2582");
  EXPECT_EQ(changed.budget_line(), "//finance/budgets/2022/lines/hr-payroll");
  EXPECT_EQ(jokkmokk.status().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(jokkmokk.status().error_message(), "not a member"))
      << jokkmokk.status().error_message();
}

}  // namespace
}  // namespace enamnd::projects
