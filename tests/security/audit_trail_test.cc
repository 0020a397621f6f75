// The audit trail: one record per committed mutating call, with who,
// what, which resource, request_id, peer, time and outcome; replays are
// recorded as such, failures not at all; ListAuditRecords filters and
// pages, for operators only; the table refuses UPDATE and DELETE even
// below the API. (Every other integration test also checks one record per
// successful write: tests/support/service_fixture.h.)
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/security/fixture.h"

namespace enamnd::security {
namespace {

using enamnd::testing::Call;
using enamnd::testing::kAuditor2584;
using enamnd::testing::kClerk;
using enamnd::testing::kCoordinator;
using enamnd::testing::kFinance;
using enamnd::testing::kOperator;
using enamnd::testing::kSecretary;
using enamnd::testing::kSystem2584;
using AuditsStub = av1::AuditsService::Stub;
using MeetingsStub = mv1::MeetingsService::Stub;

constexpr char kCreateCase[] = "/enamnd.meetings.v1.MeetingsService/CreateCase";
constexpr char kCreateInitiative[] = "/enamnd.projects.v1.ProjectsService/CreateInitiative";
constexpr char kCreateAgreement[] = "/enamnd.contracts.v1.ContractsService/CreateAgreement";

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
}

absl::Time TimeOf(const auth::v1::AuditRecord& record) {
  return absl::FromUnixSeconds(record.time().seconds()) + absl::Nanoseconds(record.time().nanos());
}

class AuditTrailTest : public SecurityFixture {
 protected:
  // ListAuditRecords on the meetings service as `principal`.
  grpc::Status List(const std::string& filter, auth::v1::ListAuditRecordsResponse* out,
                    const std::string& principal = kOperator, int page_size = 0,
                    const std::string& page_token = "") {
    auth::v1::ListAuditRecordsRequest request;
    request.set_filter(filter);
    request.set_page_size(page_size);
    request.set_page_token(page_token);
    MeetingsStubPtr stub = MeetingsAs(principal);
    return Call(stub.get(), &MeetingsStub::ListAuditRecords, request, out);
  }
  // Every record matching `filter`, or the test fails.
  std::vector<auth::v1::AuditRecord> Records(const std::string& filter = "") {
    auth::v1::ListAuditRecordsResponse out;
    grpc::Status status = List(filter, &out);
    EXPECT_TRUE(status.ok()) << filter << ": " << status.error_message();
    EXPECT_TRUE(out.next_page_token().empty()) << "more than one page";
    return {out.audit_records().begin(), out.audit_records().end()};
  }
  // Every record of the projects service matching `filter`, or the test
  // fails.
  std::vector<auth::v1::AuditRecord> ProjectsRecords(const std::string& filter = "") {
    return OperatorReads(ProjectsAs(kOperator).get(), filter);
  }
  // The same of the contracts service.
  std::vector<auth::v1::AuditRecord> ContractsRecords(const std::string& filter = "") {
    return OperatorReads(ContractsAs(kOperator).get(), filter);
  }
  // The same of the finance service.
  std::vector<auth::v1::AuditRecord> FinanceRecords(const std::string& filter = "") {
    return OperatorReads(FinanceAs(kOperator).get(), filter);
  }
  // `records` are a create by the coordinator with `request_id`, from this
  // host between `start` and `end`, and its replay.
  static void ExpectCreatedThenReplayed(const std::vector<auth::v1::AuditRecord>& records,
                                        const std::string& method, const std::string& request_id,
                                        absl::Time start, absl::Time end) {
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].principal(), kCoordinator);
    EXPECT_EQ(records[0].method(), method);
    EXPECT_EQ(records[0].request_id(), request_id);
    EXPECT_TRUE(absl::StartsWith(records[0].peer(), "ipv4:127.0.0.1:")) << records[0].peer();
    EXPECT_EQ(records[0].outcome(), "OK");
    EXPECT_GE(TimeOf(records[0]), start - absl::Microseconds(1));
    EXPECT_LE(TimeOf(records[0]), end);
    EXPECT_EQ(records[1].outcome(), "REPLAYED");
    EXPECT_EQ(records[1].request_id(), request_id);
  }
  // "Method resource outcome" of each record, e.g. "CreateAgreement
  // agreements/x OK".
  static std::vector<std::string> Summary(const std::vector<auth::v1::AuditRecord>& records) {
    std::vector<std::string> seen;
    for (const auto& r : records) {
      seen.push_back(absl::StrCat(r.method().substr(r.method().rfind('/') + 1), " ", r.resource(),
                                  " ", r.outcome()));
    }
    return seen;
  }
  mv1::CreateCaseRequest NewCase(const std::string& number, const std::string& request_id) {
    mv1::CreateCaseRequest request;
    request.mutable_case_()->set_case_number(number);
    request.mutable_case_()->set_title("Ärende " + number);
    request.set_request_id(request_id);
    return request;
  }

 private:
  // ListAuditRecords on `stub` (an operator's), every record on one page.
  template <typename Stub>
  static std::vector<auth::v1::AuditRecord> OperatorReads(Stub* stub, const std::string& filter) {
    auth::v1::ListAuditRecordsRequest request;
    request.set_filter(filter);
    auth::v1::ListAuditRecordsResponse out;
    grpc::Status status = Call(stub, &Stub::ListAuditRecords, request, &out);
    EXPECT_TRUE(status.ok()) << filter << ": " << status.error_message();
    EXPECT_TRUE(out.next_page_token().empty()) << "more than one page";
    return {out.audit_records().begin(), out.audit_records().end()};
  }
};

TEST_F(AuditTrailTest, RecordSaysWhoDidWhatToWhichResourceFromWhereAndWhen) {
  MeetingsStubPtr secretary = MeetingsAs(kSecretary);
  absl::Time start = absl::Now();
  mv1::Case made;
  ASSERT_TRUE(
      Call(secretary.get(), &MeetingsStub::CreateCase, NewCase("2022/10-2.2.0.1", "c-10"), &made)
          .ok());
  absl::Time end = absl::Now();
  std::vector<auth::v1::AuditRecord> records = Records("resource = \"cases/2022-10\"");
  ASSERT_EQ(records.size(), 1u);
  const auth::v1::AuditRecord& record = records[0];
  EXPECT_GT(record.sequence(), 0);
  EXPECT_EQ(record.principal(), kSecretary);
  EXPECT_EQ(record.method(), kCreateCase);
  EXPECT_EQ(record.resource(), "cases/2022-10");
  EXPECT_EQ(record.request_id(), "c-10");
  EXPECT_TRUE(absl::StartsWith(record.peer(), "ipv4:127.0.0.1:")) << record.peer();
  EXPECT_EQ(record.outcome(), "OK");
  // Microseconds in the table, so allow the truncation.
  EXPECT_GE(TimeOf(record), start - absl::Microseconds(1));
  EXPECT_LE(TimeOf(record), end);
  // The record is the last one: the seeded calls came first, in order.
  std::vector<auth::v1::AuditRecord> all = Records();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().sequence(), record.sequence());
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_EQ(all[i].sequence(), all[i - 1].sequence() + 1);
  }
  // The case knows its author too... through the trail; and the audits
  // service keeps its own trail.
  auth::v1::ListAuditRecordsRequest request;
  request.set_filter("resource = \"reviews/*\"");
  auth::v1::ListAuditRecordsResponse audits_records;
  AuditsStubPtr audits_operator = AuditsAs(kOperator);
  ASSERT_TRUE(
      Call(audits_operator.get(), &AuditsStub::ListAuditRecords, request, &audits_records).ok());
  // Two reviews and one recommendation of each.
  EXPECT_EQ(audits_records.audit_records_size(), 4);
  for (const auto& r : audits_records.audit_records()) {
    EXPECT_TRUE(absl::StartsWith(r.method(), "/enamnd.audits.v1.AuditsService/")) << r.method();
    EXPECT_EQ(r.principal(), kClerk);
  }
}

TEST_F(AuditTrailTest, ReplayedCreateLeavesASecondRecordMarkedReplayed) {
  mv1::Case first, second;
  ASSERT_TRUE(
      Call(meetings_stub_, &MeetingsStub::CreateCase, NewCase("2022/11-2.2.0.1", "c-11"), &first)
          .ok());
  ASSERT_TRUE(
      Call(meetings_stub_, &MeetingsStub::CreateCase, NewCase("2022/11-2.2.0.1", "c-11"), &second)
          .ok());
  EXPECT_EQ(first.name(), second.name());
  std::vector<auth::v1::AuditRecord> records = Records("resource = \"cases/2022-11\"");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].outcome(), "OK");
  EXPECT_EQ(records[1].outcome(), "REPLAYED");
  EXPECT_EQ(records[1].request_id(), "c-11");
  EXPECT_EQ(records[1].method(), kCreateCase);
  EXPECT_LT(records[0].sequence(), records[1].sequence());
}

TEST_F(AuditTrailTest, IdenticalExtractAgainIsRecordedAsReplayed) {
  mv1::AdjustProtocolRequest adjust;
  adjust.set_meeting(kTestMeeting);
  adjust.mutable_chair()->set_display_name("Ledamot 2584");
  adjust.add_adjusters()->set_display_name("Ledamot 2523");
  *adjust.mutable_adjusted_date() = enamnd::testing::Day(2022, 6, 29);
  mv1::Adjustment adjustment;
  ASSERT_TRUE(Call(meetings_stub_, &MeetingsStub::AdjustProtocol, adjust, &adjustment).ok());
  mv1::CreateExtractRequest request;
  request.set_paragraph(kDraftParagraph);
  request.mutable_certified_by()->set_display_name("Sekreteraren");
  *request.mutable_certified_date() = enamnd::testing::Day(2022, 6, 29);
  mv1::Extract first, again;
  grpc::Status made = Call(meetings_stub_, &MeetingsStub::CreateExtract, request, &first);
  ASSERT_TRUE(made.ok()) << made.error_message();
  // The same certification without a request_id: the same document.
  ASSERT_TRUE(Call(meetings_stub_, &MeetingsStub::CreateExtract, request, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  std::vector<auth::v1::AuditRecord> records =
      Records(absl::StrCat("resource = \"", first.name(), "\""));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].outcome(), "OK");
  EXPECT_EQ(records[1].outcome(), "REPLAYED");
}

TEST_F(AuditTrailTest, FailedOrRefusedMutationsLeaveNoRecord) {
  size_t before = Records().size();
  mv1::Case out;
  // Invalid input.
  EXPECT_EQ(Call(meetings_stub_, &MeetingsStub::CreateCase, NewCase("not a number", ""), &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Refused inside the transaction: the case exists.
  EXPECT_EQ(Call(meetings_stub_, &MeetingsStub::CreateCase, NewCase("2022/9-2.2.0.1", ""), &out)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  // Not allowed.
  MeetingsStubPtr auditor = MeetingsAs(kAuditor2584);
  EXPECT_EQ(Call(auditor.get(), &MeetingsStub::CreateCase, NewCase("2022/12-2.2.0.1", ""), &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A write refused by the protocol's state (FAILED_PRECONDITION or the
  // like) after its transaction began.
  mv1::UpdateParagraphRequest stale;
  stale.mutable_paragraph()->set_name(kDraftParagraph);
  stale.mutable_paragraph()->set_title("Ny rubrik");
  stale.mutable_paragraph()->set_etag("99");
  stale.mutable_update_mask()->add_paths("title");
  mv1::Paragraph paragraph;
  EXPECT_EQ(Call(meetings_stub_, &MeetingsStub::UpdateParagraph, stale, &paragraph).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(Records().size(), before);
}

TEST_F(AuditTrailTest, FiltersByPrincipalMethodResourceAndTime) {
  absl::Time start = absl::Now();
  MeetingsStubPtr secretary = MeetingsAs(kSecretary);
  mv1::Case out;
  ASSERT_TRUE(
      Call(secretary.get(), &MeetingsStub::CreateCase, NewCase("2022/20-2.2.0.1", ""), &out).ok());
  ASSERT_TRUE(
      Call(secretary.get(), &MeetingsStub::CreateCase, NewCase("2022/21-2.2.0.1", ""), &out).ok());
  mv1::UpdateCaseRequest update;
  update.mutable_case_()->set_name("cases/2022-20");
  update.mutable_case_()->set_title("Ändrad");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(Call(meetings_stub_, &MeetingsStub::UpdateCase, update, &out).ok());
  absl::Time end = absl::Now() + absl::Microseconds(1);

  std::vector<auth::v1::AuditRecord> by_secretary =
      Records(absl::StrCat("principal = \"", kSecretary, "\""));
  ASSERT_EQ(by_secretary.size(), 2u);
  EXPECT_EQ(by_secretary[0].resource(), "cases/2022-20");
  EXPECT_EQ(by_secretary[1].resource(), "cases/2022-21");

  std::vector<auth::v1::AuditRecord> creates =
      Records(absl::StrCat("method = \"", kCreateCase, "\""));
  EXPECT_EQ(creates.size(), 3u);  // the seeded case and these two
  for (const auto& r : creates) EXPECT_EQ(r.method(), kCreateCase);

  EXPECT_EQ(Records("resource = \"cases/2022-20\"").size(), 2u);  // created, updated
  EXPECT_EQ(Records("resource = \"cases/2022-2\"").size(), 0u);   // exact
  EXPECT_EQ(Records("resource = \"cases/2022-2*\"").size(), 3u);  // prefix: 20, 20, 21
  EXPECT_EQ(Records("resource = \"cases/*\"").size(), 4u);        // and 2022-9
  EXPECT_EQ(Records("resource = \"municipalities/*\"").size(), 3u);

  std::string window =
      absl::StrCat("after = \"", Rfc3339(start), "\" AND before = \"", Rfc3339(end), "\"");
  EXPECT_EQ(Records(window).size(), 3u);
  EXPECT_EQ(Records(absl::StrCat(window, " AND principal = \"", kClerk, "\"")).size(), 1u);
  EXPECT_EQ(Records(absl::StrCat("before = \"", Rfc3339(start), "\"")).size(),
            Records().size() - 3);
  EXPECT_EQ(Records(absl::StrCat("after = \"", Rfc3339(end), "\"")).size(), 0u);

  auth::v1::ListAuditRecordsResponse response;
  grpc::Status bad_time = List("after = \"yesterday\"", &response);
  EXPECT_INVALID_FIELD(bad_time, "after");
  EXPECT_TRUE(absl::StrContains(bad_time.error_message(), "filter")) << bad_time.error_message();
  EXPECT_INVALID_FIELD(List("before = \"2026-13-01T00:00:00Z\"", &response), "before");
  EXPECT_EQ(List("peer = \"x\"", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditTrailTest, PagesFollowTheSequence) {
  std::vector<auth::v1::AuditRecord> all = Records();
  ASSERT_GE(all.size(), 5u);
  std::vector<int64_t> paged;
  std::string token;
  int pages = 0;
  do {
    auth::v1::ListAuditRecordsResponse page;
    grpc::Status status = List("", &page, kOperator, 2, token);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_LE(page.audit_records_size(), 2);
    for (const auto& r : page.audit_records()) paged.push_back(r.sequence());
    token = page.next_page_token();
    ASSERT_LT(++pages, 100);
  } while (!token.empty());
  std::vector<int64_t> expected;
  for (const auto& r : all) expected.push_back(r.sequence());
  EXPECT_EQ(paged, expected);
  // A token belongs to its filter.
  auth::v1::ListAuditRecordsResponse first, other;
  ASSERT_TRUE(List("", &first, kOperator, 2).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  EXPECT_INVALID_FIELD(
      List("resource = \"cases/*\"", &other, kOperator, 2, first.next_page_token()), "page_token");
}

TEST_F(AuditTrailTest, OnlyOperatorsReadTheTrail) {
  auth::v1::ListAuditRecordsResponse out;
  EXPECT_TRUE(List("", &out, kOperator).ok());
  EXPECT_TRUE(List("", &out, kClerk).ok());  // the clerk holds operator too
  for (const char* principal : {kSecretary, kAuditor2584, enamnd::testing::kPublicReader,
                                enamnd::testing::kSystem2584, enamnd::testing::kStranger}) {
    grpc::Status status = List("", &out, principal);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << principal;
    EXPECT_TRUE(absl::StrContains(status.error_message(), "operator")) << status.error_message();
  }
  // The projects and contracts services' trails too: the coordinator, who
  // writes them, does not read them, nor does a municipality system.
  auth::v1::ListAuditRecordsRequest request;
  for (const char* service : {kProjectsService, kContractsService}) {
    const google::protobuf::MethodDescriptor* method =
        ServiceNamed(service).FindMethodByName("ListAuditRecords");
    ASSERT_NE(method, nullptr) << service;
    for (const std::string principal :
         {kOperator, kClerk, kCoordinator, kSecretary, kSystem2584, enamnd::testing::kPublicReader,
          enamnd::testing::kStranger}) {
      grpc::Status status = CallMethod(ChannelTo(service, principal), *method, request);
      if (principal == kOperator || principal == kClerk) {
        EXPECT_TRUE(status.ok()) << service << " " << principal << ": " << status.error_message();
        continue;
      }
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << service << " " << principal;
      EXPECT_TRUE(absl::StrContains(status.error_message(), "operator")) << status.error_message();
    }
  }
}

TEST_F(AuditTrailTest, ProjectsRecordsEachWriteByItsPrincipal) {
  // The seeded writes were the clerk's: two initiatives, three steps of
  // kELearning.
  std::vector<auth::v1::AuditRecord> seeded = ProjectsRecords();
  ASSERT_EQ(seeded.size(), 5u);
  for (const auto& r : seeded) {
    EXPECT_EQ(r.principal(), kClerk);
    EXPECT_TRUE(absl::StartsWith(r.method(), "/enamnd.projects.v1.ProjectsService/")) << r.method();
    EXPECT_EQ(r.outcome(), "OK");
  }
  EXPECT_EQ(seeded[0].resource(), kHrPayroll);
  EXPECT_EQ(seeded[1].resource(), kELearning);

  ProjectsStubPtr coordinator = ProjectsAs(kCoordinator);
  pv1::CreateInitiativeRequest create = projects::PreStudyRequest("archive-study", {"2584"});
  create.set_request_id("i-1");
  pv1::Initiative made, again;
  absl::Time start = absl::Now();
  grpc::Status created = Call(coordinator.get(), &ProjectsStub::CreateInitiative, create, &made);
  ASSERT_TRUE(created.ok()) << created.error_message();
  absl::Time end = absl::Now();
  EXPECT_EQ(made.create_principal(), kCoordinator);
  // A retry with the same request_id: the same initiative, recorded as a
  // replay.
  ASSERT_TRUE(Call(coordinator.get(), &ProjectsStub::CreateInitiative, create, &again).ok());
  EXPECT_EQ(again.name(), made.name());
  ASSERT_NO_FATAL_FAILURE(
      ExpectCreatedThenReplayed(ProjectsRecords("resource = \"initiatives/archive-study\""),
                                kCreateInitiative, "i-1", start, end));

  // A step sent again (the same state and day) is a replay too; the
  // directive's revision and the status report name themselves.
  pv1::TransitionInitiativeRequest decide;
  decide.set_name(made.name());
  decide.set_state(pv1::STATE_DECIDED);
  *decide.mutable_date() = enamnd::testing::Day(2022, 4, 1);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(Call(coordinator.get(), &ProjectsStub::TransitionInitiative, decide, &made).ok());
  }
  pv1::CreateRevisionRequest revise;
  revise.set_initiative(made.name());
  revise.set_revision_id("A");
  revise.mutable_revision()->set_text("Förstudien utreder ett gemensamt e-arkiv.");
  revise.mutable_revision()->mutable_decided_by()->set_steering_group_protocol("Protokoll 220404");
  *revise.mutable_revision()->mutable_decided_date() = enamnd::testing::Day(2022, 4, 4);
  pv1::Revision revision;
  ASSERT_TRUE(Call(coordinator.get(), &ProjectsStub::CreateRevision, revise, &revision).ok());
  pv1::CreateStatusReportRequest report;
  report.set_initiative(made.name());
  report.set_request_id("s-1");
  *report.mutable_status_report()->mutable_report_date() = enamnd::testing::Day(2022, 6, 22);
  report.mutable_status_report()->add_status_lines("Förstudien pågår.");
  pv1::StatusReport status_report;
  ASSERT_TRUE(
      Call(coordinator.get(), &ProjectsStub::CreateStatusReport, report, &status_report).ok());

  std::vector<auth::v1::AuditRecord> by_coordinator =
      ProjectsRecords(absl::StrCat("principal = \"", kCoordinator, "\""));
  EXPECT_EQ(Summary(by_coordinator),
            (std::vector<std::string>{
                "CreateInitiative initiatives/archive-study OK",
                "CreateInitiative initiatives/archive-study REPLAYED",
                "TransitionInitiative initiatives/archive-study OK",
                "TransitionInitiative initiatives/archive-study REPLAYED",
                "CreateRevision initiatives/archive-study/revisions/A OK",
                "CreateStatusReport initiatives/archive-study/status-reports/1 OK",
            }));
  EXPECT_EQ(ProjectsRecords(absl::StrCat("principal = \"", kClerk, "\"")).size(), seeded.size());
  EXPECT_EQ(ProjectsRecords("resource = \"initiatives/archive-study*\"").size(), 6u);

  // Writes that fail leave nothing: an unknown municipality, a step the
  // kind does not allow, a stale etag, a final report before its state, and
  // a caller without the role.
  const size_t before = ProjectsRecords().size();
  pv1::CreateInitiativeRequest unknown = projects::PreStudyRequest("x", {"2510"});
  EXPECT_EQ(Call(coordinator.get(), &ProjectsStub::CreateInitiative, unknown, &made).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  pv1::TransitionInitiativeRequest close = decide;
  close.set_state(pv1::STATE_CLOSED);
  EXPECT_EQ(Call(coordinator.get(), &ProjectsStub::TransitionInitiative, close, &made).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  pv1::TransitionInitiativeRequest stale = decide;
  stale.set_state(pv1::STATE_RUNNING);
  stale.set_etag("99");
  EXPECT_EQ(Call(coordinator.get(), &ProjectsStub::TransitionInitiative, stale, &made).error_code(),
            grpc::StatusCode::ABORTED);
  pv1::RecordFinalReportRequest early;
  early.set_initiative(made.name());
  early.mutable_final_report()->mutable_document()->set_title("Förstudierapport");
  early.mutable_final_report()->set_continuation(pv1::CONTINUATION_PENDING);
  *early.mutable_final_report()->mutable_report_date() = enamnd::testing::Day(2022, 6, 13);
  EXPECT_EQ(Call(coordinator.get(), &ProjectsStub::RecordFinalReport, early, &made).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ProjectsStubPtr secretary = ProjectsAs(kSecretary);
  create.set_initiative_id("other-study");
  EXPECT_EQ(Call(secretary.get(), &ProjectsStub::CreateInitiative, create, &made).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ProjectsRecords().size(), before);
}

TEST_F(AuditTrailTest, ContractsRecordsEachWriteByItsPrincipal) {
  // The seeded writes were the clerk's: the procurement and its two steps,
  // two agreements.
  std::vector<auth::v1::AuditRecord> seeded = ContractsRecords();
  EXPECT_EQ(Summary(seeded), (std::vector<std::string>{
                                 "CreateProcurement procurements/social-services-system OK",
                                 "TransitionProcurement procurements/social-services-system OK",
                                 "TransitionProcurement procurements/social-services-system OK",
                                 "CreateAgreement agreements/it-konsulter OK",
                                 "CreateAgreement agreements/e-arkiv OK",
                             }));
  for (const auto& r : seeded) {
    EXPECT_EQ(r.principal(), kClerk);
    EXPECT_TRUE(absl::StartsWith(r.method(), "/enamnd.contracts.v1.ContractsService/"))
        << r.method();
  }

  ContractsStubPtr coordinator = ContractsAs(kCoordinator);
  cv1::CreateAgreementRequest create = contracts::AgreementRequest("printers", {"2584"});
  create.set_request_id("a-1");
  cv1::Agreement agreement, again;
  absl::Time start = absl::Now();
  grpc::Status created =
      Call(coordinator.get(), &ContractsStub::CreateAgreement, create, &agreement);
  ASSERT_TRUE(created.ok()) << created.error_message();
  absl::Time end = absl::Now();
  EXPECT_EQ(agreement.create_principal(), kCoordinator);
  // A retry with the same request_id: the same agreement, recorded as a
  // replay; the same for a procurement.
  ASSERT_TRUE(Call(coordinator.get(), &ContractsStub::CreateAgreement, create, &again).ok());
  EXPECT_EQ(again.name(), agreement.name());
  ASSERT_NO_FATAL_FAILURE(ExpectCreatedThenReplayed(
      ContractsRecords("resource = \"agreements/printers\""), kCreateAgreement, "a-1", start, end));
  cv1::CreateProcurementRequest procure;
  procure.set_procurement_id("printers");
  procure.mutable_procurement()->set_title("Upphandling skrivare och kopiatorer");
  *procure.mutable_since_date() = enamnd::testing::Day(2022, 6, 1);
  procure.set_request_id("p-1");
  cv1::Procurement procurement;
  for (int i = 0; i < 2; ++i) {
    created = Call(coordinator.get(), &ContractsStub::CreateProcurement, procure, &procurement);
    ASSERT_TRUE(created.ok()) << created.error_message();
  }

  // Every other write, once each: each names its procurement or agreement.
  cv1::TransitionProcurementRequest advertise;
  advertise.set_name("procurements/printers");
  advertise.set_state(cv1::Procurement::STATE_ADVERTISED);
  *advertise.mutable_date() = enamnd::testing::Day(2022, 6, 15);
  ASSERT_TRUE(
      Call(coordinator.get(), &ContractsStub::TransitionProcurement, advertise, &procurement).ok());
  cv1::RecordAwardRequest award;
  award.set_name(kSocialServicesSystem);
  *award.mutable_decision_date() = enamnd::testing::Day(2022, 6, 20);
  *award.mutable_notice_date() = enamnd::testing::Day(2022, 6, 20);
  award.set_notice_means(cv1::NOTICE_MEANS_ELECTRONIC);
  ASSERT_TRUE(Call(coordinator.get(), &ContractsStub::RecordAward, award, &procurement).ok());
  EXPECT_EQ(procurement.state(), cv1::Procurement::STATE_STANDSTILL);
  cv1::RecordReviewRequestRequest review;
  review.set_name(kSocialServicesSystem);
  *review.mutable_review()->mutable_filed_date() = enamnd::testing::Day(2022, 6, 28);
  review.mutable_review()->set_court("Förvaltningsrätten i Luleå");
  ASSERT_TRUE(
      Call(coordinator.get(), &ContractsStub::RecordReviewRequest, review, &procurement).ok());
  cv1::RecordReviewOutcomeRequest outcome;
  outcome.set_name(kSocialServicesSystem);
  outcome.set_outcome(cv1::REVIEW_OUTCOME_REJECTED);
  *outcome.mutable_decided_date() = enamnd::testing::Day(2022, 6, 29);
  ASSERT_TRUE(
      Call(coordinator.get(), &ContractsStub::RecordReviewOutcome, outcome, &procurement).ok());
  cv1::UpdateAgreementRequest update;
  update.mutable_agreement()->set_name(kItConsultants);
  update.mutable_agreement()->set_owner("IT-chefen i Kiruna");
  update.mutable_update_mask()->add_paths("owner");
  ASSERT_TRUE(Call(coordinator.get(), &ContractsStub::UpdateAgreement, update, &agreement).ok());
  cv1::ExtendAgreementRequest extend;
  extend.set_name(kItConsultants);
  *extend.mutable_date() = enamnd::testing::Day(2022, 6, 1);
  ASSERT_TRUE(Call(coordinator.get(), &ContractsStub::ExtendAgreement, extend, &agreement).ok());
  cv1::JoinAgreementRequest join;
  join.set_name(kItConsultants);
  join.set_municipality("municipalities/2584");
  *join.mutable_joined_date() = enamnd::testing::Day(2021, 3, 1);
  ASSERT_TRUE(Call(coordinator.get(), &ContractsStub::JoinAgreement, join, &agreement).ok());
  cv1::RecordFollowUpRequest follow_up;
  follow_up.set_name(kItConsultants);
  *follow_up.mutable_follow_up()->mutable_date() = enamnd::testing::Day(2022, 6, 22);
  follow_up.mutable_follow_up()->set_result("Leveranser enligt avtal");
  ASSERT_TRUE(Call(coordinator.get(), &ContractsStub::RecordFollowUp, follow_up, &agreement).ok());
  EXPECT_EQ(agreement.update_principal(), kCoordinator);
  EXPECT_EQ(agreement.follow_ups(0).recorded_by(), kCoordinator);

  EXPECT_EQ(Summary(ContractsRecords(absl::StrCat("principal = \"", kCoordinator, "\""))),
            (std::vector<std::string>{
                "CreateAgreement agreements/printers OK",
                "CreateAgreement agreements/printers REPLAYED",
                "CreateProcurement procurements/printers OK",
                "CreateProcurement procurements/printers REPLAYED",
                "TransitionProcurement procurements/printers OK",
                "RecordAward procurements/social-services-system OK",
                "RecordReviewRequest procurements/social-services-system OK",
                "RecordReviewOutcome procurements/social-services-system OK",
                "UpdateAgreement agreements/it-konsulter OK",
                "ExtendAgreement agreements/it-konsulter OK",
                "JoinAgreement agreements/it-konsulter OK",
                "RecordFollowUp agreements/it-konsulter OK",
            }));
  EXPECT_EQ(ContractsRecords(absl::StrCat("principal = \"", kClerk, "\"")).size(), seeded.size());
  EXPECT_EQ(ContractsRecords("resource = \"agreements/*\"").size(), 8u);
  EXPECT_EQ(ContractsRecords("resource = \"procurements/*\"").size(), 9u);

  // Writes that fail leave nothing: an unknown municipality, the four-year
  // rule without a reason, an agreement that exists, concluding during the
  // standstill (to 30 June), an outcome without a review, a stale etag,
  // joining without the entitlement and joining twice, a follow-up in the
  // future, and callers without the role (a municipality system joining its
  // own municipality too).
  const size_t before = ContractsRecords().size();
  std::vector<std::pair<grpc::Status, grpc::StatusCode>> refused;
  auto create_agreement = [&](const cv1::CreateAgreementRequest& request, ContractsStub* stub) {
    return Call(stub, &ContractsStub::CreateAgreement, request, &agreement);
  };
  refused.emplace_back(
      create_agreement(contracts::AgreementRequest("x", {"2510"}), coordinator.get()),
      grpc::StatusCode::INVALID_ARGUMENT);
  cv1::CreateAgreementRequest long_one = contracts::AgreementRequest("x", {"2584"});
  long_one.mutable_agreement()->mutable_terms()->add_extensions()->set_months(12);
  refused.emplace_back(create_agreement(long_one, coordinator.get()),
                       grpc::StatusCode::INVALID_ARGUMENT);
  refused.emplace_back(
      create_agreement(contracts::AgreementRequest("e-arkiv", {"2580"}), coordinator.get()),
      grpc::StatusCode::ALREADY_EXISTS);
  cv1::TransitionProcurementRequest conclude;
  conclude.set_name(kSocialServicesSystem);
  conclude.set_state(cv1::Procurement::STATE_CONCLUDED);
  *conclude.mutable_date() = enamnd::testing::Day(2022, 6, 29);
  refused.emplace_back(
      Call(coordinator.get(), &ContractsStub::TransitionProcurement, conclude, &procurement),
      grpc::StatusCode::FAILED_PRECONDITION);
  refused.emplace_back(
      Call(coordinator.get(), &ContractsStub::RecordReviewOutcome, outcome, &procurement),
      grpc::StatusCode::FAILED_PRECONDITION);
  update.mutable_agreement()->set_etag("99");
  refused.emplace_back(Call(coordinator.get(), &ContractsStub::UpdateAgreement, update, &agreement),
                       grpc::StatusCode::ABORTED);
  cv1::JoinAgreementRequest not_entitled = join;
  not_entitled.set_name(kEArchive);
  refused.emplace_back(
      Call(coordinator.get(), &ContractsStub::JoinAgreement, not_entitled, &agreement),
      grpc::StatusCode::INVALID_ARGUMENT);
  refused.emplace_back(Call(coordinator.get(), &ContractsStub::JoinAgreement, join, &agreement),
                       grpc::StatusCode::FAILED_PRECONDITION);
  *follow_up.mutable_follow_up()->mutable_date() = enamnd::testing::Day(2022, 6, 30);
  refused.emplace_back(
      Call(coordinator.get(), &ContractsStub::RecordFollowUp, follow_up, &agreement),
      grpc::StatusCode::INVALID_ARGUMENT);
  ContractsStubPtr secretary = ContractsAs(kSecretary);
  refused.emplace_back(
      create_agreement(contracts::AgreementRequest("y", {"2584"}), secretary.get()),
      grpc::StatusCode::PERMISSION_DENIED);
  ContractsStubPtr kiruna = ContractsAs(kSystem2584);
  refused.emplace_back(Call(kiruna.get(), &ContractsStub::JoinAgreement, join, &agreement),
                       grpc::StatusCode::PERMISSION_DENIED);
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].first.error_code(), refused[i].second)
        << "refusal " << i << ": " << refused[i].first.error_message();
  }
  EXPECT_EQ(ContractsRecords().size(), before);
}

TEST_F(AuditTrailTest, FinanceRecordsEachWriteByItsPrincipal) {
  // The seeded writes were the clerk's.
  std::vector<auth::v1::AuditRecord> seeded = FinanceRecords();
  EXPECT_EQ(Summary(seeded), (std::vector<std::string>{
                                 "CreatePopulationFigures population-figures/2021-12-31 OK",
                                 "CreateIndexSeries index-series/aki OK",
                                 "CreateBudget budgets/2022 OK",
                             }));
  for (const auto& r : seeded) EXPECT_EQ(r.principal(), kClerk);

  FinanceStubPtr finance = FinanceAs(kFinance);
  fv1::CreateBudgetRequest create;
  create.set_year(2023);
  create.set_request_id("b-1");
  create.mutable_budget()->set_title("Budget 2023");
  fv1::Budget budget;
  for (int i = 0; i < 2; ++i) {  // a retry with the same request_id is a replay
    grpc::Status created = Call(finance.get(), &FinanceStub::CreateBudget, create, &budget);
    ASSERT_TRUE(created.ok()) << created.error_message();
  }
  EXPECT_EQ(budget.create_principal(), kFinance);
  fv1::UprateBudgetRequest uprate;
  uprate.set_source_budget(kBudget2022);
  uprate.set_year(2024);
  uprate.set_index_series("index-series/aki");
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::UprateBudget, uprate, &budget).ok());
  fv1::UpdateBudgetRequest update;
  update.mutable_budget()->set_name(kBudget2022);
  update.mutable_budget()->set_title("Budget 2022, reviderad");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::UpdateBudget, update, &budget).ok());
  EXPECT_EQ(budget.update_principal(), kFinance);
  fv1::RecordOutcomeRequest outcome;
  outcome.set_budget(kBudget2022);
  outcome.mutable_outcome()->set_month(5);
  fv1::MonthlyOutcome recorded;
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::RecordOutcome, outcome, &recorded).ok());
  fv1::MakeForecastRequest forecast;
  forecast.set_budget(kBudget2022);
  forecast.mutable_forecast()->set_as_of_month(5);
  fv1::Forecast made;
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::MakeForecast, forecast, &made).ok());
  EXPECT_EQ(Summary(FinanceRecords(absl::StrCat("principal = \"", kFinance, "\""))),
            (std::vector<std::string>{
                "CreateBudget budgets/2023 OK",
                "CreateBudget budgets/2023 REPLAYED",
                "UprateBudget budgets/2024 OK",
                "UpdateBudget budgets/2022 OK",
                "RecordOutcome budgets/2022/outcomes/5 OK",
                "MakeForecast budgets/2022/forecasts/5 OK",
            }));

  // Writes that fail leave nothing: a negative cost, a stale etag, a month
  // that has not begun, an index without the year, and callers without the
  // role.
  const size_t before = FinanceRecords().size();
  std::vector<std::pair<grpc::Status, grpc::StatusCode>> refused;
  create.set_year(2025);
  create.set_request_id("");
  fv1::BudgetLine* line = create.mutable_budget()->add_lines();
  line->set_id("basic-funding");
  line->set_title("Grundfinansiering");
  line->mutable_cost()->set_ore(-1);
  line->mutable_allocation()->mutable_equal();
  refused.emplace_back(Call(finance.get(), &FinanceStub::CreateBudget, create, &budget),
                       grpc::StatusCode::INVALID_ARGUMENT);
  update.mutable_budget()->set_etag("1");
  refused.emplace_back(Call(finance.get(), &FinanceStub::UpdateBudget, update, &budget),
                       grpc::StatusCode::ABORTED);
  outcome.mutable_outcome()->set_month(7);
  refused.emplace_back(Call(finance.get(), &FinanceStub::RecordOutcome, outcome, &recorded),
                       grpc::StatusCode::INVALID_ARGUMENT);
  uprate.set_year(2025);
  refused.emplace_back(Call(finance.get(), &FinanceStub::UprateBudget, uprate, &budget),
                       grpc::StatusCode::INVALID_ARGUMENT);
  create.mutable_budget()->mutable_lines(0)->mutable_cost()->set_ore(1);
  for (const char* principal : {kSecretary, kCoordinator, kSystem2584}) {
    refused.emplace_back(
        Call(FinanceAs(principal).get(), &FinanceStub::CreateBudget, create, &budget),
        grpc::StatusCode::PERMISSION_DENIED);
  }
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].first.error_code(), refused[i].second)
        << "refusal " << i << ": " << refused[i].first.error_message();
  }
  EXPECT_EQ(FinanceRecords().size(), before);
}

TEST_F(AuditTrailTest, FinanceRecordsEachPlanWriteAndNoRead) {
  FinanceStubPtr finance = FinanceAs(kFinance);
  fv1::CreatePlanRequest create;
  create.set_year(2022);
  create.set_request_id("p-1");
  create.mutable_plan()->set_title("Verksamhetsplan 2022");
  fv1::Goal* goal = create.mutable_plan()->add_goals();
  goal->set_id("trainings");
  goal->set_kind(fv1::Goal::KIND_GOAL);
  goal->set_text("Minst tre utbildningstillfällen för ledamöterna");
  goal->set_measure(fv1::MEASURE_MANUAL);
  fv1::Plan plan;
  for (int i = 0; i < 2; ++i) {  // a retry with the same request_id is a replay
    grpc::Status created = Call(finance.get(), &FinanceStub::CreatePlan, create, &plan);
    ASSERT_TRUE(created.ok()) << created.error_message();
  }
  EXPECT_EQ(plan.create_principal(), kFinance);
  fv1::UpdatePlanRequest update;
  update.mutable_plan()->set_name("plans/2022");
  update.mutable_plan()->set_title("Verksamhetsplan 2022, reviderad");
  update.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::UpdatePlan, update, &plan).ok());
  fv1::AdoptPlanRequest adopt;
  adopt.set_name("plans/2022");
  adopt.mutable_decision()->set_paragraph("bodies/e-namnden/meetings/2021-12-16/paragraphs/4");
  *adopt.mutable_decision()->mutable_meeting_date() = enamnd::testing::Day(2021, 12, 16);
  adopt.mutable_decision()->set_case_number("2021/3-2.2.0.1");
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::AdoptPlan, adopt, &plan).ok());
  fv1::RecordPlanFollowUpRequest record;
  record.set_plan("plans/2022");
  record.set_through_month(5);
  record.mutable_follow_up()->set_title("Delårsrapport 2022");
  fv1::PlanFollowUp follow_up;
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::RecordPlanFollowUp, record, &follow_up).ok());
  record.mutable_follow_up()->set_etag(follow_up.etag());
  ASSERT_TRUE(Call(finance.get(), &FinanceStub::RecordPlanFollowUp, record, &follow_up).ok());
  EXPECT_EQ(follow_up.update_principal(), kFinance);
  EXPECT_EQ(Summary(FinanceRecords(absl::StrCat("principal = \"", kFinance, "\""))),
            (std::vector<std::string>{
                "CreatePlan plans/2022 OK",
                "CreatePlan plans/2022 REPLAYED",
                "UpdatePlan plans/2022 OK",
                "AdoptPlan plans/2022 OK",
                "RecordPlanFollowUp plans/2022/follow-ups/5 OK",
                "RecordPlanFollowUp plans/2022/follow-ups/5 OK",
            }));

  // Reads leave nothing, nor do writes that fail: a locked plan, a second
  // adoption, a follow-up replaced without its etag, a bad year, a caller
  // without the role.
  const size_t before = FinanceRecords().size();
  fv1::RenderPlanReportRequest render;
  render.set_follow_up("plans/2022/follow-ups/5");
  fv1::RenderedPlanReport report;
  grpc::Status rendered = Call(finance.get(), &FinanceStub::RenderPlanReport, render, &report);
  EXPECT_TRUE(rendered.ok()) << rendered.error_message();
  fv1::GetPlanRequest get;
  get.set_name("plans/2022");
  EXPECT_TRUE(
      Call(FinanceAs(enamnd::testing::kPublicReader).get(), &FinanceStub::GetPlan, get, &plan)
          .ok());
  std::vector<std::pair<grpc::Status, grpc::StatusCode>> refused;
  refused.emplace_back(Call(finance.get(), &FinanceStub::UpdatePlan, update, &plan),
                       grpc::StatusCode::FAILED_PRECONDITION);
  refused.emplace_back(Call(finance.get(), &FinanceStub::AdoptPlan, adopt, &plan),
                       grpc::StatusCode::FAILED_PRECONDITION);
  record.mutable_follow_up()->clear_etag();
  refused.emplace_back(Call(finance.get(), &FinanceStub::RecordPlanFollowUp, record, &follow_up),
                       grpc::StatusCode::ABORTED);
  create.set_year(1999);
  create.set_request_id("");
  refused.emplace_back(Call(finance.get(), &FinanceStub::CreatePlan, create, &plan),
                       grpc::StatusCode::INVALID_ARGUMENT);
  create.set_year(2023);
  for (const char* principal : {kSecretary, kCoordinator, kSystem2584}) {
    refused.emplace_back(Call(FinanceAs(principal).get(), &FinanceStub::CreatePlan, create, &plan),
                         grpc::StatusCode::PERMISSION_DENIED);
  }
  for (size_t i = 0; i < refused.size(); ++i) {
    EXPECT_EQ(refused[i].first.error_code(), refused[i].second)
        << "refusal " << i << ": " << refused[i].first.error_message();
  }
  EXPECT_EQ(FinanceRecords().size(), before);
}

TEST_F(AuditTrailTest, TableIsAppendOnlyBelowTheApi) {
  size_t before = Records().size();
  for (const std::string& path :
       {meetings_->db()->path(), audits_->db()->path(), projects_->db()->path(),
        contracts_->db()->path(), finance_->db()->path()}) {
    std::unique_ptr<platform::Database> db = enamnd::testing::OpenDatabase(path, {});
    ASSERT_NE(db, nullptr);
    for (const char* sql :
         {"UPDATE audit_records SET principal = 'someone else'",
          "DELETE FROM audit_records WHERE sequence = 1", "DELETE FROM audit_records"}) {
      auto tx = db->Begin();
      ASSERT_TRUE(tx.ok()) << tx.status();
      absl::Status status = tx->Exec(sql);
      EXPECT_FALSE(status.ok()) << path << ": " << sql;
      EXPECT_TRUE(absl::StrContains(status.message(), "append-only")) << status;
    }
  }
  std::vector<auth::v1::AuditRecord> after = Records();
  ASSERT_EQ(after.size(), before);
  for (const auto& r : after) EXPECT_NE(r.principal(), "someone else");
}

}  // namespace
}  // namespace enamnd::security
