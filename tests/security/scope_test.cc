// Scoped writes (an auditor of 2584 changes only reviews of 2584; a
// municipality's system writes only its own notice posting and discharge),
// scoped reads (a municipality's system reads the agreements its
// municipality is entitled to call off, and writes none; its own cost
// shares of a budget) and what the public reads (adjusted decisions and
// protocols, never drafts; active initiatives, never a stopped or closed one
// by any read; adopted budgets, never a draft).
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/security/fixture.h"

namespace enamnd::security {
namespace {

using enamnd::testing::Call;
using enamnd::testing::Day;
using enamnd::testing::kAuditor2584;
using enamnd::testing::kClerk;
using enamnd::testing::kCoordinator;
using enamnd::testing::kFinance;
using enamnd::testing::kPublicReader;
using enamnd::testing::kSecretary;
using enamnd::testing::kSystem2584;
using AuditsStub = av1::AuditsService::Stub;
using MeetingsStub = mv1::MeetingsService::Stub;

// PERMISSION_DENIED naming `what` (a resource or municipality).
::testing::AssertionResult DeniedNaming(const grpc::Status& status, const std::string& what) {
  if (status.error_code() != grpc::StatusCode::PERMISSION_DENIED) {
    return ::testing::AssertionFailure()
           << "code " << status.error_code() << ": " << status.error_message();
  }
  if (!absl::StrContains(status.error_message(), what)) {
    return ::testing::AssertionFailure()
           << "\"" << status.error_message() << "\" names no " << what;
  }
  return ::testing::AssertionSuccess();
}

class ScopeTest : public SecurityFixture {
 protected:
  av1::UpdateReviewRequest RetitleReview(const std::string& review) {
    av1::UpdateReviewRequest request;
    request.mutable_review()->set_name(review);
    request.mutable_review()->set_title("Granskning med ny rubrik");
    request.mutable_update_mask()->add_paths("title");
    return request;
  }
  av1::UpdateRecommendationRequest AssignRecommendation(const std::string& recommendation) {
    av1::UpdateRecommendationRequest request;
    request.mutable_recommendation()->set_name(recommendation);
    request.mutable_recommendation()->set_responsible("Samordnaren");
    request.mutable_update_mask()->add_paths("responsible");
    return request;
  }
  av1::RecordDischargeRequest Discharge(const std::string& review, const std::string& code) {
    av1::RecordDischargeRequest request;
    request.set_review(review);
    request.mutable_discharge()->set_municipality("municipalities/" + code);
    request.mutable_discharge()->set_decision(av1::Discharge::DECISION_GRANTED);
    *request.mutable_discharge()->mutable_decided_date() = Day(2022, 6, 13);
    return request;
  }
  grpc::Status Adjust(const std::string& method_kind, std::vector<int> numbers,
                      mv1::Adjustment* out) {
    if (method_kind == "protocol") {
      mv1::AdjustProtocolRequest request;
      request.set_meeting(kTestMeeting);
      request.mutable_chair()->set_display_name("Ledamot 2584");
      request.add_adjusters()->set_display_name("Ledamot 2523");
      *request.mutable_adjusted_date() = Day(2022, 6, 29);
      return Call(meetings_stub_, &MeetingsStub::AdjustProtocol, request, out);
    }
    mv1::AdjustParagraphsRequest request;
    request.set_meeting(kTestMeeting);
    for (int n : numbers) request.add_paragraph_numbers(n);
    request.mutable_chair()->set_display_name("Ledamot 2584");
    request.add_adjusters()->set_display_name("Ledamot 2523");
    *request.mutable_adjusted_date() = Day(2022, 6, 22);
    return Call(meetings_stub_, &MeetingsStub::AdjustParagraphs, request, out);
  }
  mv1::RecordNoticePostingRequest Notice(const std::string& adjustment, const std::string& code) {
    mv1::RecordNoticePostingRequest request;
    request.set_adjustment(adjustment);
    request.set_municipality("municipalities/" + code);
    *request.mutable_posted_date() = Day(2022, 6, 29);
    return request;
  }
};

TEST_F(ScopeTest, AuditorOf2584ChangesReviewsOf2584Only) {
  AuditsStubPtr auditor = AuditsAs(kAuditor2584);
  av1::Review review;
  av1::Recommendation recommendation;
  // Its own municipality: create, change, recommend, follow up.
  ASSERT_TRUE(
      Call(auditor.get(), &AuditsStub::CreateReview, audits::ReviewRequest(2022, {"2584"}), &review)
          .ok());
  EXPECT_EQ(review.create_principal(), kAuditor2584);
  grpc::Status updated =
      Call(auditor.get(), &AuditsStub::UpdateReview, RetitleReview(kReview2584), &review);
  ASSERT_TRUE(updated.ok()) << updated.error_message();
  EXPECT_EQ(review.update_principal(), kAuditor2584);
  grpc::Status recommended =
      Call(auditor.get(), &AuditsStub::CreateRecommendation,
           audits::RecommendationRequest(kReview2584, {"2584"}), &recommendation);
  ASSERT_TRUE(recommended.ok()) << recommended.error_message();
  EXPECT_EQ(recommendation.name(), "reviews/2021-2584/recommendations/2");
  EXPECT_TRUE(Call(auditor.get(), &AuditsStub::UpdateRecommendation,
                   AssignRecommendation("reviews/2021-2584/recommendations/1"), &recommendation)
                  .ok());

  // Another municipality's review: refused, nothing written.
  Snapshot before = Settled();
  EXPECT_TRUE(DeniedNaming(Call(auditor.get(), &AuditsStub::CreateReview,
                                audits::ReviewRequest(2022, {"2580"}), &review),
                           "2580"));
  // A review of 2580 that 2584 also audits is still 2580's (the first
  // auditing municipality names it).
  EXPECT_TRUE(DeniedNaming(Call(auditor.get(), &AuditsStub::CreateReview,
                                audits::ReviewRequest(2023, {"2580", "2584"}), &review),
                           "reviews/2023-2580"));
  EXPECT_TRUE(DeniedNaming(
      Call(auditor.get(), &AuditsStub::UpdateReview, RetitleReview(kReview2580), &review),
      kReview2580));
  EXPECT_TRUE(
      DeniedNaming(Call(auditor.get(), &AuditsStub::CreateRecommendation,
                        audits::RecommendationRequest(kReview2580, {"2580"}), &recommendation),
                   kReview2580));
  EXPECT_TRUE(DeniedNaming(
      Call(auditor.get(), &AuditsStub::UpdateRecommendation,
           AssignRecommendation("reviews/2021-2580/recommendations/1"), &recommendation),
      "2580"));
  // Discharges are the municipality system's, not the auditor's.
  EXPECT_TRUE(DeniedNaming(
      Call(auditor.get(), &AuditsStub::RecordDischarge, Discharge(kReview2584, "2584"), &review),
      "municipality-system"));
  Snapshot after = Take();
  EXPECT_TRUE(before == after) << "refused calls changed " << Difference(before, after);
}

TEST_F(ScopeTest, MunicipalitySystemRecordsOnlyItsOwnDischarge) {
  AuditsStubPtr system = AuditsAs(kSystem2584);
  av1::Review review;
  Snapshot before = Settled();
  EXPECT_TRUE(DeniedNaming(
      Call(system.get(), &AuditsStub::RecordDischarge, Discharge(kReview2580, "2580"), &review),
      "municipalities/2580"));
  // Its own review, but naming another municipality's council.
  EXPECT_TRUE(DeniedNaming(
      Call(system.get(), &AuditsStub::RecordDischarge, Discharge(kReview2584, "2580"), &review),
      "municipalities/2580"));
  // The system may not change reviews at all.
  EXPECT_TRUE(DeniedNaming(
      Call(system.get(), &AuditsStub::UpdateReview, RetitleReview(kReview2584), &review),
      "auditor"));
  Snapshot after = Take();
  EXPECT_TRUE(before == after) << "refused calls changed " << Difference(before, after);

  grpc::Status own =
      Call(system.get(), &AuditsStub::RecordDischarge, Discharge(kReview2584, "2584"), &review);
  ASSERT_TRUE(own.ok()) << own.error_message();
  ASSERT_EQ(review.discharges_size(), 1);
  EXPECT_EQ(review.update_principal(), kSystem2584);
}

TEST_F(ScopeTest, MunicipalitySystemPostsOnlyItsOwnNotice) {
  mv1::Adjustment adjustment;
  grpc::Status adjusted = Adjust("protocol", {}, &adjustment);
  ASSERT_TRUE(adjusted.ok()) << adjusted.error_message();
  MeetingsStubPtr system = MeetingsAs(kSystem2584);
  mv1::Adjustment out;
  Snapshot before = Settled();
  EXPECT_TRUE(DeniedNaming(Call(system.get(), &MeetingsStub::RecordNoticePosting,
                                Notice(adjustment.name(), "2580"), &out),
                           "municipalities/2580"));
  EXPECT_TRUE(DeniedNaming(Call(system.get(), &MeetingsStub::RecordNoticePosting,
                                Notice(adjustment.name(), "2523"), &out),
                           "municipalities/2523"));
  Snapshot after = Take();
  EXPECT_TRUE(before == after) << "refused calls changed " << Difference(before, after);

  grpc::Status own = Call(system.get(), &MeetingsStub::RecordNoticePosting,
                          Notice(adjustment.name(), "2584"), &out);
  ASSERT_TRUE(own.ok()) << own.error_message();
  bool posted = false;
  for (const auto& notice : out.notices()) {
    posted = posted || (notice.municipality() == "municipalities/2584" && notice.has_posted_date());
  }
  EXPECT_TRUE(posted) << out.DebugString();
}

TEST_F(ScopeTest, PublicReaderSeesOfficialDocumentsOnly) {
  // A second draft, so that one paragraph can be adjusted before the other.
  mv1::Paragraph second = enamnd::testing::Decide(meetings_stub_, "Nämnden beslutar om budget.",
                                                  mv1::DECISION_KIND_ADOPT);
  ASSERT_FALSE(second.name().empty());
  MeetingsStubPtr reader = MeetingsAs(kPublicReader);
  auto get = [&](const std::string& name) {
    mv1::GetParagraphRequest request;
    request.set_name(name);
    mv1::Paragraph out;
    return Call(reader.get(), &MeetingsStub::GetParagraph, request, &out);
  };
  auto render = [&] {
    mv1::RenderProtocolRequest request;
    request.set_meeting(kTestMeeting);
    mv1::RenderedProtocol out;
    return Call(reader.get(), &MeetingsStub::RenderProtocol, request, &out);
  };
  auto listed = [&] {
    mv1::ListParagraphsRequest request;
    request.set_parent(kTestMeeting);
    mv1::ListParagraphsResponse out;
    grpc::Status status = Call(reader.get(), &MeetingsStub::ListParagraphs, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<int> numbers;
    for (const auto& p : out.paragraphs()) numbers.push_back(p.number());
    return numbers;
  };

  // All drafts: nothing to see.
  EXPECT_TRUE(DeniedNaming(get(kDraftParagraph), "not an official document"));
  EXPECT_TRUE(DeniedNaming(render(), kTestMeeting));
  EXPECT_TRUE(listed().empty());
  // The clerk sees the drafts.
  mv1::ListParagraphsRequest all;
  all.set_parent(kTestMeeting);
  mv1::ListParagraphsResponse clerk_view;
  ASSERT_TRUE(Call(meetings_stub_, &MeetingsStub::ListParagraphs, all, &clerk_view).ok());
  EXPECT_EQ(clerk_view.paragraphs_size(), 2);

  // § 1 adjusted at once: it is official, § 2 and the protocol are not.
  mv1::Adjustment adjustment;
  grpc::Status immediate = Adjust("paragraphs", {1}, &adjustment);
  ASSERT_TRUE(immediate.ok()) << immediate.error_message();
  EXPECT_TRUE(get(kDraftParagraph).ok());
  EXPECT_TRUE(DeniedNaming(get(second.name()), second.name()));
  EXPECT_TRUE(DeniedNaming(render(), kTestMeeting));
  EXPECT_EQ(listed(), std::vector<int>{1});

  // The whole protocol adjusted: everything is official.
  grpc::Status whole = Adjust("protocol", {}, &adjustment);
  ASSERT_TRUE(whole.ok()) << whole.error_message();
  EXPECT_TRUE(get(second.name()).ok());
  grpc::Status rendered = render();
  EXPECT_TRUE(rendered.ok()) << rendered.error_message();
  EXPECT_EQ(listed(), (std::vector<int>{1, 2}));
}

TEST_F(ScopeTest, PublicReaderReadsNothingOfAnInitiativeNoLongerActive) {
  // tests/projects/api_test.cc has GetInitiative and ListInitiatives; here
  // every read that could show such an initiative, and the filters that
  // ask for it.
  ProjectsStubPtr coordinator = ProjectsAs(kCoordinator);
  pv1::Initiative in;
  ASSERT_TRUE(Call(coordinator.get(), &ProjectsStub::CreateInitiative,
                   projects::PreStudyRequest("stopped-study", {"2584"}), &in)
                  .ok());
  constexpr char kStopped[] = "initiatives/stopped-study";
  for (const char* initiative : {kHrPayroll, kStopped}) {
    pv1::CreateRevisionRequest revise;
    revise.set_initiative(initiative);
    revise.set_revision_id("A");
    revise.mutable_revision()->set_text("Direktiv");
    revise.mutable_revision()->mutable_decided_by()->set_steering_group_protocol("Protokoll");
    *revise.mutable_revision()->mutable_decided_date() = Day(2022, 4, 4);
    pv1::Revision revision;
    grpc::Status revised =
        Call(coordinator.get(), &ProjectsStub::CreateRevision, revise, &revision);
    ASSERT_TRUE(revised.ok()) << revised.error_message();
    pv1::CreateStatusReportRequest report;
    report.set_initiative(initiative);
    report.set_request_id(absl::StrCat("status-", initiative));
    *report.mutable_status_report()->mutable_report_date() = Day(2022, 6, 22);
    report.mutable_status_report()->add_status_lines("Arbetet pågår.");
    pv1::StatusReport reported;
    ASSERT_TRUE(Call(coordinator.get(), &ProjectsStub::CreateStatusReport, report, &reported).ok());
  }
  ASSERT_TRUE(Transition(kStopped, pv1::STATE_STOPPED, absl::CivilDay(2022, 6, 1), &in).ok());
  ASSERT_TRUE(Transition(kELearning, pv1::STATE_CLOSED, absl::CivilDay(2022, 6, 20), &in).ok());

  // The status of every read of one initiative, as `principal`.
  auto read_all = [&](const std::string& principal, const std::string& initiative) {
    ProjectsStubPtr stub = ProjectsAs(principal);
    std::vector<grpc::Status> statuses;
    pv1::GetInitiativeRequest get;
    get.set_name(initiative);
    statuses.push_back(Call(stub.get(), &ProjectsStub::GetInitiative, get, &in));
    pv1::Revision revision;
    for (const char* letter : {"A", "-"}) {
      pv1::GetRevisionRequest request;
      request.set_name(absl::StrCat(initiative, "/revisions/", letter));
      statuses.push_back(Call(stub.get(), &ProjectsStub::GetRevision, request, &revision));
    }
    pv1::ListRevisionsRequest revisions;
    revisions.set_initiative(initiative);
    pv1::ListRevisionsResponse revisions_out;
    statuses.push_back(Call(stub.get(), &ProjectsStub::ListRevisions, revisions, &revisions_out));
    pv1::ListStatusReportsRequest reports;
    reports.set_initiative(initiative);
    pv1::ListStatusReportsResponse reports_out;
    statuses.push_back(Call(stub.get(), &ProjectsStub::ListStatusReports, reports, &reports_out));
    return statuses;
  };
  // The active one reads fully (the letter names a revision, "-" the
  // current one: both exist for kHrPayroll).
  for (const grpc::Status& status : read_all(kPublicReader, kHrPayroll)) {
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  // The stopped and the closed one: refused by every read, naming it (the
  // closed one has no revision: the refusal comes before NOT_FOUND).
  for (const char* initiative : {kStopped, kELearning}) {
    for (const grpc::Status& status : read_all(kPublicReader, initiative)) {
      EXPECT_TRUE(DeniedNaming(status, initiative)) << initiative;
    }
  }
  // Every other reader of projects reads the stopped one.
  for (const char* principal : {kSecretary, kAuditor2584, kSystem2584}) {
    for (const grpc::Status& status : read_all(principal, kStopped)) {
      EXPECT_TRUE(status.ok()) << principal << ": " << status.error_message();
    }
  }

  // No list shows them to the public, whatever it asks for.
  auto listed = [&](const std::string& principal, const std::string& filter) {
    ProjectsStubPtr stub = ProjectsAs(principal);
    pv1::ListInitiativesRequest request;
    request.set_filter(filter);
    pv1::ListInitiativesResponse out;
    grpc::Status status = Call(stub.get(), &ProjectsStub::ListInitiatives, request, &out);
    EXPECT_TRUE(status.ok()) << filter << ": " << status.error_message();
    std::vector<std::string> names;
    for (const auto& i : out.initiatives()) names.push_back(i.name());
    return names;
  };
  const std::vector<std::string> active = {kHrPayroll};
  for (const char* filter :
       {"", "kind = KIND_PRE_STUDY", "municipality = \"municipalities/2584\"", "active = true"}) {
    EXPECT_EQ(listed(kPublicReader, filter), active) << filter;
  }
  for (const char* filter : {"state = STATE_STOPPED", "state = STATE_CLOSED"}) {
    EXPECT_TRUE(listed(kPublicReader, filter).empty()) << filter;
  }
  EXPECT_EQ(listed(kSecretary, "state = STATE_STOPPED"), std::vector<std::string>{kStopped});
  EXPECT_EQ(listed(kSecretary, ""), (std::vector<std::string>{kHrPayroll, kELearning, kStopped}));
  // Nor the portfolio of today.
  ProjectsStubPtr reader = ProjectsAs(kPublicReader);
  pv1::RenderPortfolioRequest render;
  render.set_format(pv1::RENDER_FORMAT_MARKDOWN);
  pv1::RenderedPortfolio rendered;
  ASSERT_TRUE(Call(reader.get(), &ProjectsStub::RenderPortfolio, render, &rendered).ok());
  EXPECT_TRUE(absl::StrContains(rendered.text(), "1 aktivitet.")) << rendered.text();
  pv1::Portfolio portfolio;
  ASSERT_TRUE(Call(reader.get(), &ProjectsStub::GetPortfolio, render.portfolio(), &portfolio).ok());
  ASSERT_EQ(portfolio.entries_size(), 1);
  EXPECT_EQ(portfolio.entries(0).initiative(), kHrPayroll);
}

TEST_F(ScopeTest, MunicipalitySystemReadsTheAgreementsItsMunicipalityMayUse) {
  // tests/contracts/api_test.cc has the basic story; here every filter
  // Kiruna's system may send, what it may not, a change of entitlement,
  // and that nothing it is refused writes anything.
  ContractsStubPtr kiruna = ContractsAs(kSystem2584);
  auto get = [&](const std::string& principal, const std::string& name) {
    ContractsStubPtr stub = ContractsAs(principal);
    cv1::GetAgreementRequest request;
    request.set_name(name);
    cv1::Agreement out;
    return Call(stub.get(), &ContractsStub::GetAgreement, request, &out);
  };
  // The names listed for `filter` as `principal` and how many match, or
  // the refusal.
  struct Listed {
    grpc::Status status;
    std::vector<std::string> names;
    int total = 0;
  };
  auto list = [&](const std::string& principal, const std::string& filter) {
    ContractsStubPtr stub = ContractsAs(principal);
    cv1::ListAgreementsRequest request;
    request.set_filter(filter);
    cv1::ListAgreementsResponse out;
    Listed listed;
    listed.status = Call(stub.get(), &ContractsStub::ListAgreements, request, &out);
    for (const auto& a : out.agreements()) listed.names.push_back(a.name());
    listed.total = out.total_size();
    return listed;
  };
  const std::string own = "municipality = \"municipalities/2584\"";

  Snapshot before = Settled();
  // What Kiruna may call off: kItConsultants (with 2523), by every filter
  // that names Kiruna.
  grpc::Status read = get(kSystem2584, kItConsultants);
  EXPECT_TRUE(read.ok()) << read.error_message();
  for (const std::string& filter :
       {own, own + " AND date = 2022-06-29", own + " AND in_force = 2022-06-29",
        own + " AND expiring_within_months = 36"}) {
    Listed listed = list(kSystem2584, filter);
    EXPECT_TRUE(listed.status.ok()) << filter << ": " << listed.status.error_message();
    EXPECT_EQ(listed.names, std::vector<std::string>{kItConsultants}) << filter;
    EXPECT_EQ(listed.total, 1) << filter;
  }
  // Nothing on a day the agreement does not run.
  Listed later = list(kSystem2584, own + " AND date = 2025-06-29");
  EXPECT_TRUE(later.status.ok()) << later.status.error_message();
  EXPECT_TRUE(later.names.empty());
  // The procurements are not the municipalities': the system reads them.
  cv1::GetProcurementRequest procurement;
  procurement.set_name(kSocialServicesSystem);
  cv1::Procurement p;
  EXPECT_TRUE(Call(kiruna.get(), &ContractsStub::GetProcurement, procurement, &p).ok());

  // Refused: an agreement only Luleå may call off, another municipality's
  // list (also Gällivare's, which shares kItConsultants), a list that names
  // no municipality, whatever else it filters by.
  EXPECT_TRUE(DeniedNaming(get(kSystem2584, kEArchive), kEArchive));
  for (const char* code : {"2580", "2523", "2505"}) {
    const std::string other = absl::StrCat("municipalities/", code);
    EXPECT_TRUE(DeniedNaming(
        list(kSystem2584, absl::StrCat("municipality = \"", other, "\"")).status, other));
  }
  for (const char* filter : {"", "in_force = 2022-06-29", "expiring_within_months = 36"}) {
    EXPECT_TRUE(DeniedNaming(list(kSystem2584, filter).status, "filter by municipality")) << filter;
  }
  // It writes nothing, not even for its own municipality.
  cv1::Agreement out;
  EXPECT_TRUE(DeniedNaming(Call(kiruna.get(), &ContractsStub::CreateAgreement,
                                contracts::AgreementRequest("kiruna-only", {"2584"}), &out),
                           "coordinator"));
  cv1::JoinAgreementRequest join;
  join.set_name(kItConsultants);
  join.set_municipality("municipalities/2584");
  *join.mutable_joined_date() = Day(2022, 6, 1);
  EXPECT_TRUE(
      DeniedNaming(Call(kiruna.get(), &ContractsStub::JoinAgreement, join, &out), "coordinator"));
  cv1::RecordFollowUpRequest follow_up;
  follow_up.set_name(kItConsultants);
  *follow_up.mutable_follow_up()->mutable_date() = Day(2022, 6, 22);
  follow_up.mutable_follow_up()->set_result("Leveranser enligt avtal");
  EXPECT_TRUE(DeniedNaming(Call(kiruna.get(), &ContractsStub::RecordFollowUp, follow_up, &out),
                           "coordinator"));
  Snapshot after = Take();
  EXPECT_TRUE(before == after) << "refused calls changed " << Difference(before, after);

  // The unscoped readers read every agreement (the auditor of 2584 too: its
  // role is not scoped here).
  for (const char* principal : {kSecretary, kAuditor2584, kCoordinator, kClerk}) {
    EXPECT_TRUE(get(principal, kEArchive).ok()) << principal;
    Listed all = list(principal, "");
    EXPECT_TRUE(all.status.ok()) << principal << ": " << all.status.error_message();
    EXPECT_EQ(all.names, (std::vector<std::string>{kItConsultants, kEArchive})) << principal;
  }

  // Entitled later, Kiruna reads kEArchive; no longer entitled, it does not.
  ContractsStubPtr coordinator = ContractsAs(kCoordinator);
  cv1::UpdateAgreementRequest entitle;
  entitle.mutable_agreement()->set_name(kEArchive);
  entitle.mutable_agreement()->add_entitled("municipalities/2580");
  entitle.mutable_agreement()->add_entitled("municipalities/2584");
  entitle.mutable_update_mask()->add_paths("entitled");
  grpc::Status updated = Call(coordinator.get(), &ContractsStub::UpdateAgreement, entitle, &out);
  ASSERT_TRUE(updated.ok()) << updated.error_message();
  EXPECT_TRUE(get(kSystem2584, kEArchive).ok());
  EXPECT_EQ(list(kSystem2584, own).names, (std::vector<std::string>{kItConsultants, kEArchive}));
  entitle.mutable_agreement()->mutable_entitled()->RemoveLast();
  updated = Call(coordinator.get(), &ContractsStub::UpdateAgreement, entitle, &out);
  ASSERT_TRUE(updated.ok()) << updated.error_message();
  EXPECT_TRUE(DeniedNaming(get(kSystem2584, kEArchive), kEArchive));
  EXPECT_EQ(list(kSystem2584, own).names, std::vector<std::string>{kItConsultants});
}

TEST_F(ScopeTest, MunicipalitySystemReadsItsOwnCostSharesOnly) {
  fv1::GetCostSharesRequest request;
  request.set_budget(kBudget2022);
  fv1::CostShares all;
  ASSERT_TRUE(Finance(&FinanceStub::GetCostShares, request, &all).ok());
  ASSERT_EQ(all.totals_size(), 3);
  FinanceStubPtr kiruna = FinanceAs(kSystem2584);
  fv1::CostShares out;
  // Without a municipality, or with another's: refused before anything is read.
  EXPECT_TRUE(DeniedNaming(Call(kiruna.get(), &FinanceStub::GetCostShares, request, &out),
                           "give municipality"));
  request.set_municipality("municipalities/2580");
  EXPECT_TRUE(DeniedNaming(Call(kiruna.get(), &FinanceStub::GetCostShares, request, &out),
                           "municipalities/2580"));
  request.set_municipality("municipalities/2584");
  grpc::Status own = Call(kiruna.get(), &FinanceStub::GetCostShares, request, &out);
  ASSERT_TRUE(own.ok()) << own.error_message();
  ASSERT_EQ(out.totals_size(), 1);
  EXPECT_EQ(out.totals(0).municipality(), "municipalities/2584");
  for (const auto& total : all.totals()) {
    if (total.municipality() == "municipalities/2584") {
      EXPECT_EQ(out.totals(0).amount().ore(), total.amount().ore());
    }
  }
  for (const auto& line : out.lines()) {
    ASSERT_EQ(line.shares_size(), 1) << line.line();
    EXPECT_EQ(line.shares(0).municipality(), "municipalities/2584");
  }
  // The budget itself it reads whole; it writes none.
  fv1::GetBudgetRequest get;
  get.set_name(kBudget2022);
  fv1::Budget budget;
  EXPECT_TRUE(Call(kiruna.get(), &FinanceStub::GetBudget, get, &budget).ok());
  fv1::UpdateBudgetRequest retitle;
  retitle.mutable_budget()->set_name(kBudget2022);
  retitle.mutable_budget()->set_title("Budget 2022 enligt Kiruna");
  retitle.mutable_update_mask()->add_paths("title");
  EXPECT_TRUE(
      DeniedNaming(Call(kiruna.get(), &FinanceStub::UpdateBudget, retitle, &budget), "finance"));
}

TEST_F(ScopeTest, PublicReaderReadsAdoptedBudgetsOnly) {
  FinanceStubPtr reader = FinanceAs(kPublicReader);
  fv1::GetBudgetRequest get;
  get.set_name(kBudget2022);
  fv1::Budget budget;
  EXPECT_TRUE(DeniedNaming(Call(reader.get(), &FinanceStub::GetBudget, get, &budget), kBudget2022));
  fv1::ListBudgetsRequest list;
  fv1::ListBudgetsResponse listed;
  ASSERT_TRUE(Call(reader.get(), &FinanceStub::ListBudgets, list, &listed).ok());
  EXPECT_EQ(listed.budgets_size(), 0);
  // Adopted by a decision the protocol of 2021 gives: now the public reads it.
  fv1::CreateBudgetRequest adopted;
  adopted.set_year(2021);
  adopted.mutable_budget()->set_title("Budget 2021");
  adopted.mutable_adopted_by()->set_decision_kind("DECISION_KIND_ADOPT");
  *adopted.mutable_adopted_by()->mutable_meeting_date() = Day(2020, 12, 10);
  ASSERT_TRUE(Call(FinanceAs(kFinance).get(), &FinanceStub::CreateBudget, adopted, &budget).ok());
  ASSERT_TRUE(Call(reader.get(), &FinanceStub::ListBudgets, list, &listed).ok());
  ASSERT_EQ(listed.budgets_size(), 1);
  EXPECT_EQ(listed.budgets(0).name(), "budgets/2021");
  EXPECT_EQ(listed.budgets(0).state(), fv1::Budget::STATE_ADOPTED);
}

// The plan of 2022 (a goal entered by hand, so the report needs no other
// service) as the finance officer registers it.
fv1::CreatePlanRequest Plan2022() {
  fv1::CreatePlanRequest create;
  create.set_year(2022);
  create.mutable_plan()->set_title("Verksamhetsplan 2022");
  fv1::Goal* goal = create.mutable_plan()->add_goals();
  goal->set_id("trainings");
  goal->set_kind(fv1::Goal::KIND_GOAL);
  goal->set_text("Minst tre utbildningstillfällen för ledamöterna");
  goal->set_measure(fv1::MEASURE_MANUAL);
  goal->set_target(3);
  goal->set_unit(fv1::UNIT_COUNT);
  return create;
}

TEST_F(ScopeTest, PublicReaderReadsAdoptedPlansOnlyAndNoDraftBudgetInTheirReport) {
  FinanceStubPtr finance = FinanceAs(kFinance);
  FinanceStubPtr reader = FinanceAs(kPublicReader);
  fv1::Plan plan;
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::CreatePlan, Plan2022(), &plan).ok());
  fv1::GetPlanRequest get;
  get.set_name("plans/2022");
  EXPECT_TRUE(DeniedNaming(Call(reader.get(), &FinanceStub::GetPlan, get, &plan), "plans/2022"));
  EXPECT_TRUE(Call(FinanceAs(kAuditor2584).get(), &FinanceStub::GetPlan, get, &plan).ok());
  EXPECT_TRUE(Call(FinanceAs(kSecretary).get(), &FinanceStub::GetPlan, get, &plan).ok());
  // Nor may the public (or the secretary) adopt it.
  fv1::AdoptPlanRequest adopt;
  adopt.set_name("plans/2022");
  adopt.mutable_decision()->set_paragraph("bodies/e-namnden/meetings/2021-12-16/paragraphs/4");
  *adopt.mutable_decision()->mutable_meeting_date() = Day(2021, 12, 16);
  adopt.mutable_decision()->set_case_number("2021/3-2.2.0.1");
  for (const char* principal : {kPublicReader, kSecretary, kSystem2584}) {
    EXPECT_TRUE(DeniedNaming(
        Call(FinanceAs(principal).get(), &FinanceStub::AdoptPlan, adopt, &plan), "finance"))
        << principal;
  }
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::AdoptPlan, adopt, &plan).ok());
  ASSERT_TRUE(Call(reader.get(), &FinanceStub::GetPlan, get, &plan).ok());
  EXPECT_EQ(plan.state(), fv1::Plan::STATE_ADOPTED);

  fv1::RecordPlanFollowUpRequest record;
  record.set_plan("plans/2022");
  record.set_through_month(5);
  record.mutable_follow_up()->set_title("Delårsrapport 2022");
  fv1::GoalFollowUp* trainings = record.mutable_follow_up()->add_goals();
  trainings->set_goal("trainings");
  trainings->set_value(2);
  fv1::PlanFollowUp follow_up;
  EXPECT_TRUE(DeniedNaming(Call(reader.get(), &FinanceStub::RecordPlanFollowUp, record, &follow_up),
                           "finance"));
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::RecordPlanFollowUp, record, &follow_up).ok());
  fv1::GetPlanFollowUpRequest get_follow_up;
  get_follow_up.set_name("plans/2022/follow-ups/5");
  EXPECT_TRUE(Call(reader.get(), &FinanceStub::GetPlanFollowUp, get_follow_up, &follow_up).ok());

  // The report: the public gets it, without the draft budget's figures;
  // the auditor with them.
  fv1::RenderPlanReportRequest render;
  render.set_follow_up("plans/2022/follow-ups/5");
  fv1::RenderedPlanReport report;
  grpc::Status rendered = Call(reader.get(), &FinanceStub::RenderPlanReport, render, &report);
  ASSERT_TRUE(rendered.ok()) << rendered.error_message();
  EXPECT_FALSE(report.has_financial_statement());
  EXPECT_EQ(report.financial_statement_missing(), "ingen antagen budget för 2022");
  rendered = Call(FinanceAs(kAuditor2584).get(), &FinanceStub::RenderPlanReport, render, &report);
  ASSERT_TRUE(rendered.ok()) << rendered.error_message();
  EXPECT_EQ(report.financial_statement().budget(), kBudget2022);
  // A municipality system reads no plans.
  EXPECT_TRUE(DeniedNaming(
      Call(FinanceAs(kSystem2584).get(), &FinanceStub::RenderPlanReport, render, &report),
      kSystem2584));
}

}  // namespace
}  // namespace enamnd::security
