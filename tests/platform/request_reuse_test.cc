// AIP-155 request_id reuse, through real services in-process: the same
// request again returns the first result and writes nothing more; the same
// request_id with a different request is INVALID_ARGUMENT naming
// request_id and writes nothing (no row, no event, no audit record).
#include "tests/audits/fixture.h"
#include "tests/support/committee.h"

namespace enamnd::audits {
namespace {

using enamnd::testing::Call;
namespace mv1 = ::enamnd::meetings::v1;

int64_t Count(platform::ServerRunner* runner, const std::string& sql) {
  auto tx = runner->db()->BeginRead();
  EXPECT_TRUE(tx.ok()) << tx.status();
  auto row = tx->QueryOne(sql);
  EXPECT_TRUE(row.ok() && row->has_value()) << sql;
  return (*row)->Int(0);
}

class RequestReuseTest : public AuditsFixture {
 protected:
  // The rows a refused call must not add to, with the audit trail.
  struct Counts {
    int64_t requests, outbox, audit_records;
    bool operator==(const Counts& other) const {
      return requests == other.requests && outbox == other.outbox &&
             audit_records == other.audit_records;
    }
  };
  Counts CountsOf(platform::ServerRunner* runner) {
    return {Count(runner, "SELECT COUNT(*) FROM request_ids"),
            Count(runner, "SELECT COUNT(*) FROM outbox"),
            Count(runner, "SELECT COUNT(*) FROM audit_records")};
  }
};

// The refusal names request_id, the earlier method and the rule.
void ExpectReuseRefused(const grpc::Status& status, const std::string& request_id,
                        const std::string& method) {
  EXPECT_INVALID_FIELD(status, "request_id");
  EXPECT_NE(status.error_message().find("\"" + request_id + "\""), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find(method), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("different request"), std::string::npos)
      << status.error_message();
}

TEST_F(RequestReuseTest, MeetingsCreateMunicipality) {
  mv1::CreateMunicipalityRequest request;
  request.set_municipality_id("2506");
  request.mutable_municipality()->set_display_name("Arjeplog");
  request.set_request_id("m-1");
  mv1::Municipality first, again;
  ASSERT_TRUE(Meetings(&MeetingsStub::CreateMunicipality, request, &first).ok());
  Counts after_first = CountsOf(meetings_);

  // The same request: the first result. Only the replay's audit record is new.
  ASSERT_TRUE(Meetings(&MeetingsStub::CreateMunicipality, request, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.create_time().seconds(), first.create_time().seconds());
  Counts after_retry = CountsOf(meetings_);
  EXPECT_EQ(after_retry.requests, after_first.requests);
  EXPECT_EQ(after_retry.outbox, after_first.outbox);
  EXPECT_EQ(Count(meetings_, "SELECT COUNT(*) FROM audit_records WHERE outcome = 'REPLAYED'"), 1);

  // Another payload, or another resource, under the same request_id.
  mv1::CreateMunicipalityRequest renamed = request;
  renamed.mutable_municipality()->set_display_name("Arvidsjaur");
  mv1::Municipality out;
  ExpectReuseRefused(Meetings(&MeetingsStub::CreateMunicipality, renamed, &out), "m-1",
                     "CreateMunicipality");
  mv1::CreateMunicipalityRequest other = request;
  other.set_municipality_id("2510");
  ExpectReuseRefused(Meetings(&MeetingsStub::CreateMunicipality, other, &out), "m-1",
                     "CreateMunicipality");
  EXPECT_TRUE(CountsOf(meetings_) == after_retry);
  mv1::GetMunicipalityRequest get;
  get.set_name("municipalities/2506");
  ASSERT_TRUE(Meetings(&MeetingsStub::GetMunicipality, get, &out).ok());
  EXPECT_EQ(out.display_name(), "Arjeplog");
  get.set_name("municipalities/2510");
  EXPECT_EQ(Meetings(&MeetingsStub::GetMunicipality, get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The key is per method: the same request_id is free for CreateBody.
  mv1::CreateBodyRequest body;
  body.set_body_id("testnamnden");
  body.mutable_body()->set_display_name("Testnämnden");
  body.mutable_body()->set_kind(mv1::Body::KIND_COMMITTEE);
  body.set_request_id("m-1");
  mv1::Body created;
  grpc::Status status = Meetings(&MeetingsStub::CreateBody, body, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// RecordDecision learns its paragraph's number only as it records it
// (Replayed, then SaveRequest): the same rules.
TEST_F(RequestReuseTest, MeetingsRecordDecision) {
  ASSERT_TRUE(enamnd::testing::SeedCommittee(meetings_stub_));
  mv1::RecordDecisionRequest request;
  request.set_parent(enamnd::testing::kTestMeeting);
  request.mutable_paragraph()->set_case_(enamnd::testing::kTestCase);
  request.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_NOTE_AND_FILE);
  request.mutable_paragraph()->mutable_decision()->set_text(
      "Nämnden lägger informationen till "
      "handlingarna.");
  request.set_request_id("decision-1");
  mv1::Paragraph first, again, out;
  ASSERT_TRUE(Meetings(&MeetingsStub::RecordDecision, request, &first).ok());
  ASSERT_TRUE(Meetings(&MeetingsStub::RecordDecision, request, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  Counts before = CountsOf(meetings_);
  int64_t paragraphs = Count(meetings_,
                             "SELECT COUNT(*) FROM outbox WHERE type = "
                             "'enamnd.meetings.v1.DecisionRecorded'");
  EXPECT_EQ(paragraphs, 1);

  request.mutable_paragraph()->mutable_decision()->set_text("Nämnden beslutar något annat.");
  ExpectReuseRefused(Meetings(&MeetingsStub::RecordDecision, request, &out), "decision-1",
                     "RecordDecision");
  EXPECT_TRUE(CountsOf(meetings_) == before);
}

TEST_F(RequestReuseTest, AuditsCreateReview) {
  v1::CreateReviewRequest request = ReviewRequest(2021, {"2584"});
  request.set_request_id("review-1");
  v1::Review first, again, out;
  ASSERT_TRUE(Audits(&AuditsStub::CreateReview, request, &first).ok());
  ASSERT_TRUE(Audits(&AuditsStub::CreateReview, request, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(EventCount("ReviewCreated"), 1);
  Counts before = CountsOf(audits_);

  v1::CreateReviewRequest changed = request;
  changed.mutable_review()->set_title("En annan granskning");
  ExpectReuseRefused(Audits(&AuditsStub::CreateReview, changed, &out), "review-1", "CreateReview");
  // Another year makes another review name: still the same request_id.
  changed = ReviewRequest(2022, {"2584"});
  changed.set_request_id("review-1");
  ExpectReuseRefused(Audits(&AuditsStub::CreateReview, changed, &out), "review-1", "CreateReview");
  EXPECT_TRUE(CountsOf(audits_) == before);
  v1::GetReviewRequest get;
  get.set_name("reviews/2022-2584");
  EXPECT_EQ(Audits(&AuditsStub::GetReview, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_name(first.name());
  ASSERT_TRUE(Audits(&AuditsStub::GetReview, get, &out).ok());
  EXPECT_EQ(out.title(), request.review().title());
}

TEST_F(RequestReuseTest, AuditsCreateRecommendation) {
  v1::Review review;
  ASSERT_TRUE(CreateReview(2021, {"2584"}, &review).ok());
  v1::CreateRecommendationRequest request = RecommendationRequest(review.name(), {"2584"});
  request.set_request_id("rec-1");
  v1::Recommendation first, again, out;
  ASSERT_TRUE(Audits(&AuditsStub::CreateRecommendation, request, &first).ok());
  ASSERT_TRUE(Audits(&AuditsStub::CreateRecommendation, request, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  Counts before = CountsOf(audits_);
  request.mutable_recommendation()->set_text("Något annat.");
  ExpectReuseRefused(Audits(&AuditsStub::CreateRecommendation, request, &out), "rec-1",
                     "CreateRecommendation");
  EXPECT_TRUE(CountsOf(audits_) == before);
}

// Maps and the request_id itself: the fingerprint is of the request
// without its request_id, serialized deterministically.
TEST(RequestFingerprintTest, IgnoresTheRequestIdOnly) {
  v1::CreateReviewRequest a = ReviewRequest(2021, {"2584"});
  a.set_request_id("x");
  v1::CreateReviewRequest b = a;
  b.set_request_id("y");
  EXPECT_EQ(platform::Gate::FingerprintOf(a, "x"), platform::Gate::FingerprintOf(b, "y"));
  EXPECT_EQ(platform::Gate::FingerprintOf(a, "x").size(), 64u);
  b.mutable_review()->set_title("Annan");
  EXPECT_NE(platform::Gate::FingerprintOf(a, "x"), platform::Gate::FingerprintOf(b, "y"));
  EXPECT_EQ(platform::Gate::FingerprintOf(a, ""), "");  // no request_id, nothing to remember
}

}  // namespace
}  // namespace enamnd::audits
