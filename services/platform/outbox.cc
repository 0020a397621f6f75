#include "services/platform/outbox.h"

#include <random>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/any.pb.h"
#include "services/platform/log.h"

namespace enamnd::platform {

std::string EventStream(absl::string_view service) {
  return absl::StrCat("enamnd:events:", service);
}

MigrationSet PlatformMigrations() {
  return MigrationSet{
      "platform",
      {
          // 1: outbox (the durable event log) and inbox (processed events).
          "CREATE TABLE outbox ("
          "  sequence INTEGER PRIMARY KEY,"
          "  event_id TEXT NOT NULL UNIQUE,"
          "  type TEXT NOT NULL,"
          "  subject TEXT NOT NULL,"
          "  audience TEXT NOT NULL DEFAULT '',"
          "  event BLOB NOT NULL,"
          "  created_at TEXT NOT NULL,"
          "  published_at TEXT,"
          "  stream_entry_id TEXT);"
          "CREATE INDEX outbox_unpublished ON outbox(sequence) WHERE published_at IS NULL;"
          "CREATE INDEX outbox_type ON outbox(type, sequence);"
          "CREATE TABLE inbox ("
          "  consumer TEXT NOT NULL,"
          "  source TEXT NOT NULL,"
          "  event_id TEXT NOT NULL,"
          "  type TEXT NOT NULL,"
          "  processed_at TEXT NOT NULL,"
          "  PRIMARY KEY (consumer, source, event_id));",
          // 2: idempotency keys of Create calls (requests.h). Services
          // created this table themselves before; IF NOT EXISTS keeps those.
          "CREATE TABLE IF NOT EXISTS request_ids ("
          "  method TEXT NOT NULL, request_id TEXT NOT NULL, resource TEXT NOT NULL,"
          "  PRIMARY KEY (method, request_id));"
          // Nothing reads the outbox by type any more.
          "DROP INDEX IF EXISTS outbox_type;",
          // 3: the audit trail (audit_trail.h): one row per committed
          // mutating call. Triggers keep it append-only below the API too.
          "CREATE TABLE audit_records ("
          "  sequence INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  principal TEXT NOT NULL, method TEXT NOT NULL, resource TEXT NOT NULL,"
          "  request_id TEXT NOT NULL, peer TEXT NOT NULL, time TEXT NOT NULL,"
          "  outcome TEXT NOT NULL);"
          "CREATE INDEX audit_records_principal ON audit_records(principal, sequence);"
          "CREATE INDEX audit_records_resource ON audit_records(resource, sequence);"
          "CREATE INDEX audit_records_time ON audit_records(time, sequence);"
          "CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records"
          "  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
          "CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records"
          "  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
          // 4: what a request_id was first used with (requests.h); NULL
          // for rows from before, which are not checked.
          "ALTER TABLE request_ids ADD COLUMN request_fingerprint TEXT;",
      }};
}

std::string NewEventId() {
  thread_local absl::BitGen gen;
  uint64_t hi = absl::Uniform<uint64_t>(gen);
  uint64_t lo = absl::Uniform<uint64_t>(gen);
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff,
                         lo >> 48, lo & 0xffffffffffffULL);
}

Outbox::Outbox(std::string source, std::string stream)
    : source_(std::move(source)), stream_(std::move(stream)) {}

absl::StatusOr<int64_t> Outbox::Append(Transaction& tx, const google::protobuf::Message& payload,
                                       absl::string_view subject,
                                       const std::vector<std::string>& audience) {
  // Write transactions are serialised, so MAX+1 is gap-free and in commit order.
  auto max_row = tx.QueryOne("SELECT COALESCE(MAX(sequence), 0) FROM outbox");
  if (!max_row.ok()) return max_row.status();
  int64_t sequence = (*max_row)->Int(0) + 1;

  absl::Time now = absl::Now();
  io::cloudevents::v1::CloudEvent event;
  event.set_id(NewEventId());
  event.set_source(source_);
  event.set_spec_version("1.0");
  event.set_type(payload.GetDescriptor()->full_name());
  auto& attributes = *event.mutable_attributes();
  attributes["subject"].set_ce_string(std::string(subject));
  auto* time = attributes["time"].mutable_ce_timestamp();
  time->set_seconds(absl::ToUnixSeconds(now));
  time->set_nanos(static_cast<int32_t>((now - absl::FromUnixSeconds(absl::ToUnixSeconds(now))) /
                                       absl::Nanoseconds(1)));
  attributes["sequence"].set_ce_string(absl::StrCat(sequence));
  std::string audience_text = absl::StrJoin(audience, ",");
  if (!audience.empty()) attributes["audience"].set_ce_string(audience_text);
  attributes["datacontenttype"].set_ce_string("application/protobuf");
  event.mutable_proto_data()->PackFrom(payload);

  std::string bytes;
  if (!event.SerializeToString(&bytes))
    return absl::InternalError("outbox: cannot serialize event");
  absl::Status status = tx.Exec(
      "INSERT INTO outbox (sequence, event_id, type, subject, audience, event, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      {sequence, event.id(), event.type(), std::string(subject), audience_text, Blob{bytes},
       absl::FormatTime(absl::RFC3339_full, now, absl::UTCTimeZone())});
  if (!status.ok()) return status;
  tx.OnCommit([this] { NotifyCommitted(); });
  return sequence;
}

absl::StatusOr<std::vector<LoggedEvent>> Outbox::ReadAfter(Transaction& tx, int64_t after,
                                                           int limit) {
  auto rows = tx.Query(
      "SELECT sequence, event_id, type, subject, audience, event, published_at IS NOT NULL"
      " FROM outbox WHERE sequence > ?1 ORDER BY sequence LIMIT ?2",
      {after, static_cast<int64_t>(limit)});
  if (!rows.ok()) return rows.status();
  std::vector<LoggedEvent> out;
  for (const Row& row : *rows) {
    out.push_back(LoggedEvent{row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4),
                              row.Text(5), row.Int(6) != 0});
  }
  return out;
}

int Outbox::AddListener(std::function<void()> listener) {
  absl::MutexLock lock(&mutex_);
  int handle = next_handle_++;
  listeners_.emplace(handle, std::move(listener));
  return handle;
}

void Outbox::RemoveListener(int handle) {
  absl::MutexLock lock(&mutex_);
  listeners_.erase(handle);
}

void Outbox::NotifyCommitted() {
  absl::MutexLock lock(&mutex_);
  for (auto& [handle, listener] : listeners_) listener();
}

// ------------------------------------------------------------------ relay

OutboxRelay::OutboxRelay(Database* db, Outbox* outbox, RedisAddress redis, Options options)
    : db_(db), outbox_(outbox), redis_address_(std::move(redis)), options_(std::move(options)) {}

OutboxRelay::~OutboxRelay() { Stop(absl::ZeroDuration()); }

void OutboxRelay::Start() {
  listener_ = outbox_->AddListener([this] { Wake(); });
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Wake() {
  absl::MutexLock lock(&mutex_);
  wake_ = true;
}

void OutboxRelay::Stop(absl::Duration grace) {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
    stop_deadline_ = absl::Now() + grace;
    wake_ = true;
  }
  thread_.join();
  if (listener_ != 0) outbox_->RemoveListener(listener_);
  listener_ = 0;
}

absl::StatusOr<int> OutboxRelay::PublishBatch() {
  std::vector<LoggedEvent> batch;
  {
    auto tx = db_->BeginRead();
    if (!tx.ok()) return tx.status();
    auto rows = tx->Query(
        "SELECT sequence, event_id, type, subject, event FROM outbox"
        " WHERE published_at IS NULL ORDER BY sequence LIMIT ?1",
        {static_cast<int64_t>(options_.batch_size)});
    if (!rows.ok()) return rows.status();
    for (const Row& row : *rows) {
      LoggedEvent e;
      e.sequence = row.Int(0);
      e.id = row.Text(1);
      e.type = row.Text(2);
      e.subject = row.Text(3);
      e.event = row.Text(4);
      batch.push_back(std::move(e));
    }
  }
  if (batch.empty()) return 0;
  if (redis_ == nullptr || redis_->broken()) {
    redis_.reset();
    auto connection = RedisConnection::Connect(redis_address_, options_.redis_timeout);
    if (!connection.ok()) return connection.status();
    redis_ = std::move(*connection);
  }
  std::vector<std::pair<int64_t, std::string>> published;  // sequence, entry id
  absl::Status publish_status;
  for (const LoggedEvent& e : batch) {
    auto reply = redis_->Command({"XADD", outbox_->stream(), "*", "id", e.id, "type", e.type,
                                  "subject", e.subject, "event", e.event});
    if (!reply.ok()) {
      publish_status = reply.status();
      break;
    }
    if (reply->kind == RedisReply::Kind::kError) {
      publish_status = absl::UnavailableError(absl::StrCat("redis XADD: ", reply->str));
      break;
    }
    if (options_.after_publish && !options_.after_publish(e.sequence)) {
      killed_ = true;
      return absl::AbortedError("relay stopped by test hook before marking");
    }
    published.emplace_back(e.sequence, reply->str);
  }
  if (!published.empty()) {
    auto tx = db_->Begin();
    if (!tx.ok()) return tx.status();
    std::string now = absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone());
    for (const auto& [sequence, entry_id] : published) {
      absl::Status status =
          tx->Exec("UPDATE outbox SET published_at = ?1, stream_entry_id = ?2 WHERE sequence = ?3",
                   {now, entry_id, sequence});
      if (!status.ok()) return status;
    }
    absl::Status status = tx->Commit();
    if (!status.ok()) return status;
  }
  if (!publish_status.ok()) return publish_status;
  return static_cast<int>(published.size());
}

void OutboxRelay::Run() {
  absl::Duration backoff = options_.backoff_initial;
  bool was_failing = false;
  while (true) {
    absl::StatusOr<int> published = PublishBatch();
    if (killed_) return;
    bool stopping;
    absl::Time deadline;
    {
      absl::MutexLock lock(&mutex_);
      stopping = stopping_;
      deadline = stop_deadline_;
    }
    if (published.ok()) {
      if (was_failing) LogInfo("outbox", "publishing to ", outbox_->stream(), " again");
      was_failing = false;
      backoff = options_.backoff_initial;
      if (stopping && (*published == 0 || absl::Now() >= deadline)) return;
      if (*published > 0) continue;  // more may be waiting
      absl::MutexLock lock(&mutex_);
      mutex_.AwaitWithTimeout(absl::Condition(&wake_), options_.poll_interval);
      wake_ = false;
      continue;
    }
    if (!was_failing) {
      LogWarning("outbox", "cannot publish to ", outbox_->stream(),
                 ", will retry: ", published.status().ToString());
    }
    was_failing = true;
    if (stopping && absl::Now() >= deadline) {
      LogWarning("outbox", "stopping with unpublished events; they go out on next start");
      return;
    }
    if (stopping) {
      absl::SleepFor(std::min(backoff, deadline - absl::Now()));
    } else {
      absl::MutexLock lock(&mutex_);
      // Sleep the backoff, but wake at once on Stop().
      mutex_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    }
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

}  // namespace enamnd::platform
