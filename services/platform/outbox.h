// Transactional outbox: events are written in the caller's transaction and
// published to a Redis stream by OutboxRelay after commit. The rows stay as
// the service's durable event log (the replay source for WatchDecisions).
#ifndef ENAMND_PLATFORM_OUTBOX_H_
#define ENAMND_PLATFORM_OUTBOX_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
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
#include "services/platform/redis.h"

namespace enamnd::platform {

// The Redis stream a service publishes on: "enamnd:events:<service>".
std::string EventStream(absl::string_view service);

// The platform's own tables (outbox, inbox); pass to Database::Open.
MigrationSet PlatformMigrations();

// One row of the durable event log.
struct LoggedEvent {
  int64_t sequence = 0;
  std::string id;
  std::string type;
  std::string subject;
  std::string audience;  // comma-separated municipality codes
  std::string event;     // serialized io.cloudevents.v1.CloudEvent
  bool published = false;
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

// Publishes committed outbox rows to Redis in sequence order, marks them,
// and retries with backoff while Redis is unreachable.
class OutboxRelay {
 public:
  struct Options {
    int batch_size = 100;
    absl::Duration poll_interval = absl::Seconds(1);
    absl::Duration backoff_initial = absl::Milliseconds(100);
    absl::Duration backoff_max = absl::Seconds(5);
    absl::Duration redis_timeout = absl::Seconds(2);
    // Test hook, called after each XADD and before the row is marked;
    // returning false makes the relay stop there, as if killed.
    std::function<bool(int64_t sequence)> after_publish;
  };

  OutboxRelay(Database* db, Outbox* outbox, RedisAddress redis, Options options);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void Start();
  // Tries to publish what is pending for up to `grace`, then stops.
  void Stop(absl::Duration grace = absl::Seconds(2));

 private:
  void Run();
  void Wake();
  // Publishes one batch; returns rows published or an error.
  absl::StatusOr<int> PublishBatch();

  Database* db_;
  Outbox* outbox_;
  RedisAddress redis_address_;
  Options options_;
  int listener_ = 0;
  std::unique_ptr<RedisConnection> redis_;  // relay thread only
  absl::Mutex mutex_;
  bool wake_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Time stop_deadline_ ABSL_GUARDED_BY(mutex_) = absl::InfiniteFuture();
  bool killed_ = false;  // relay thread only
  std::thread thread_;
};

// A new random event id (UUID v4 text form).
std::string NewEventId();

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_OUTBOX_H_
