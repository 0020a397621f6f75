// Real binaries: a decision recorded in enamnd-meetings reaches its review
// in enamnd-audits, also when Redis restarts and the audits service is down
// while the decision is recorded, and when Redis restarts empty.
#include <algorithm>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enamnd/audits/v1/audits.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/platform/outbox.h"
#include "tests/support/builders.h"
#include "tests/support/committee.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace enamnd {
namespace {

namespace av1 = ::enamnd::audits::v1;
namespace mv1 = ::enamnd::meetings::v1;
using testing::AuditsProcess;
using testing::Call;
using testing::MeetingsProcess;
using testing::PollUntil;

int Handlings(av1::AuditsService::Stub* stub, std::vector<std::string>* paragraphs = nullptr) {
  av1::GetReviewRequest get;
  get.set_name("reviews/2021-2584");
  av1::Review review;
  if (!Call(stub, &av1::AuditsService::Stub::GetReview, get, &review).ok()) return -1;
  if (paragraphs != nullptr) {
    paragraphs->clear();
    for (const auto& h : review.handlings()) paragraphs->push_back(h.paragraph());
  }
  return review.handlings_size();
}

TEST(AuditsFlowTest, DecisionReachesReviewAcrossRedisRestartAndAuditsDowntime) {
  testing::TempDir dir;
  testing::RedisServer redis(/*persistent=*/true);
  MeetingsProcess meetings(dir.path() + "/meetings", redis.address(), dir.path() + "/meetings.log");
  auto audits = std::make_unique<AuditsProcess>(dir.path() + "/audits", redis.address(),
                                                dir.path() + "/audits.log");
  ASSERT_TRUE(meetings.started() && audits->started());

  av1::CreateReviewRequest review;
  review.mutable_review()->set_year(2021);
  review.mutable_review()->add_auditing_municipalities("municipalities/2584");
  review.mutable_review()->add_auditing_municipalities("municipalities/2523");
  review.mutable_review()->set_kind(av1::Review::KIND_BASIC);
  review.mutable_review()->set_title("Grundläggande granskning 2021");
  av1::Review created;
  ASSERT_TRUE(Call(audits->stub(), &av1::AuditsService::Stub::CreateReview, review, &created).ok());
  testing::CommitteeSeed seed;
  seed.case_title = "Grundläggande granskning 2021, Kiruna och Gällivare";
  seed.case_subject = "//audits/reviews/2021-2584";
  ASSERT_TRUE(testing::SeedCommittee(meetings.stub(), seed));

  std::string first = testing::Decide(meetings.stub(), "Nämnden tar med sig synpunkterna.",
                                      mv1::DECISION_KIND_ADOPT)
                          .name();
  ASSERT_TRUE(PollUntil([&] { return Handlings(audits->stub()) == 1; }, absl::Seconds(20)));

  // The audits service goes down; Redis restarts; a decision is recorded.
  EXPECT_EQ(audits->Stop(), 0);
  audits.reset();
  redis.Restart();
  std::string second = testing::Decide(meetings.stub(), "Nämnden återkommer i delårsrapport 2.",
                                       mv1::DECISION_KIND_ADOPT)
                           .name();
  // The meetings relay publishes it once Redis is back.
  ASSERT_TRUE(PollUntil(
      [&] {
        for (const auto& e : testing::ReadStream(redis, "enamnd:events:meetings")) {
          if (e.subject == second) return true;
        }
        return false;
      },
      absl::Seconds(30)));

  audits = std::make_unique<AuditsProcess>(dir.path() + "/audits", redis.address(),
                                           dir.path() + "/audits.log");
  ASSERT_TRUE(audits->started());
  std::vector<std::string> linked;
  ASSERT_TRUE(
      PollUntil([&] { return Handlings(audits->stub(), &linked) == 2; }, absl::Seconds(20)));
  EXPECT_EQ(linked, (std::vector<std::string>{first, second}));
  EXPECT_EQ(audits->Stop(), 0);
  EXPECT_EQ(meetings.Stop(), 0) << "clean exit";
}

// The event ids of a stream, oldest first, if its entry IDs are exactly the
// sequences 1..n; else empty.
std::vector<std::string> ContiguousLog(const testing::RedisServer& redis,
                                       const std::string& stream) {
  std::vector<std::string> ids;
  for (const auto& e : testing::ReadStream(redis, stream)) {
    if (e.entry_id != platform::StreamEntryId(static_cast<int64_t>(ids.size()) + 1)) return {};
    ids.push_back(e.id);
  }
  return ids;
}

// Kiruna's 2021 review in audits, and in meetings the committee with a case
// about it (so its decisions are linked to the review).
bool ReviewWithItsCase(AuditsProcess& audits, MeetingsProcess& meetings) {
  av1::CreateReviewRequest review;
  review.mutable_review()->set_year(2021);
  review.mutable_review()->add_auditing_municipalities("municipalities/2584");
  review.mutable_review()->set_kind(av1::Review::KIND_BASIC);
  review.mutable_review()->set_title("Grundläggande granskning 2021");
  av1::Review created;
  if (!Call(audits.stub(), &av1::AuditsService::Stub::CreateReview, review, &created).ok()) {
    return false;
  }
  testing::CommitteeSeed seed;
  seed.case_subject = "//audits/reviews/2021-2584";
  return testing::SeedCommittee(meetings.stub(), seed);
}

bool StartsWith(const std::vector<std::string>& all, const std::vector<std::string>& prefix) {
  return all.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), all.begin());
}

TEST(AuditsFlowTest, RedisRestartedEmptyGetsBothStreamsBackAndAuditsLinksEachDecisionOnce) {
  testing::TempDir dir;
  testing::RedisServer redis;  // no persistence: a restart loses every stream and group
  MeetingsProcess meetings(dir.path() + "/meetings", redis.address(), dir.path() + "/meetings.log");
  AuditsProcess audits(dir.path() + "/audits", redis.address(), dir.path() + "/audits.log");
  ASSERT_TRUE(meetings.started() && audits.started());

  ASSERT_TRUE(ReviewWithItsCase(audits, meetings));
  std::vector<std::string> decided;
  for (const char* text :
       {"Nämnden tar med sig synpunkterna.", "Nämnden lägger svaret till handlingarna."}) {
    decided.push_back(testing::Decide(meetings.stub(), text, mv1::DECISION_KIND_ADOPT).name());
  }
  ASSERT_TRUE(PollUntil([&] { return Handlings(audits.stub()) == 2; }, absl::Seconds(20)));
  std::vector<std::string> meetings_before, audits_before;
  ASSERT_TRUE(PollUntil(
      [&] {
        meetings_before = ContiguousLog(redis, "enamnd:events:meetings");
        audits_before = ContiguousLog(redis, "enamnd:events:audits");
        return !meetings_before.empty() && !audits_before.empty();
      },
      absl::Seconds(20)));

  redis.Restart();
  EXPECT_TRUE(testing::ReadStream(redis, "enamnd:events:meetings").empty());
  decided.push_back(testing::Decide(meetings.stub(), "Nämnden återkommer i delårsrapport 2.",
                                    mv1::DECISION_KIND_ADOPT)
                        .name());

  // Both relays find their stream behind their log and republish it, with
  // the same entry IDs and event ids; audits' group is created again at the
  // start and its inbox drops the two decisions it had linked.
  std::vector<std::string> meetings_after, audits_after;
  ASSERT_TRUE(PollUntil(
      [&] {
        meetings_after = ContiguousLog(redis, "enamnd:events:meetings");
        audits_after = ContiguousLog(redis, "enamnd:events:audits");
        return meetings_after.size() > meetings_before.size() &&
               audits_after.size() >= audits_before.size() && Handlings(audits.stub()) >= 3;
      },
      absl::Seconds(40)))
      << meetings_after.size() << " meetings entries, " << audits_after.size()
      << " audits entries, " << Handlings(audits.stub()) << " handlings";
  EXPECT_TRUE(StartsWith(meetings_after, meetings_before));
  EXPECT_TRUE(StartsWith(audits_after, audits_before));
  std::vector<std::string> linked;
  EXPECT_EQ(Handlings(audits.stub(), &linked), 3);
  EXPECT_EQ(linked, decided);
  EXPECT_EQ(audits.Stop(), 0);
  EXPECT_EQ(meetings.Stop(), 0);
}

TEST(AuditsFlowTest, TraceparentOfADecisionReachesTheEventAndTheAuditsLog) {
  testing::TempDir dir;
  testing::RedisServer redis;
  const std::string audits_log = dir.path() + "/audits.log";
  MeetingsProcess meetings(dir.path() + "/meetings", redis.address(), dir.path() + "/meetings.log");
  AuditsProcess audits(dir.path() + "/audits", redis.address(), audits_log,
                       {{"ENAMND_LOG_FORMAT", "json"}, {"ENAMND_LOG_LEVEL", "info"}});
  ASSERT_TRUE(meetings.started() && audits.started());
  ASSERT_TRUE(ReviewWithItsCase(audits, meetings));

  // The calling system's trace, sent with the mutating call.
  const std::string trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  mv1::RecordDecisionRequest request;
  request.set_parent("bodies/e-namnden/meetings/2022-06-22");
  request.mutable_paragraph()->set_case_("cases/2022-9");
  request.mutable_paragraph()->mutable_decision()->set_kind(mv1::DECISION_KIND_ADOPT);
  request.mutable_paragraph()->mutable_decision()->set_text("Nämnden tar med sig synpunkterna.");
  mv1::Paragraph paragraph;
  {  // The context ends with the call: the server counts it open until then.
    grpc::ClientContext context;
    context.AddMetadata("traceparent", trace);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = meetings.stub()->RecordDecision(&context, request, &paragraph);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // In the event on the stream ...
  bool in_event = false;
  ASSERT_TRUE(PollUntil(
      [&] {
        for (const auto& e : testing::ReadStream(redis, "enamnd:events:meetings")) {
          if (e.subject != paragraph.name()) continue;
          io::cloudevents::v1::CloudEvent event;
          auto it = event.ParseFromString(e.event) ? event.attributes().find("traceparent")
                                                   : event.attributes().end();
          in_event = it != event.attributes().end() && it->second.ce_string() == trace;
          return true;
        }
        return false;
      },
      absl::Seconds(20)));
  EXPECT_TRUE(in_event);
  // ... and on the audits service's line about linking it to the review.
  ASSERT_TRUE(PollUntil([&] { return Handlings(audits.stub()) == 1; }, absl::Seconds(20)));
  std::string linked_line;
  ASSERT_TRUE(PollUntil(
      [&] {
        std::ifstream in(audits_log);
        std::string line;
        while (std::getline(in, line)) {
          if (absl::StrContains(line, paragraph.name()) && absl::StrContains(line, " linked to ")) {
            linked_line = line;
            return true;
          }
        }
        return false;
      },
      absl::Seconds(10)))
      << [&] {
           std::ifstream in(audits_log);
           return std::string(std::istreambuf_iterator<char>(in), {});
         }();
  EXPECT_TRUE(absl::StrContains(linked_line, absl::StrCat("\"traceparent\":\"", trace, "\"")))
      << linked_line;
  EXPECT_EQ(audits.Stop(), 0);
  EXPECT_EQ(meetings.Stop(), 0);
}

}  // namespace
}  // namespace enamnd
