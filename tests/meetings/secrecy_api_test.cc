// Secrecy through the API (issue 8): a paragraph under secrecy (OSL) keeps
// its text from every caller without the confidential role — in replies,
// in the rendered public protocol and extracts, on the Redis stream and in
// WatchDecisions and WatchEvents — while the clerk (confidential) reads it in full and the
// hash chain holds over the full text.
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "services/meetings/api/meetings_api.h"
#include "services/platform/sha256.h"
#include "tests/meetings/fixture.h"
#include "tests/support/watcher.h"

namespace enamnd::meetings {
namespace {

using absl::CivilDay;
using enamnd::testing::Day;
using enamnd::testing::kClerk;
using enamnd::testing::kPublicReader;
using enamnd::testing::kSecretary;
using enamnd::testing::kSystem2584;
using enamnd::testing::PollUntil;

// Words of the secret paragraph that must never reach a reader without the
// confidential role.
constexpr char kSecretDecision[] = "Bistånd beviljas Anna Svensson enligt ansökan.";
constexpr char kSecretName[] = "Svensson";
constexpr char kMarking[] = "Sekretess enligt OSL 26 kap. 1 §";

bool Leaks(const std::string& bytes) { return absl::StrContains(bytes, kSecretName); }

// Reads a WatchDecisions stream on its own thread.
class Watcher {
 public:
  Watcher(v1::MeetingsService::Stub* stub, const std::string& municipality) {
    v1::WatchDecisionsRequest request;
    request.set_municipality(municipality);
    reader_ = stub->WatchDecisions(&context_, request);
    thread_ = std::thread([this] {
      v1::WatchDecisionsResponse response;
      while (reader_->Read(&response)) {
        absl::MutexLock lock(&mutex_);
        received_.push_back(response);
      }
      reader_->Finish();
    });
  }
  ~Watcher() {
    context_.TryCancel();
    thread_.join();
  }
  std::vector<v1::WatchDecisionsResponse> received() {
    absl::MutexLock lock(&mutex_);
    return received_;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchDecisionsResponse>> reader_;
  absl::Mutex mutex_;
  std::vector<v1::WatchDecisionsResponse> received_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

class SecrecyApiTest : public MeetingsFixture {
 protected:
  void SetUp() override {
    MeetingsFixture::SetUp();
    runner()->clock()->Pin(CivilDay(2022, 6, 29));
    SetUpBody("e-namnden", {"2584", "2523", "2505"});
    meeting_ = CreateMeeting("e-namnden", 2022, 6, 22).name();
    ASSERT_TRUE(Attend(meeting_, {"2584", "2523", "2505"}).ok());
    CreateCase("2022/9-2.2.0.1");
    v1::Paragraph out;
    ASSERT_TRUE(Record(meeting_, Decision("cases/2022-9", {"2584"}), &out).ok());  // § 1
    v1::Paragraph secret = Decision("cases/2022-9", {"2584"});
    secret.set_title("Ansökan om bistånd, Anna Svensson");
    secret.mutable_decision()->set_text(kSecretDecision);
    secret.set_summary("Anna Svensson har ansökt.");
    secret.mutable_secrecy()->set_chapter(26);
    secret.mutable_secrecy()->set_section("1");
    grpc::Status status = Record(meeting_, secret, &recorded_);  // § 2
    ASSERT_TRUE(status.ok()) << status.error_message();
    secret_ = recorded_.name();
  }

  std::unique_ptr<Stub> As(const std::string& principal) { return service_.StubAs(principal); }

  v1::Paragraph GetAs(const std::string& principal, const std::string& name) {
    auto stub = As(principal);
    v1::GetParagraphRequest request;
    request.set_name(name);
    v1::Paragraph p;
    grpc::Status status = enamnd::testing::Call(stub.get(), &Stub::GetParagraph, request, &p);
    EXPECT_TRUE(status.ok()) << principal << ": " << status.error_message();
    return p;
  }

  v1::ListParagraphsResponse ListAs(const std::string& principal) {
    auto stub = As(principal);
    v1::ListParagraphsRequest request;
    request.set_parent(meeting_);
    v1::ListParagraphsResponse out;
    grpc::Status status = enamnd::testing::Call(stub.get(), &Stub::ListParagraphs, request, &out);
    EXPECT_TRUE(status.ok()) << principal << ": " << status.error_message();
    return out;
  }

  v1::RenderedProtocol RenderAs(const std::string& principal) {
    auto stub = As(principal);
    v1::RenderProtocolRequest request;
    request.set_meeting(meeting_);
    v1::RenderedProtocol out;
    grpc::Status status = enamnd::testing::Call(stub.get(), &Stub::RenderProtocol, request, &out);
    EXPECT_TRUE(status.ok()) << principal << ": " << status.error_message();
    return out;
  }

  v1::Adjustment AdjustAll() {
    v1::AdjustProtocolRequest request;
    request.set_meeting(meeting_);
    request.mutable_chair()->set_display_name("Ledamot 2584");
    request.add_adjusters()->set_display_name("Ledamot 2523");
    *request.mutable_adjusted_date() = Day(2022, 6, 29);
    v1::Adjustment a;
    grpc::Status status = Call(&Stub::AdjustProtocol, request, &a);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return a;
  }

  v1::VerifyDocumentResponse VerifyText(const std::string& text) {
    auto stub = As(kPublicReader);
    v1::VerifyDocumentRequest request;
    request.set_text(text);
    v1::VerifyDocumentResponse out;
    EXPECT_TRUE(enamnd::testing::Call(stub.get(), &Stub::VerifyDocument, request, &out).ok());
    return out;
  }

  std::string meeting_;
  std::string secret_;
  v1::Paragraph recorded_;
};

TEST_F(SecrecyApiTest, RepliesToCallersWithoutTheConfidentialRoleAreRedacted) {
  // The clerk (confidential) recorded it and reads it in full.
  EXPECT_EQ(recorded_.decision().text(), kSecretDecision);
  EXPECT_EQ(recorded_.secrecy().chapter(), 26);
  EXPECT_FALSE(recorded_.redacted());
  EXPECT_EQ(GetAs(kClerk, secret_).decision().text(), kSecretDecision);
  // A secretary without the confidential role sees the draft redacted.
  v1::Paragraph seen = GetAs(kSecretary, secret_);
  EXPECT_TRUE(seen.redacted());
  EXPECT_EQ(seen.decision().text(), kMarking);
  EXPECT_EQ(seen.title(), "Ärende som omfattas av sekretess");
  EXPECT_FALSE(Leaks(seen.DebugString())) << seen.DebugString();

  AdjustAll();
  for (const char* reader : {kPublicReader, kSystem2584, kSecretary}) {
    SCOPED_TRACE(reader);
    v1::Paragraph p = GetAs(reader, secret_);
    EXPECT_TRUE(p.redacted());
    EXPECT_EQ(p.decision().text(), kMarking);
    EXPECT_EQ(p.legal_state(), v1::Paragraph::LEGAL_STATE_ADJUSTED);
    EXPECT_FALSE(Leaks(p.DebugString())) << p.DebugString();
    v1::ListParagraphsResponse list = ListAs(reader);
    ASSERT_EQ(list.paragraphs_size(), 2);
    EXPECT_FALSE(list.paragraphs(0).redacted());  // § 1 is not secret
    EXPECT_EQ(list.paragraphs(0).decision().text(),
              "Nämnden lägger informationen till handlingarna.");
    EXPECT_TRUE(list.paragraphs(1).redacted());
    EXPECT_FALSE(Leaks(list.DebugString())) << list.DebugString();
  }
  v1::ListParagraphsResponse full = ListAs(kClerk);
  ASSERT_EQ(full.paragraphs_size(), 2);
  EXPECT_EQ(full.paragraphs(1).decision().text(), kSecretDecision);
  EXPECT_FALSE(full.paragraphs(1).redacted());
}

TEST_F(SecrecyApiTest, PublicRenderIsRedactedAndTheChainHoldsOverTheFullText) {
  // Draft: the secretary without confidential gets the redacted render.
  v1::RenderedProtocol draft = RenderAs(kSecretary);
  EXPECT_TRUE(draft.redacted());
  EXPECT_FALSE(Leaks(draft.text()) || Leaks(draft.html()));

  v1::Adjustment a = AdjustAll();
  EXPECT_TRUE(absl::StrContains(a.text(), kSecretDecision));  // the clerk's reply
  EXPECT_FALSE(a.redacted());
  ASSERT_FALSE(a.redacted_sha256().empty());
  EXPECT_EQ(a.sha256(), platform::Sha256Hex(a.text()));

  v1::RenderedProtocol open = RenderAs(kPublicReader);
  EXPECT_TRUE(open.redacted());
  EXPECT_EQ(open.adjustment(), a.name());
  EXPECT_TRUE(absl::StrContains(open.text(), kMarking));
  EXPECT_TRUE(absl::StrContains(open.html(), kMarking));
  EXPECT_TRUE(absl::StrContains(open.text(), "Nämnden lägger informationen till handlingarna."));
  EXPECT_FALSE(Leaks(open.text())) << open.text();
  EXPECT_FALSE(Leaks(open.html()));
  EXPECT_EQ(open.sha256(), platform::Sha256Hex(open.text()));
  EXPECT_EQ(open.sha256(), a.redacted_sha256());
  EXPECT_NE(open.sha256(), a.sha256());

  v1::RenderedProtocol full = RenderAs(kClerk);
  EXPECT_FALSE(full.redacted());
  EXPECT_EQ(full.text(), a.text());
  EXPECT_EQ(full.sha256(), a.sha256());

  // GetAdjustment and ListAdjustments carry the public version too.
  auto reader = As(kPublicReader);
  v1::GetAdjustmentRequest get;
  get.set_name(a.name());
  v1::Adjustment seen;
  ASSERT_TRUE(enamnd::testing::Call(reader.get(), &Stub::GetAdjustment, get, &seen).ok());
  EXPECT_TRUE(seen.redacted());
  EXPECT_EQ(seen.text(), open.text());
  EXPECT_EQ(seen.sha256(), a.sha256());  // the chain's link
  v1::ListAdjustmentsRequest list;
  list.set_parent(meeting_);
  v1::ListAdjustmentsResponse listed;
  ASSERT_TRUE(enamnd::testing::Call(reader.get(), &Stub::ListAdjustments, list, &listed).ok());
  ASSERT_EQ(listed.adjustments_size(), 1);
  EXPECT_FALSE(Leaks(listed.DebugString()));

  // Verification: the full text is the protocol; the public version is
  // known as its redacted copy; neither changed by a byte verifies.
  v1::VerifyDocumentResponse v = VerifyText(a.text());
  EXPECT_EQ(v.match(), v1::VerifyDocumentResponse::MATCH_PROTOCOL);
  EXPECT_FALSE(v.redacted());
  v = VerifyText(open.text());
  EXPECT_EQ(v.match(), v1::VerifyDocumentResponse::MATCH_PROTOCOL);
  EXPECT_TRUE(v.redacted());
  EXPECT_EQ(v.name(), a.name());
  EXPECT_EQ(v.document_sha256(), a.sha256());
  EXPECT_EQ(VerifyText(open.text() + " ").match(), v1::VerifyDocumentResponse::MATCH_NONE);

  v1::VerifyChainRequest chain;
  chain.set_body("bodies/e-namnden");
  v1::VerifyChainResponse intact;
  ASSERT_TRUE(enamnd::testing::Call(reader.get(), &Stub::VerifyChain, chain, &intact).ok());
  EXPECT_TRUE(intact.intact()) << intact.problem();
  EXPECT_EQ(intact.links_checked(), 1);
}

TEST_F(SecrecyApiTest, ExtractsOfASecretParagraph) {
  AdjustAll();
  v1::CreateExtractRequest request;
  request.set_paragraph(secret_);
  request.mutable_certified_by()->set_display_name("Sekreteraren");
  v1::Extract full;
  ASSERT_TRUE(Call(&Stub::CreateExtract, request, &full).ok());
  EXPECT_TRUE(absl::StrContains(full.text(), kSecretDecision));
  EXPECT_FALSE(full.redacted());
  ASSERT_FALSE(full.redacted_sha256().empty());
  // A secretary without the confidential role certifies the same extract
  // and gets its public version.
  auto secretary = As(kSecretary);
  v1::Extract open;
  ASSERT_TRUE(enamnd::testing::Call(secretary.get(), &Stub::CreateExtract, request, &open).ok());
  EXPECT_EQ(open.name(), full.name());
  EXPECT_TRUE(open.redacted());
  EXPECT_TRUE(absl::StrContains(open.text(), kMarking));
  EXPECT_FALSE(Leaks(open.text()) || Leaks(open.html())) << open.text();
  EXPECT_EQ(open.sha256(), full.sha256());
  EXPECT_EQ(platform::Sha256Hex(open.text()), full.redacted_sha256());
  v1::VerifyDocumentResponse v = VerifyText(open.text());
  EXPECT_EQ(v.match(), v1::VerifyDocumentResponse::MATCH_EXTRACT);
  EXPECT_TRUE(v.redacted());
  EXPECT_EQ(v.document_sha256(), full.sha256());
  EXPECT_EQ(VerifyText(full.text()).match(), v1::VerifyDocumentResponse::MATCH_EXTRACT);
}

TEST_F(SecrecyApiTest, TheStreamAndTheOutboxCarryOnlyTheRedactedVersion) {
  // Every event about § 2 in its life: recorded, updated, adjusted,
  // corrected, notices, final.
  v1::UpdateParagraphRequest update;
  update.mutable_paragraph()->set_name(secret_);
  update.mutable_paragraph()->set_meeting_notes("Anna Svensson närvarade inte.");
  update.mutable_update_mask()->add_paths("meeting_notes");
  v1::Paragraph updated;
  ASSERT_TRUE(Call(&Stub::UpdateParagraph, update, &updated).ok());
  v1::Adjustment a = AdjustAll();
  v1::RecordCorrectionRequest correct;
  correct.set_paragraph(secret_);
  correct.mutable_correction()->set_field("decision.text");
  correct.mutable_correction()->set_corrected_text("Bistånd beviljas Anna Svensson från 1 juli.");
  correct.mutable_correction()->set_reason("Datum saknades för Svensson.");
  correct.mutable_correction()->mutable_recorded_by()->set_display_name("Sekreteraren");
  v1::Correction correction;
  ASSERT_TRUE(Call(&Stub::RecordCorrection, correct, &correction).ok());
  for (const char* code : {"2584", "2523", "2505"}) {
    v1::RecordNoticePostingRequest post;
    post.set_adjustment(a.name());
    post.set_municipality(absl::StrCat("municipalities/", code));
    *post.mutable_posted_date() = Day(2022, 6, 29);
    v1::Adjustment posted;
    ASSERT_TRUE(Call(&Stub::RecordNoticePosting, post, &posted).ok());
  }
  MeetingsApi api(runner()->db(), runner()->outbox(), runner()->clock());
  ASSERT_TRUE(api.RunDeadlines(CivilDay(2022, 8, 1)).ok());

  const int64_t events = OutboxCount();
  std::vector<enamnd::testing::StreamEntry> entries;
  ASSERT_TRUE(PollUntil(
      [&] {
        entries = enamnd::testing::ReadStream(redis_, "enamnd:events:meetings");
        return static_cast<int64_t>(entries.size()) == events;
      },
      absl::Seconds(10)));
  std::set<std::string> about_secret;
  for (const auto& entry : entries) {
    EXPECT_FALSE(Leaks(entry.event)) << entry.type;
    io::cloudevents::v1::CloudEvent event;
    ASSERT_TRUE(event.ParseFromString(entry.event));
    if (entry.subject != secret_) continue;
    about_secret.insert(entry.type);
    if (entry.type == "enamnd.meetings.v1.DecisionRecorded") {
      v1::DecisionRecorded d;
      ASSERT_TRUE(event.proto_data().UnpackTo(&d));
      EXPECT_TRUE(d.paragraph().redacted());
      EXPECT_EQ(d.paragraph().decision().text(), kMarking);
      EXPECT_EQ(d.paragraph().secrecy().chapter(), 26);
    }
    if (entry.type == "enamnd.meetings.v1.DecisionFinal") {
      v1::DecisionFinal d;
      ASSERT_TRUE(event.proto_data().UnpackTo(&d));
      EXPECT_EQ(d.decision_text(), kMarking);
      EXPECT_EQ(d.secrecy().section(), "1");
      EXPECT_EQ(d.protocol_sha256(), a.sha256());
    }
  }
  EXPECT_EQ(about_secret,
            (std::set<std::string>{
                "enamnd.meetings.v1.DecisionRecorded", "enamnd.meetings.v1.DecisionUpdated",
                "enamnd.meetings.v1.ProtocolCorrected", "enamnd.meetings.v1.DecisionFinal"}));
  // The durable log the stream is replayed from holds no secret either.
  auto tx = runner()->db()->BeginRead();
  auto rows = tx->Query("SELECT event FROM outbox");
  ASSERT_TRUE(rows.ok());
  for (const auto& row : *rows) EXPECT_FALSE(Leaks(row.Text(0)));
}

TEST_F(SecrecyApiTest, WatchDecisionsGivesTheFullTextOnlyToTheConfidentialRole) {
  auto system = As(kSystem2584);
  Watcher municipal(system.get(), "municipalities/2584");
  Watcher clerk(stub_, "");
  // § 1 and § 2 recorded in SetUp; one more update of § 2, live.
  v1::UpdateParagraphRequest update;
  update.mutable_paragraph()->set_name(secret_);
  update.mutable_paragraph()->set_summary("Anna Svensson har kompletterat sin ansökan.");
  update.mutable_update_mask()->add_paths("summary");
  v1::Paragraph updated;
  ASSERT_TRUE(Call(&Stub::UpdateParagraph, update, &updated).ok());
  ASSERT_TRUE(PollUntil([&] { return municipal.received().size() == 3; }, absl::Seconds(10)));
  ASSERT_TRUE(PollUntil([&] { return clerk.received().size() == 3; }, absl::Seconds(10)));
  for (const auto& r : municipal.received()) {
    EXPECT_FALSE(Leaks(r.event().SerializeAsString())) << r.event().type();
  }
  v1::DecisionRecorded seen;
  ASSERT_TRUE(municipal.received()[1].event().proto_data().UnpackTo(&seen));
  EXPECT_EQ(seen.paragraph().decision().text(), kMarking);
  EXPECT_TRUE(seen.paragraph().redacted());

  v1::DecisionRecorded full;
  ASSERT_TRUE(clerk.received()[1].event().proto_data().UnpackTo(&full));
  EXPECT_EQ(full.paragraph().decision().text(), kSecretDecision);
  EXPECT_FALSE(full.paragraph().redacted());
  v1::DecisionUpdated later;
  ASSERT_TRUE(clerk.received()[2].event().proto_data().UnpackTo(&later));
  EXPECT_EQ(later.paragraph().summary(), "Anna Svensson har kompletterat sin ansökan.");
  // Same events, same cursors, same envelopes apart from the payload.
  EXPECT_EQ(clerk.received()[1].sequence(), municipal.received()[1].sequence());
  EXPECT_EQ(clerk.received()[1].event().id(), municipal.received()[1].event().id());
}

TEST_F(SecrecyApiTest, WatchEventsGivesTheFullTextOnlyToTheConfidentialRole) {
  using enamnd::testing::EventWatcher;
  using enamnd::testing::WatchEventsOn;
  const std::vector<std::string> decisions = {"enamnd.meetings.v1.DecisionRecorded"};
  auto system = As(kSystem2584);
  auto secretary = As(kSecretary);
  EventWatcher municipal(WatchEventsOn(system.get(), 0, decisions));
  EventWatcher staff(WatchEventsOn(secretary.get(), 0, decisions));  // no confidential role
  EventWatcher clerk(WatchEventsOn(stub_, 0, decisions));
  ASSERT_TRUE(
      PollUntil([&] { return municipal.count() == 2 && staff.count() == 2 && clerk.count() == 2; },
                absl::Seconds(10)));
  for (EventWatcher* redacted : {&municipal, &staff}) {
    for (const auto& r : redacted->received()) EXPECT_FALSE(Leaks(r.event().SerializeAsString()));
    v1::DecisionRecorded seen;
    ASSERT_TRUE(redacted->received()[1].event().proto_data().UnpackTo(&seen));
    EXPECT_EQ(seen.paragraph().decision().text(), kMarking);
    EXPECT_TRUE(seen.paragraph().redacted());
  }
  v1::DecisionRecorded full;
  ASSERT_TRUE(clerk.received()[1].event().proto_data().UnpackTo(&full));
  EXPECT_EQ(full.paragraph().decision().text(), kSecretDecision);
  EXPECT_FALSE(full.paragraph().redacted());
  EXPECT_EQ(clerk.received()[1].sequence(), municipal.received()[1].sequence());
  EXPECT_EQ(clerk.received()[1].event().id(), municipal.received()[1].event().id());
}

TEST_F(SecrecyApiTest, MarkingIsValidatedAndOnlyTheConfidentialRoleLiftsIt) {
  const int64_t before = OutboxCount();
  v1::Paragraph bad = Decision("cases/2022-9");
  bad.mutable_secrecy()->set_chapter(45);
  bad.mutable_secrecy()->set_section("7");
  v1::Paragraph out;
  EXPECT_INVALID_FIELD(Record(meeting_, bad, &out), "paragraph.secrecy.chapter");
  bad.mutable_secrecy()->set_chapter(21);
  bad.mutable_secrecy()->set_section("7a");
  EXPECT_INVALID_FIELD(Record(meeting_, bad, &out), "paragraph.secrecy.section");
  EXPECT_EQ(OutboxCount(), before);

  // The secretary without confidential may not lift or change the marking.
  auto secretary = As(kSecretary);
  v1::UpdateParagraphRequest lift;
  lift.mutable_paragraph()->set_name(secret_);
  lift.mutable_update_mask()->add_paths("secrecy");
  v1::Paragraph p;
  grpc::Status status = enamnd::testing::Call(secretary.get(), &Stub::UpdateParagraph, lift, &p);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_NE(status.error_message().find("confidential"), std::string::npos);
  EXPECT_EQ(OutboxCount(), before);
  EXPECT_TRUE(GetAs(kClerk, secret_).has_secrecy());

  // A draft may be marked by UpdateParagraph; § 1 then reads redacted.
  v1::UpdateParagraphRequest mark;
  mark.mutable_paragraph()->set_name(absl::StrCat(meeting_, "/paragraphs/1"));
  mark.mutable_paragraph()->mutable_secrecy()->set_chapter(21);
  mark.mutable_paragraph()->mutable_secrecy()->set_section("7 a");
  mark.mutable_update_mask()->add_paths("secrecy");
  status = enamnd::testing::Call(secretary.get(), &Stub::UpdateParagraph, mark, &p);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(p.redacted());
  EXPECT_EQ(p.decision().text(), "Sekretess enligt OSL 21 kap. 7 a §");

  // The clerk lifts the marking of § 2.
  ASSERT_TRUE(Call(&Stub::UpdateParagraph, lift, &p).ok());
  EXPECT_FALSE(p.has_secrecy());
  EXPECT_EQ(GetAs(kSecretary, secret_).decision().text(), kSecretDecision);

  // Once adjusted, the marking is locked like the rest.
  AdjustAll();
  status = Call(&Stub::UpdateParagraph, mark, &p);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace enamnd::meetings
