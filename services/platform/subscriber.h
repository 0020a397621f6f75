// Consumer-group subscriber for a Redis stream of CloudEvents. Each entry is
// handled in a database transaction that also records (source, id) in the
// inbox, so a redelivered or duplicated event is dropped. A handler that
// changed anything commits durably; the inbox row of an event the handler
// ignored commits deferred (database.h), since losing it costs nothing.
// Each batch read from the stream is acknowledged in one XACK, after one
// Database::Sync, so nothing acknowledged rests on a commit a crash could
// take back. Pending entries are re-read after a restart, and entries left
// pending by a dead consumer are claimed with XAUTOCLAIM. A group that
// vanished (Redis lost its data) is created again at the stream's start:
// the producer's relay republishes what was lost, and the inbox drops what
// was already handled. The event's traceparent is the current call's
// (call_context.h) while its handler runs, so log lines carry it.
#ifndef ENAMND_PLATFORM_SUBSCRIBER_H_
#define ENAMND_PLATFORM_SUBSCRIBER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "services/platform/database.h"
#include "services/platform/metrics.h"
#include "services/platform/redis.h"

namespace enamnd::platform {

// The CloudEvent of one stream entry, from its fields as XREADGROUP and
// XAUTOCLAIM return them (an array: name, value, name, value, ...): the
// value of the last `event` field, parsed, with an id and a source (the
// inbox key). INVALID_ARGUMENT otherwise: no retry can ever process such
// an entry. Entries are outside bytes: anyone who may XADD writes them.
absl::StatusOr<io::cloudevents::v1::CloudEvent> DecodeStreamEntry(const RedisReply& fields);

class StreamSubscriber {
 public:
  // Runs inside the transaction; an error rolls it back and leaves the
  // entry pending, to be retried.
  using Handler =
      std::function<absl::Status(Transaction& tx, const io::cloudevents::v1::CloudEvent& event)>;

  struct Options {
    std::string stream;    // e.g. "enamnd:events:meetings"
    std::string group;     // the consuming service, e.g. "audits"
    std::string consumer;  // unique per process, e.g. "audits-<hostname>"
    int batch_size = 50;
    absl::Duration block = absl::Milliseconds(500);
    // Entries pending this long at another consumer are taken over.
    absl::Duration claim_idle = absl::Seconds(30);
    absl::Duration backoff_max = absl::Seconds(5);
    absl::Duration redis_timeout = absl::Seconds(2);
    // Test hook, called after the handler's commit and before XACK;
    // returning false stops the subscriber there, as if killed.
    std::function<bool(const std::string& event_id)> before_ack;
  };

  StreamSubscriber(Database* db, RedisAddress redis, Options options, Handler handler);
  ~StreamSubscriber();
  StreamSubscriber(const StreamSubscriber&) = delete;
  StreamSubscriber& operator=(const StreamSubscriber&) = delete;

  void Start();
  void Stop();
  // Events handled (committed) by this instance, duplicates excluded.
  int64_t handled() const { return handled_.load(); }
  // Of those, events the handler ignored (changed nothing): only their
  // inbox row was written, in a deferred commit.
  int64_t ignored() const { return ignored_.load(); }
  // Entries dropped as already processed.
  int64_t duplicates() const { return duplicates_.load(); }
  // Handler runs that failed (the entry stays pending and is retried).
  int64_t handler_failures() const { return handler_failures_.load(); }
  // Entries without a decodable CloudEvent, acknowledged and skipped.
  int64_t poison_skipped() const { return poison_skipped_.load(); }
  // The group's pending entries and its lag behind the stream's head (XINFO
  // GROUPS, refreshed every few seconds); -1 until first known.
  int64_t pending() const { return pending_.load(); }
  int64_t lag() const { return lag_.load(); }

  const Options& options() const { return options_; }

 private:
  void Run();
  bool Stopping();
  absl::Status EnsureConnected();
  // Processes the entries of an XREADGROUP/XAUTOCLAIM reply; returns count.
  absl::StatusOr<int> ProcessEntries(const RedisReply& entries);
  // Handles one entry (or finds it a duplicate); the caller acknowledges it.
  absl::Status ProcessEntry(const std::string& entry_id, const RedisReply& fields);
  // Syncs the database, then XACKs the entries in one command.
  absl::Status Acknowledge(const std::vector<std::string>& entry_ids);
  // Reads the group's pending count and lag (XINFO GROUPS).
  void RefreshGroupInfo();

  Database* db_;
  RedisAddress redis_address_;
  Options options_;
  Handler handler_;
  std::unique_ptr<RedisConnection> redis_;  // subscriber thread only
  std::atomic<int64_t> handled_{0};
  std::atomic<int64_t> ignored_{0};
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> handler_failures_{0};
  std::atomic<int64_t> poison_skipped_{0};
  std::atomic<int64_t> pending_{-1};
  std::atomic<int64_t> lag_{-1};
  absl::Time next_group_info_ = absl::InfinitePast();  // subscriber thread only
  std::vector<MetricHandle> metrics_;                  // while started
  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  bool killed_ = false;  // subscriber thread only
  std::thread thread_;
};

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_SUBSCRIBER_H_
