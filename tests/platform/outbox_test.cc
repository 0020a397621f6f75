// The delivery guarantees of the outbox relay and the stream subscriber,
// against a real redis-server and real SQLite.
#include "services/platform/outbox.h"

#include <atomic>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "enamnd/common/v1/common.pb.h"
#include "gtest/gtest.h"
#include "services/platform/call_context.h"
#include "services/platform/metrics.h"
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

  // Several state changes and their events in one transaction: one batch
  // for the relay.
  void WriteAll(int64_t first, int64_t last) {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx.ok());
    for (int64_t ore = first; ore <= last; ++ore) {
      ASSERT_TRUE(tx->Exec("INSERT INTO items (ore) VALUES (?1)", {ore}).ok());
      enamnd::common::v1::Money payload;
      payload.set_ore(ore);
      ASSERT_TRUE(outbox_.Append(*tx, payload, absl::StrCat("items/", ore)).ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }

  int64_t Unpublished() {
    return Count(
        "SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
        "outbox_published)");
  }

  // The stream's entry IDs, to compare with SequenceIds(n): equal when the
  // stream holds exactly the log's events 1..n, in order.
  static std::vector<std::string> EntryIds(const RedisServer& redis) {
    std::vector<std::string> ids;
    for (const auto& entry : ReadStream(redis, kStream)) ids.push_back(entry.entry_id);
    return ids;
  }
  static std::vector<std::string> SequenceIds(int64_t n) {
    std::vector<std::string> ids;
    for (int64_t sequence = 1; sequence <= n; ++sequence) ids.push_back(StreamEntryId(sequence));
    return ids;
  }

  // Calls of `command` Redis has run so far (INFO commandstats).
  static int64_t CommandCalls(const RedisServer& redis, const std::string& command) {
    std::string info = redis.Command({"INFO", "commandstats"}).str;
    std::string key = absl::StrCat("cmdstat_", command, ":calls=");
    size_t at = info.find(key);
    if (at == std::string::npos) return 0;
    at += key.size();
    int64_t calls = -1;
    EXPECT_TRUE(absl::SimpleAtoi(info.substr(at, info.find(',', at) - at), &calls));
    return calls;
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
    o.reconcile_interval = absl::Milliseconds(200);
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
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                  "outbox_published)"),
            20);

  redis.Start();
  ASSERT_TRUE(PollUntil(
      [&] {
        return Count(
                   "SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                   "outbox_published)") == 0;
      },
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

TEST(StreamEntryIdTest, BuildsAndParsesSequenceIds) {
  EXPECT_EQ(StreamEntryId(1), "1-0");
  EXPECT_EQ(StreamEntryId(4711), "4711-0");
  struct Case {
    std::string id;
    std::optional<int64_t> sequence;
  };
  for (const Case& c : std::vector<Case>{
           {"1-0", 1},
           {"4711-0", 4711},
           {"0-0", std::nullopt},              // below every sequence
           {"7-1", std::nullopt},              // not made by StreamEntryId
           {"007-0", std::nullopt},            // not canonical
           {"1733150000000-0", std::nullopt},  // time-based (XADD *)
           {"-3-0", std::nullopt},
           {"abc-0", std::nullopt},
           {"", std::nullopt},
       }) {
    EXPECT_EQ(SequenceOfStreamEntryId(c.id), c.sequence) << c.id;
  }
}

TEST_F(OutboxTest, EveryEntryIdIsItsEventsSequence) {
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  for (int i = 1; i <= 3; ++i) Write(i);
  // The relay publishes, then marks: wait for both (under load the mark
  // can trail the XADD).
  ASSERT_TRUE(
      PollUntil([&] { return ReadStream(redis, kStream).size() == 3 && relay.published() == 3; },
                absl::Seconds(10)));
  auto entries = ReadStream(redis, kStream);
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].entry_id, StreamEntryId(static_cast<int64_t>(i + 1)));
  }
  // A second XADD of sequence 2 is refused by Redis itself.
  RedisReply again = redis.Command({"XADD", kStream, StreamEntryId(2), "id", "x"});
  EXPECT_EQ(again.kind, RedisReply::Kind::kError);
  EXPECT_EQ(Count("SELECT up_to_sequence FROM outbox_published"), 3);
  EXPECT_EQ(relay.published(), 3);
  relay.Stop();
}

TEST_F(OutboxTest, RelayKilledBetweenPublishAndMarkStillGivesOneEntryPerEvent) {
  RedisServer redis;
  for (int i = 1; i <= 5; ++i) Write(i);
  std::atomic<bool> killed{false};
  {
    OutboxRelay::Options options = FastRelay();
    options.batch_size = 3;  // one batch of 1..3
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
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                  "outbox_published)"),
            5);

  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  ASSERT_TRUE(PollUntil(
      [&] {
        return Count(
                   "SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                   "outbox_published)") == 0;
      },
      absl::Seconds(10)));
  auto entries = ReadStream(redis, kStream);
  ASSERT_EQ(entries.size(), 5u);  // 1..3 once (found on the stream and marked), then 4..5
  for (size_t i = 0; i < entries.size(); ++i) {
    io::cloudevents::v1::CloudEvent event;
    ASSERT_TRUE(event.ParseFromString(entries[i].event));
    EXPECT_EQ(Sequence(event), static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(relay.published(), 2);
  EXPECT_EQ(relay.republished(), 0);

  StreamSubscriber subscriber(db_.get(), redis.redis_address(), SubscriberOptions("c1"),
                              RecordingHandler());
  subscriber.Start();
  ASSERT_TRUE(PollUntil([&] { return subscriber.handled() == 5; }, absl::Seconds(10)));
  EXPECT_EQ(subscriber.duplicates(), 0);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT ore) FROM handled"), 5);
  subscriber.Stop();
  relay.Stop();
}

TEST_F(OutboxTest, TwoRelaysOnOneLogPublishEachEventOnce) {
  // E.g. the old and the new pod of a rolling update, both relaying.
  RedisServer redis;
  OutboxRelay first(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  OutboxRelay second(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  first.Start();
  second.Start();
  for (int i = 1; i <= 40; ++i) Write(i);
  ASSERT_TRUE(PollUntil(
      [&] {
        return Count(
                   "SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                   "outbox_published)") == 0;
      },
      absl::Seconds(20)));
  EXPECT_EQ(EntryIds(redis), SequenceIds(40));
  first.Stop();
  second.Stop();
}

// Reads every event of the stream as (entry id, sequence attribute).
std::vector<std::pair<std::string, int64_t>> EntrySequences(const RedisServer& redis) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& entry : ReadStream(redis, kStream)) {
    io::cloudevents::v1::CloudEvent event;
    int64_t s = -1;
    if (event.ParseFromString(entry.event)) {
      auto it = event.attributes().find("sequence");
      if (it != event.attributes().end()) (void)absl::SimpleAtoi(it->second.ce_string(), &s);
    }
    out.emplace_back(entry.entry_id, s);
  }
  return out;
}

bool StreamIsTheLog(const RedisServer& redis, int64_t events) {
  auto entries = EntrySequences(redis);
  if (static_cast<int64_t>(entries.size()) != events) return false;
  for (int64_t i = 0; i < events; ++i) {
    if (entries[i].first != StreamEntryId(i + 1) || entries[i].second != i + 1) return false;
  }
  return true;
}

TEST_F(OutboxTest, RedisRestartedEmptyGetsTheWholeLogBackAndConsumersMissNothing) {
  RedisServer redis;  // not persistent: a restart loses everything
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  StreamSubscriber subscriber(db_.get(), redis.redis_address(), SubscriberOptions("c1"),
                              RecordingHandler());
  subscriber.Start();
  for (int i = 1; i <= 10; ++i) Write(i);
  ASSERT_TRUE(PollUntil([&] { return subscriber.handled() == 10; }, absl::Seconds(10)));

  redis.Restart();
  EXPECT_EQ(ReadStream(redis, kStream).size(), 0u);
  // No new write is needed: the relay notices on reconnect (or its next
  // periodic look) and republishes 1..10 in order, with the same IDs.
  ASSERT_TRUE(PollUntil([&] { return StreamIsTheLog(redis, 10); }, absl::Seconds(20)));
  for (int i = 11; i <= 15; ++i) Write(i);
  ASSERT_TRUE(PollUntil([&] { return StreamIsTheLog(redis, 15); }, absl::Seconds(20)));
  EXPECT_EQ(relay.republished(), 10);

  // The consumer's group vanished with the data; it is created again at the
  // start, and the inbox drops the ten it had handled.
  ASSERT_TRUE(PollUntil([&] { return subscriber.handled() == 15 && subscriber.duplicates() == 10; },
                        absl::Seconds(20)))
      << subscriber.handled() << " handled, " << subscriber.duplicates() << " duplicates";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM handled"), 15);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT ore) FROM handled"), 15);
  // The same figures on /metrics.
  std::string metrics = MetricsRegistry::Global().Render();
  EXPECT_TRUE(absl::StrContains(
      metrics, "enamnd_relay_republished_total{stream=\"enamnd:events:test\"} 10\n"))
      << metrics;
  EXPECT_TRUE(absl::StrContains(
      metrics,
      "enamnd_subscriber_duplicates_total{group=\"test-consumers\",stream=\"enamnd:events:test\"} "
      "10\n"))
      << metrics;
  EXPECT_TRUE(absl::StrContains(metrics, "enamnd_subscriber_lag{"));
  subscriber.Stop();
  relay.Stop();
}

TEST_F(OutboxTest, StreamDeletedWithoutAReconnectIsRepublishedByThePeriodicLook) {
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  for (int i = 1; i <= 4; ++i) Write(i);
  ASSERT_TRUE(PollUntil([&] { return StreamIsTheLog(redis, 4); }, absl::Seconds(10)));
  redis.Command({"DEL", kStream});
  ASSERT_TRUE(PollUntil([&] { return StreamIsTheLog(redis, 4); }, absl::Seconds(10)));
  EXPECT_EQ(relay.republished(), 4);
  relay.Stop();
}

TEST_F(OutboxTest, StreamWithTimeBasedIdsIsSetAsideAndTheLogRepublished) {
  RedisServer redis;
  for (int i = 1; i <= 3; ++i) Write(i);
  {
    // What a relay before sequence IDs left: XADD * and marked rows.
    auto tx = db_->BeginRead();
    auto rows = tx->Query("SELECT sequence, event_id, type, subject, event FROM outbox");
    ASSERT_TRUE(rows.ok());
    for (const Row& row : *rows) {
      RedisReply added = redis.Command({"XADD", kStream, "*", "id", row.Text(1), "type",
                                        row.Text(2), "subject", row.Text(3), "event", row.Text(4)});
      ASSERT_EQ(added.kind, RedisReply::Kind::kString) << added.str;
    }
  }
  {
    auto tx = db_->Begin();
    ASSERT_TRUE(tx->Exec("UPDATE outbox_published SET up_to_sequence = 3").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  redis.Command({"XGROUP", "CREATE", kStream, "kommun-2584", "0"});
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  Write(4);
  ASSERT_TRUE(PollUntil([&] { return StreamIsTheLog(redis, 4); }, absl::Seconds(10)));
  RedisReply keys = redis.Command({"KEYS", absl::StrCat(kStream, ":before-sequence-ids:*")});
  ASSERT_EQ(keys.elements.size(), 1u);
  EXPECT_EQ(redis.Command({"XLEN", keys.elements[0].str}).integer, 3);
  relay.Stop();
}

TEST_F(OutboxTest, StreamAheadOfTheLogWithOtherEventsStopsTheRelay) {
  // E.g. the database restored from a backup older than the stream.
  RedisServer redis;
  redis.Command({"XADD", kStream, StreamEntryId(7), "id", "not-in-this-log"});
  for (int i = 1; i <= 2; ++i) Write(i);
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  ASSERT_TRUE(PollUntil([&] { return relay.publish_errors() >= 2; }, absl::Seconds(10)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                  "outbox_published)"),
            2);
  EXPECT_EQ(ReadStream(redis, kStream).size(), 1u);
  relay.Stop();
}

TEST_F(OutboxTest, StreamMaxLengthTrimsTheStreamButNotTheLog) {
  RedisServer redis;
  OutboxRelay::Options options = FastRelay();
  options.stream_max_length = 100;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), options);
  relay.Start();
  for (int i = 1; i <= 600; ++i) Write(i);
  ASSERT_TRUE(PollUntil(
      [&] {
        return Count(
                   "SELECT COUNT(*) FROM outbox WHERE sequence > (SELECT up_to_sequence FROM "
                   "outbox_published)") == 0;
      },
      absl::Seconds(30)));
  int64_t length = redis.Command({"XLEN", kStream}).integer;
  EXPECT_GE(length, 100);
  EXPECT_LT(length, 600);  // "~" trims whole nodes, so roughly
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 600);
  // The top is still the log's last event: the relay does not see a loss.
  EXPECT_EQ(relay.republished(), 0);
  relay.Stop();
}

TEST_F(OutboxTest, ABacklogGoesOutInOneTransaction) {
  RedisServer redis;
  for (int i = 1; i <= 50; ++i) Write(i);
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  EXPECT_EQ(EntryIds(redis), SequenceIds(50));
  EXPECT_EQ(CommandCalls(redis, "xadd"), 50);
  EXPECT_EQ(CommandCalls(redis, "multi"), 1);
  EXPECT_EQ(CommandCalls(redis, "exec"), 1);
  relay.Stop();
}

TEST_F(OutboxTest, RedisRefusingABatchTakesNoneOfItAndLeavesNoGap) {
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  Write(1);
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  // Out of memory: Redis refuses every write it is sent, for a while.
  RedisReply full = redis.Command({"CONFIG", "SET", "maxmemory", "1"});
  ASSERT_NE(full.kind, RedisReply::Kind::kError) << full.str;
  int64_t errors_before = relay.publish_errors();
  WriteAll(2, 6);
  ASSERT_TRUE(
      PollUntil([&] { return relay.publish_errors() >= errors_before + 2; }, absl::Seconds(10)));
  EXPECT_EQ(ReadStream(redis, kStream).size(), 1u);
  EXPECT_EQ(Unpublished(), 5);
  EXPECT_GE(CommandCalls(redis, "multi"), 2);  // the batch went as a transaction
  RedisReply room = redis.Command({"CONFIG", "SET", "maxmemory", "0"});
  ASSERT_NE(room.kind, RedisReply::Kind::kError) << room.str;
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  EXPECT_EQ(EntryIds(redis), SequenceIds(6));
  EXPECT_EQ(relay.published(), 6);
  EXPECT_EQ(relay.republished(), 0);
  relay.Stop();
}

TEST_F(OutboxTest, OtherEventsWrittenToTheStreamMeanwhileKeepTheBatchOff) {
  // E.g. a second deployment with another database on the same Redis: its
  // events take the next sequences on the stream while the relay runs.
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  WriteAll(1, 3);
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  for (int64_t sequence : {4, 5}) {
    RedisReply other =
        redis.Command({"XADD", kStream, StreamEntryId(sequence), "id", "not-in-this-log"});
    ASSERT_NE(other.kind, RedisReply::Kind::kError) << other.str;
  }
  int64_t errors_before = relay.publish_errors();
  WriteAll(4, 8);  // one batch; 6..8 alone would fit above the stream's top
  ASSERT_TRUE(
      PollUntil([&] { return relay.publish_errors() >= errors_before + 2; }, absl::Seconds(10)));
  // None of the batch landed: the stream still ends with the other events,
  // and the relay refuses to go on (Reconcile: not this log's event).
  auto entries = ReadStream(redis, kStream);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries.back().id, "not-in-this-log");
  EXPECT_EQ(Unpublished(), 5);
  relay.Stop(absl::Milliseconds(100));
}

// XDEL of the stream's last entry (say, by hand) leaves Redis refusing IDs
// up to it: the relay says so, without publishing around the hole, until
// the operator sets the stream's last ID back (operations.md).
class DeletedStreamEndTest : public OutboxTest, public ::testing::WithParamInterface<int> {};

TEST_P(DeletedStreamEndTest, StopsTheRelayWithAnErrorUntilTheLastIdIsSetBack) {
  const int waiting = GetParam();  // events written after the deletion
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  WriteAll(1, 5);
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  RedisReply deleted = redis.Command({"XDEL", kStream, StreamEntryId(5)});
  ASSERT_EQ(deleted.integer, 1) << deleted.str;
  int64_t errors_before = relay.publish_errors();
  if (waiting > 0) WriteAll(6, 5 + waiting);
  ASSERT_TRUE(
      PollUntil([&] { return relay.publish_errors() >= errors_before + 3; }, absl::Seconds(10)));
  EXPECT_EQ(ReadStream(redis, kStream).size(), 4u);  // nothing added past the hole
  EXPECT_EQ(Unpublished(), 1 + waiting);             // the cursor went back to 4

  RedisReply set_back = redis.Command({"XSETID", kStream, StreamEntryId(4)});
  ASSERT_NE(set_back.kind, RedisReply::Kind::kError) << set_back.str;
  ASSERT_TRUE(PollUntil([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  EXPECT_EQ(EntryIds(redis), SequenceIds(5 + waiting));
  relay.Stop();
}

// 0: the deleted event alone goes again (one XADD); 3: with three more, in
// one transaction.
INSTANTIATE_TEST_SUITE_P(Batches, DeletedStreamEndTest, ::testing::Values(0, 3));

TEST_F(OutboxTest, TraceparentOfTheCallTravelsInTheEvent) {
  const std::string trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  {
    ScopedCallContext call(CallContext{trace, ""});
    Write(1);
  }
  Write(2);  // outside a call: no traceparent
  auto tx = db_->BeginRead();
  auto events = Outbox::ReadAfter(*tx, 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  io::cloudevents::v1::CloudEvent first, second;
  ASSERT_TRUE(first.ParseFromString((*events)[0].event));
  ASSERT_TRUE(second.ParseFromString((*events)[1].event));
  EXPECT_EQ(first.attributes().at("traceparent").ce_string(), trace);
  EXPECT_EQ(second.attributes().count("traceparent"), 0u);
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

TEST(OutboxMigrationTest, CursorStartsWhereTheMarksWereAndAudienceIsIndexed) {
  TempDir dir;
  const std::string path = dir.path() + "/old.db";
  {
    // A database as the relay before the cursor left it: rows 1..3 of 5
    // marked published, audiences comma-separated.
    MigrationSet before = PlatformMigrations();
    before.steps.resize(4);
    auto db = testing::OpenDatabase(path, {before});
    ASSERT_NE(db, nullptr);
    auto tx = db->Begin();
    ASSERT_TRUE(tx.ok());
    const std::vector<std::string> audiences = {"2584", "2584,2523", "", "2523", "0180,2584"};
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(tx->Exec("INSERT INTO outbox (sequence, event_id, type, subject, audience,"
                           " event, created_at, published_at)"
                           " VALUES (?1, ?2, 't', 's', ?3, x'', 'now', ?4)",
                           {SqlInt(i), absl::StrCat("e", i), audiences[i - 1],
                            i <= 3 ? SqlValue(SqlText("then")) : SqlValue()})
                      .ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto db = testing::OpenDatabase(path, {PlatformMigrations()});
  ASSERT_NE(db, nullptr);
  auto tx = db->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto cursor = tx->QueryOne("SELECT up_to_sequence FROM outbox_published");
  ASSERT_TRUE(cursor.ok() && cursor->has_value());
  EXPECT_EQ((*cursor)->Int(0), 3);
  auto index = tx->QueryOne("SELECT COUNT(*) FROM sqlite_master WHERE name = 'outbox_unpublished'");
  EXPECT_EQ((*index)->Int(0), 0);
  auto audience = tx->Query("SELECT code, sequence FROM outbox_audience ORDER BY code, sequence");
  ASSERT_TRUE(audience.ok());
  std::vector<std::string> rows;
  for (const Row& row : *audience) rows.push_back(absl::StrCat(row.Text(0), "@", row.Int(1)));
  EXPECT_EQ(rows,
            (std::vector<std::string>{"0180@5", "2523@2", "2523@4", "2584@1", "2584@2", "2584@5"}));
  auto events = Outbox::ReadAfter(*tx, 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  EXPECT_TRUE((*events)[2].published);
  EXPECT_FALSE((*events)[3].published);
  auto in_2523 = Outbox::ReadAfterInAudience(*tx, "2523", 2, 10);
  ASSERT_TRUE(in_2523.ok());
  ASSERT_EQ(in_2523->size(), 1u);
  EXPECT_EQ((*in_2523)[0].sequence, 4);
}

TEST_F(OutboxTest, AppendIndexesTheAudienceInTheSameTransaction) {
  auto tx = db_->Begin();
  ASSERT_TRUE(tx.ok());
  enamnd::common::v1::Money payload;
  ASSERT_TRUE(outbox_.Append(*tx, payload, "items/1", {"2584", "2523"}).ok());
  ASSERT_TRUE(outbox_.Append(*tx, payload, "items/2").ok());
  ASSERT_TRUE(outbox_.Append(*tx, payload, "items/3", {"2523"}).ok());
  ASSERT_TRUE(tx->Commit().ok());
  auto read = db_->BeginRead();
  auto in_2523 = Outbox::ReadAfterInAudience(*read, "2523", 0, 10);
  ASSERT_TRUE(in_2523.ok());
  ASSERT_EQ(in_2523->size(), 2u);
  EXPECT_EQ((*in_2523)[0].sequence, 1);
  EXPECT_EQ((*in_2523)[0].audience, "2584,2523");
  EXPECT_EQ((*in_2523)[1].sequence, 3);
}

TEST_F(OutboxTest, CursorLostInACrashIsMovedUpWithoutDuplicates) {
  RedisServer redis;
  for (int i = 1; i <= 6; ++i) Write(i);
  {
    OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
    relay.Start();
    ASSERT_TRUE(PollUntil([&] { return StreamIsTheLog(redis, 6) && relay.published() == 6; },
                          absl::Seconds(10)));
    relay.Stop();
  }
  EXPECT_EQ(Count("SELECT up_to_sequence FROM outbox_published"), 6);
  {
    // What a crash that lost the deferred cursor commit leaves.
    auto tx = db_->Begin();
    ASSERT_TRUE(tx->Exec("UPDATE outbox_published SET up_to_sequence = 2").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  Write(7);
  ASSERT_TRUE(PollUntil([&] { return StreamIsTheLog(redis, 7); }, absl::Seconds(10)));
  ASSERT_TRUE(PollUntil([&] { return Count("SELECT up_to_sequence FROM outbox_published") == 7; },
                        absl::Seconds(10)));
  EXPECT_EQ(relay.republished(), 0);
  EXPECT_EQ(relay.published(), 1);
  relay.Stop();
}

TEST_F(OutboxTest, EventTheHandlerIgnoresIsHandledWithADeferredInboxRow) {
  RedisServer redis;
  OutboxRelay relay(db_.get(), &outbox_, redis.redis_address(), FastRelay());
  relay.Start();
  for (int i = 1; i <= 4; ++i) Write(i);
  ASSERT_TRUE(PollUntil([&] { return ReadStream(redis, kStream).size() == 4; }, absl::Seconds(10)));
  relay.Stop();
  ASSERT_TRUE(db_->Sync().ok());  // the relay's deferred cursor: nothing pending now
  // Records odd amounts only: the even ones change nothing but the inbox.
  auto recording = RecordingHandler();
  StreamSubscriber subscriber(
      db_.get(), redis.redis_address(), SubscriberOptions("c1"),
      [&](Transaction& tx, const io::cloudevents::v1::CloudEvent& event) -> absl::Status {
        if (Sequence(event) % 2 == 0) return absl::OkStatus();
        return recording(tx, event);
      });
  subscriber.Start();
  ASSERT_TRUE(PollUntil(
      [&] {
        auto p = redis.Command({"XPENDING", kStream, "test-consumers"});
        return subscriber.handled() == 4 && p.kind == RedisReply::Kind::kArray &&
               p.elements[0].integer == 0;
      },
      absl::Seconds(10)));
  // Acknowledged only once on disk: the deferred inbox rows were flushed
  // before the XACK, so a Sync now finds nothing to flush.
  int64_t syncs = db_->syncs();
  ASSERT_TRUE(db_->Sync().ok());
  EXPECT_EQ(db_->syncs(), syncs);
  EXPECT_EQ(subscriber.ignored(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM handled"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM inbox"), 4);
  subscriber.Stop();
}

}  // namespace
}  // namespace enamnd::platform
