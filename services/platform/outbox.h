// Transactional outbox: events are written in the caller's transaction and
// published to a Redis stream by OutboxRelay after commit. The rows stay as
// the service's durable event log (the replay source for WatchEvents and
// WatchDecisions, and for republishing what Redis lost).
//
// Exactly one stream entry per event: the relay gives each entry the ID
// StreamEntryId(sequence), so Redis itself refuses a second XADD of an
// event (its ID is not above the stream's top). On every (re)connect, and
// every reconcile_interval, the relay compares the stream's top entry with
// the log's published-up-to cursor (table outbox_published): a top below
// the cursor means Redis lost entries (a restart without persistence, a
// failover to a lagging replica, a deleted key), and the relay moves the
// cursor back to the top and republishes the gap in order; a top above it
// moves the cursor up.
#ifndef ENAMND_PLATFORM_OUTBOX_H_
#define ENAMND_PLATFORM_OUTBOX_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "enamnd/events/v1/cloudevent.pb.h"
#include "google/protobuf/message.h"
#include "services/platform/database.h"
#include "services/platform/metrics.h"
#include "services/platform/redis.h"

namespace enamnd::platform {

// The Redis stream a service publishes on: "enamnd:events:<service>".
std::string EventStream(absl::string_view service);

// The stream entry ID of the event with outbox sequence `sequence`:
// "<sequence>-0". Sequences start at 1, so every ID is above Redis's 0-0.
std::string StreamEntryId(int64_t sequence);
// The sequence of a stream entry ID made by StreamEntryId, or nullopt for
// any other ID (e.g. a time-based one, from before IDs were sequences).
std::optional<int64_t> SequenceOfStreamEntryId(absl::string_view entry_id);

// The platform's own tables (outbox, outbox_published, outbox_audience,
// inbox, ...); pass to Database::Open.
MigrationSet PlatformMigrations();

// One row of the durable event log.
struct LoggedEvent {
  int64_t sequence = 0;
  std::string id;
  std::string type;
  std::string subject;
  std::string audience;    // comma-separated municipality codes
  std::string event;       // serialized io.cloudevents.v1.CloudEvent
  bool published = false;  // sequence <= the relay's published-up-to cursor
};

// A stream's last entry: its ID ("" when the stream has none) and its
// event's id (the entry's "id" field).
struct StreamTop {
  std::string entry_id;
  std::string event_id;
};

class Outbox {
 public:
  // source: the CloudEvent source, e.g. "//enamnd/meetings";
  // stream: the Redis stream key, e.g. "enamnd:events:meetings".
  Outbox(std::string source, std::string stream);

  // Wraps payload in a CloudEvent and writes it in `tx`. Returns the
  // sequence. Listeners are told once `tx` commits.
  absl::StatusOr<int64_t> Append(Transaction& tx, const google::protobuf::Message& payload,
                                 absl::string_view subject,
                                 const std::vector<std::string>& audience = {});

  // Events with sequence > after, oldest first.
  static absl::StatusOr<std::vector<LoggedEvent>> ReadAfter(Transaction& tx, int64_t after,
                                                            int limit);
  // The events addressed to municipality `code` with sequence > after,
  // oldest first, through the outbox_audience index: reads only those.
  static absl::StatusOr<std::vector<LoggedEvent>> ReadAfterInAudience(Transaction& tx,
                                                                      const std::string& code,
                                                                      int64_t after, int limit);

  // Called (on the committing thread) after a transaction that appended
  // commits. Returns a handle for RemoveListener.
  int AddListener(std::function<void()> listener);
  void RemoveListener(int handle);

  const std::string& source() const { return source_; }
  const std::string& stream() const { return stream_; }

 private:
  void NotifyCommitted();

  const std::string source_;
  const std::string stream_;
  absl::Mutex mutex_;
  int next_handle_ ABSL_GUARDED_BY(mutex_) = 1;
  std::map<int, std::function<void()>> listeners_ ABSL_GUARDED_BY(mutex_);
};

// Publishes committed outbox rows to Redis in sequence order, advances the
// published-up-to cursor once per batch (a deferred commit), and retries
// with backoff while Redis is unreachable.
class OutboxRelay {
 public:
  struct Options {
    int batch_size = 100;
    absl::Duration poll_interval = absl::Seconds(1);
    absl::Duration backoff_initial = absl::Milliseconds(100);
    absl::Duration backoff_max = absl::Seconds(5);
    absl::Duration redis_timeout = absl::Seconds(2);
    // How often an idle relay checks the stream against the log (besides
    // every reconnect), to notice a stream emptied without a reconnect.
    absl::Duration reconcile_interval = absl::Seconds(10);
    // Retention: XADD ... MAXLEN ~ <n> trims the stream to about n entries
    // (ENAMND_STREAM_MAXLEN); 0 keeps everything. The outbox log keeps the
    // full history either way.
    int64_t stream_max_length = 0;
    // Test hook, called for each event once it is on the stream and before
    // the cursor moves; returning false makes the relay stop there, as if
    // killed.
    std::function<bool(int64_t sequence)> after_publish;
  };

  OutboxRelay(Database* db, Outbox* outbox, RedisAddress redis, Options options);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void Start();
  // Tries to publish what is pending for up to `grace`, then stops.
  void Stop(absl::Duration grace = absl::Seconds(2));

  // Counters since Start (for metrics and tests).
  int64_t published() const { return published_.load(); }
  int64_t publish_errors() const { return publish_errors_.load(); }
  // Rows published again because the stream had lost them.
  int64_t republished() const { return republished_.load(); }

 private:
  void Run();
  void Wake();
  // Publishes one batch; returns rows published (or 1 after a refused XADD,
  // to go round again) or an error. While stopping, only what is pending.
  absl::StatusOr<int> PublishBatch(bool stopping);
  absl::StatusOr<std::vector<LoggedEvent>> ReadUnpublished();
  // XADD of one event with its sequence as the entry ID.
  std::vector<std::string> XaddCommand(const LoggedEvent& event) const;
  // Whether an XADD's reply put the event of `sequence` on the stream. A
  // stream at or past the event (another relay, or a publication the cursor
  // lost) is no error: it makes Reconcile due, which decides. A stream whose
  // entries were deleted from its end is (TopDeletedError).
  absl::StatusOr<bool> Added(const RedisReply& reply, int64_t sequence);
  // FAILED_PRECONDITION: the stream refuses IDs up to `last_id`, above its
  // last entry, so the event of `sequence` cannot be added.
  absl::Status TopDeletedError(const std::string& last_id, int64_t sequence);
  // Put `batch` on the stream in order; each returns how many of its first
  // events are on it, and sets `*error` when Redis refused or failed.
  // In one MULTI/EXEC under WATCH, right after the cursor's event, which
  // must be the stream's end: all of a batch or none of it, in two round
  // trips.
  size_t PublishInOneTransaction(const std::vector<LoggedEvent>& batch, absl::Status* error);
  // One XADD at a time, each after the previous one was accepted: for a
  // single event, and for a Redis user not allowed MULTI.
  size_t PublishOneAtATime(const std::vector<LoggedEvent>& batch, absl::Status* error);
  // The Redis user may not run a command of the transaction (`refusal`):
  // warns, and publishes one at a time until the next connection.
  size_t FallBackToOneAtATime(const std::vector<LoggedEvent>& batch, absl::string_view refusal,
                              absl::Status* error);
  // The stream's last entry (XREVRANGE ... COUNT 1).
  absl::StatusOr<StreamTop> ReadTop();
  // Brings the published-up-to cursor in line with the stream's top entry:
  // up over events already on the stream, back (to republish) over events
  // the stream lost. FAILED_PRECONDITION when the stream's top is not an event
  // of this log (e.g. the database was restored from an older backup).
  absl::Status Reconcile();
  // A stream whose entries have time-based IDs (written before IDs were
  // sequences) cannot take sequence IDs: it is renamed aside and the log
  // republished in full.
  absl::Status SetAsideLegacyStream(const std::string& top_entry_id);

  Database* db_;
  Outbox* outbox_;
  RedisAddress redis_address_;
  Options options_;
  int listener_ = 0;
  std::unique_ptr<RedisConnection> redis_;  // relay thread only
  // The published-up-to cursor and its event's id, as ReadUnpublished last
  // read them (relay thread only).
  int64_t cursor_ = 0;
  std::string cursor_event_id_;
  // The Redis user may not run WATCH, XINFO STREAM, MULTI or EXEC (an ACL
  // file from before transactions):
  // publish one event at a time until the next connection.
  bool multi_refused_ = false;  // relay thread only
  absl::Mutex mutex_;
  bool wake_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Time stop_deadline_ ABSL_GUARDED_BY(mutex_) = absl::InfiniteFuture();
  bool killed_ = false;                               // relay thread only
  absl::Time next_reconcile_ = absl::InfinitePast();  // relay thread only
  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> publish_errors_{0};
  std::atomic<int64_t> republished_{0};
  std::vector<MetricHandle> metrics_;  // while started
  std::thread thread_;
};

// A new random event id (UUID v4 text form).
std::string NewEventId();

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_OUTBOX_H_
