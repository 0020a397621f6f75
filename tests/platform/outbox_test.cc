// The delivery guarantees of the outbox relay and the stream subscriber,
// against a real redis-server and real SQLite.
#include "services/platform/outbox.h"

#include <atomic>

#include "absl/strings/numbers.h"
#include "enamnd/common/v1/common.pb.h"
#include "gtest/gtest.h"
#include "services/platform/status.h"
#include "services/platform/subscriber.h"
#include "tests/support/database.h"
#include "tests/support/redis_server.h"

namespace enamnd::platform {
namespace {

using enamnd::testing::PollUntil;
using enamnd::testing::ReadStream;
using enamnd::testing::RedisServer;
using enamnd::testing::TempDir;

constexpr char kStream[] = "enamnd:events:test";

MigrationSet ItemsMigrations() {
  return {"test",
          {"CREATE TABLE items (id INTEGER PRIMARY KEY, ore INTEGER NOT NULL);"
           "CREATE TABLE handled (event_id TEXT NOT NULL, ore INTEGER NOT NULL);"}};
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ =
        testing::OpenDatabase(dir_.path() + "/test.db", {PlatformMigrations(), ItemsMigrations()});
    ASSERT_NE(db_, nullptr);
  }

  // One state change and its event in one transaction.
  void Write(int64_t ore) {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(tx->Exec("INSERT INTO items (ore) VALUES (?1)", {ore}).ok());
    enamnd::common::v1::Money payload;
    payload.set_ore(ore);
    ASSERT_TRUE(outbox_.Append(*tx, payload, absl::StrCat("items/", ore)).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }

  int64_t Count(const std::string& sql) {
    auto tx = db_->BeginRead();
    auto row = tx->QueryOne(sql);
    return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
  }

  static int64_t Sequence(const io::cloudevents::v1::CloudEvent& e) {
    int64_t s = 0;
    EXPECT_TRUE(absl::SimpleAtoi(e.attributes().at("sequence").ce_string(), &s));
    return s;
  }

  StreamSubscriber::Handler RecordingHandler() {
    return [](Transaction& tx, const io::cloudevents::v1::CloudEvent& event) -> absl::Status {
      enamnd::common::v1::Money money;
      if (!event.proto_data().UnpackTo(&money)) return absl::InvalidArgumentError("payload");
      return tx.Exec("INSERT INTO handled (event_id, ore) VALUES (?1, ?2)",
                     {event.id(), money.ore()});
    };
  }

  static OutboxRelay::Options FastRelay() {
    OutboxRelay::Options o;
    o.poll_interval = absl::Milliseconds(50);
    o.backoff_initial = absl::Milliseconds(20);
    o.backoff_max = absl::Milliseconds(200);
    o.redis_timeout = absl::Milliseconds(500);
    return o;
  }

  StreamSubscriber::Options SubscriberOptions(const std::string& consumer) {
    StreamSubscriber::Options o;
    o.stream = kStream;
    o.group = "test-consumers";
    o.consumer = consumer;
    o.block = absl::Milliseconds(100);
    o.backoff_max = absl::Milliseconds(200);
    return o;
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
  Outbox outbox_{"//enamnd/test", kStream};
};

TEST_F(OutboxTest, RedisDownWhileWritingLosesNothingAndKeepsOrder) {
  RedisServer redis(/*persistent=*/true);
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  for (int i = 1; i <= 5; ++i) Write(i);
  ASSERT_TRUE(PollUntil([&] { return ReadStream(redis, kStream).size() == 5; }, absl::Seconds(10)));

  redis.Stop();
  for (int i = 6; i <= 25; ++i) Write(i);  // writes succeed while Redis is away
  EXPECT_EQ(Count("SELECT COUNT(*) FROM items"), 25);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL"), 20);

  redis.Start();
  ASSERT_TRUE(PollUntil(
      [&] { return Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") == 0; },
      absl::Seconds(20)));
  auto entries = ReadStream(redis, kStream);
  ASSERT_EQ(entries.size(), 25u);
  for (size_t i = 0; i < entries.size(); ++i) {
    io::cloudevents::v1::CloudEvent event;
    ASSERT_TRUE(event.ParseFromString(entries[i].event));
    EXPECT_EQ(Sequence(event), static_cast<int64_t>(i + 1));
    EXPECT_EQ(event.id(), entries[i].id);
    EXPECT_EQ(event.type(), "enamnd.common.v1.Money");
    enamnd::common::v1::Money money;
    ASSERT_TRUE(event.proto_data().UnpackTo(&money));
    EXPECT_EQ(money.ore(), static_cast<int64_t>(i + 1));
  }
  relay.Stop();
}

TEST_F(OutboxTest, RelayKilledBetweenPublishAndMarkGivesDuplicatesThatConsumersDrop) {
  RedisServer redis;
  for (int i = 1; i <= 5; ++i) Write(i);
  std::atomic<bool> killed{false};
  {
    OutboxRelay::Options options = FastRelay();
    options.after_publish = [&](int64_t sequence) {
      if (sequence == 3) {
        killed = true;
        return false;  // dies after XADD of 1..3, before marking any
      }
      return true;
    };
    OutboxRelay doomed(db_.get(), &outbox_, redis.redis_address(), options);
    doomed.Start();
    ASSERT_TRUE(PollUntil([&] { return killed.load(); }, absl::Seconds(10)));
  }
  EXPECT_EQ(ReadStream(redis, kStream).size(), 3u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL"), 5);

  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  ASSERT_TRUE(PollUntil(
      [&] { return Count("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") == 0; },
      absl::Seconds(10)));
  EXPECT_EQ(ReadStream(redis, kStream).size(), 8u);  // 1..3 twice, then 4..5

  StreamSubscriber subscriber(db_.get(), redis.redis_address(), SubscriberOptions("c1"),
                              RecordingHandler());
  subscriber.Start();
  ASSERT_TRUE(PollUntil([&] { return subscriber.handled() + subscriber.duplicates() == 8; },
                        absl::Seconds(10)));
  EXPECT_EQ(subscriber.handled(), 5);
  EXPECT_EQ(subscriber.duplicates(), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM handled"), 5);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT ore) FROM handled"), 5);
  subscriber.Stop();
  relay.Stop();
}

TEST_F(OutboxTest, ConsumerKilledBeforeAckGetsTheEntryAgainAfterRestart) {
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  for (int i = 1; i <= 4; ++i) Write(i);
  ASSERT_TRUE(PollUntil([&] { return ReadStream(redis, kStream).size() == 4; }, absl::Seconds(10)));

  std::atomic<int> handled_before_kill{0};
  {
    StreamSubscriber::Options options = SubscriberOptions("worker-1");
    std::atomic<bool> killed{false};
    options.before_ack = [&](const std::string&) {
      killed = true;
      return false;  // committed, then dies before XACK
    };
    StreamSubscriber doomed(db_.get(), redis.redis_address(), options, RecordingHandler());
    doomed.Start();
    ASSERT_TRUE(PollUntil([&] { return killed.load(); }, absl::Seconds(10)));
    doomed.Stop();
    handled_before_kill = static_cast<int>(doomed.handled());
  }
  EXPECT_EQ(handled_before_kill, 1);
  platform::RedisReply pending = redis.Command({"XPENDING", kStream, "test-consumers"});
  ASSERT_EQ(pending.kind, RedisReply::Kind::kArray);
  // The whole batch was delivered; one was handled, none acknowledged.
  EXPECT_EQ(pending.elements[0].integer, 4);

  // The same consumer restarts: its pending entry comes again (and is
  // dropped by the inbox, since its transaction had committed).
  StreamSubscriber subscriber(db_.get(), redis.redis_address(), SubscriberOptions("worker-1"),
                              RecordingHandler());
  subscriber.Start();
  ASSERT_TRUE(PollUntil([&] { return subscriber.duplicates() == 1 && subscriber.handled() == 3; },
                        absl::Seconds(10)));
  ASSERT_TRUE(PollUntil(
      [&] {
        auto p = redis.Command({"XPENDING", kStream, "test-consumers"});
        return p.kind == RedisReply::Kind::kArray && p.elements[0].integer == 0;
      },
      absl::Seconds(10)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM handled"), 4);
  subscriber.Stop();
  relay.Stop();
}

TEST_F(OutboxTest, FailedHandlerLeavesEntryPendingAndRetriesIt) {
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  Write(7);
  std::atomic<int> attempts{0};
  auto inner = RecordingHandler();
  StreamSubscriber subscriber(
      db_.get(), redis.redis_address(), SubscriberOptions("w"),
      [&](Transaction& tx, const io::cloudevents::v1::CloudEvent& event) -> absl::Status {
        if (attempts.fetch_add(1) == 0) {
          // Writes something, then fails: the write must roll back.
          ENAMND_RETURN_IF_ERROR(
              tx.Exec("INSERT INTO handled (event_id, ore) VALUES ('partial', 0)"));
          return absl::UnavailableError("downstream not ready");
        }
        return inner(tx, event);
      });
  subscriber.Start();
  ASSERT_TRUE(PollUntil([&] { return subscriber.handled() == 1; }, absl::Seconds(10)));
  EXPECT_GE(attempts.load(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM handled"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM handled WHERE event_id = 'partial'"), 0);
  subscriber.Stop();
  relay.Stop();
}

TEST_F(OutboxTest, EntriesOfADeadConsumerAreClaimedByAnother) {
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  Write(1);
  {
    // Reads the entry, then dies inside the handler (no commit, no ack).
    StreamSubscriber::Options options = SubscriberOptions("dead");
    std::atomic<bool> seen{false};
    StreamSubscriber doomed(db_.get(), redis.redis_address(), options,
                            [&](Transaction&, const io::cloudevents::v1::CloudEvent&) {
                              seen = true;
                              return absl::UnavailableError("crash");
                            });
    doomed.Start();
    ASSERT_TRUE(PollUntil([&] { return seen.load(); }, absl::Seconds(10)));
    doomed.Stop();
  }
  StreamSubscriber::Options options = SubscriberOptions("alive");
  options.claim_idle = absl::Milliseconds(200);
  StreamSubscriber alive(db_.get(), redis.redis_address(), options, RecordingHandler());
  alive.Start();
  ASSERT_TRUE(PollUntil([&] { return alive.handled() == 1; }, absl::Seconds(10)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM handled"), 1);
  alive.Stop();
  relay.Stop();
}

}  // namespace
}  // namespace enamnd::platform
