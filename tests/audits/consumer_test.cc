// The audits consumer of meetings events, called directly in a transaction
// (no Redis): the degraded path that skips an unreadable event is counted
// and logged, and a good event after it is still handled.
#include "absl/strings/str_cat.h"
#include "enamnd/meetings/v1/events.pb.h"
#include "gtest/gtest.h"
#include "services/audits/api/audits_api.h"
#include "services/audits/store/store.h"
#include "services/platform/outbox.h"
#include "tests/audits/domain_test_util.h"
#include "tests/support/database.h"
#include "tests/support/process.h"

namespace enamnd::audits {
namespace {

namespace mv1 = ::enamnd::meetings::v1;

class AuditsConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDatabase(dir_.path() + "/audits.db",
                                {platform::PlatformMigrations(), AuditsMigrations()});
    ASSERT_NE(db_, nullptr);
    api_ = std::make_unique<AuditsApi>(db_.get(), &outbox_, &clock_);
  }

  io::cloudevents::v1::CloudEvent Decision(const std::string& id) {
    mv1::DecisionRecorded d;
    d.mutable_paragraph()->set_name("bodies/e-namnden/meetings/2022-06-22/paragraphs/8");
    d.mutable_paragraph()->set_number(8);
    d.set_case_subject("//audits/reviews/2021-2584");
    io::cloudevents::v1::CloudEvent e;
    e.set_id(id);
    e.set_source("//enamnd/meetings");
    e.set_type("enamnd.meetings.v1.DecisionRecorded");
    e.mutable_proto_data()->PackFrom(d);
    return e;
  }
  io::cloudevents::v1::CloudEvent Unreadable(const std::string& id) {
    io::cloudevents::v1::CloudEvent e = Decision(id);
    e.mutable_proto_data()->set_value("\x0a\xff\xff\xff");  // a truncated field
    return e;
  }
  absl::Status Handle(const io::cloudevents::v1::CloudEvent& e) {
    auto tx = db_->Begin();
    if (!tx.ok()) return tx.status();
    absl::Status status = api_->HandleMeetingsEvent(*tx, e);
    if (!status.ok()) return status;
    return tx->Commit();
  }
  int Handlings() {
    auto tx = db_->BeginRead();
    auto h = store::GetHandling(*tx, ReviewName{2021, "2584"},
                                "bodies/e-namnden/meetings/2022-06-22/paragraphs/8");
    return h.ok() && h->has_value() ? 1 : 0;
  }

  enamnd::testing::TempDir dir_;
  std::unique_ptr<platform::Database> db_;
  platform::Outbox outbox_{"//enamnd/audits", "enamnd:events:audits"};
  platform::LegalClock clock_{absl::CivilDay(2022, 6, 30)};
  std::unique_ptr<AuditsApi> api_;
};

TEST_F(AuditsConsumerTest, UnreadableEventIsSkippedCountedAndLogged) {
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(Handle(Unreadable("1")).ok());  // acknowledged, not retried forever
  EXPECT_TRUE(Handle(Unreadable("2")).ok());
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(api_->skipped_events(), 2);
  EXPECT_NE(log.find("skipped 1 unreadable events so far"), std::string::npos) << log;
  EXPECT_NE(log.find("skipped 2 unreadable events so far"), std::string::npos) << log;
  EXPECT_NE(log.find("//enamnd/meetings 2 of type enamnd.meetings.v1.DecisionRecorded"),
            std::string::npos)
      << log;
  EXPECT_EQ(Handlings(), 0);
}

TEST_F(AuditsConsumerTest, GoodEventAfterASkippedOneIsHandled) {
  EXPECT_TRUE(Handle(Unreadable("1")).ok());
  EXPECT_TRUE(Handle(Decision("2")).ok());
  EXPECT_EQ(Handlings(), 1);
  EXPECT_EQ(api_->skipped_events(), 1);
}

TEST_F(AuditsConsumerTest, DecisionNamingNoReviewIsIgnoredNotSkipped) {
  io::cloudevents::v1::CloudEvent e = Decision("3");
  mv1::DecisionRecorded d;
  ASSERT_TRUE(e.proto_data().UnpackTo(&d));
  d.set_case_subject("//audits/reviews/not-a-review");
  e.mutable_proto_data()->PackFrom(d);
  EXPECT_TRUE(Handle(e).ok());
  EXPECT_EQ(api_->skipped_events(), 0);
  EXPECT_EQ(Handlings(), 0);
}

}  // namespace
}  // namespace enamnd::audits
