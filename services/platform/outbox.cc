#include "services/platform/outbox.h"

#include <random>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/any.pb.h"
#include "services/platform/call_context.h"
#include "services/platform/log.h"
#include "services/platform/status.h"

namespace enamnd::platform {
namespace {

// 2001-09-09 in Unix milliseconds: any auto-generated stream ID of a Redis
// that ran after that is above it, and no outbox sequence comes near it.
constexpr int64_t kFirstTimeBasedMilliseconds = 1'000'000'000'000;

// The value of field `name` in a stream entry's field array, or "".
std::string EntryField(const RedisReply& fields, absl::string_view name) {
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].str == name) return fields.elements[i + 1].str;
  }
  return "";
}

// The entry `[entry id, [field, value, ...]]` (an XREVRANGE element, or
// XINFO STREAM's last-entry); an empty StreamTop for anything else (nil).
StreamTop TopOf(const RedisReply& entry) {
  if (entry.elements.size() < 2) return {};
  return {entry.elements[0].str, EntryField(entry.elements[1], "id")};
}

// The relay's published-up-to cursor: every event up to it is on the
// stream (the relay publishes in sequence order).
absl::StatusOr<int64_t> ReadPublishedUpTo(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT up_to_sequence FROM outbox_published"));
  return row.has_value() ? row->Int(0) : 0;
}

// Moves the cursor forward (never back), in its own transaction.
// kDeferred: a cursor lost in a crash is behind the stream, so the relay
// publishes those events again and Redis refuses them (their IDs are not
// above its top); Reconcile then moves the cursor up.
absl::Status WritePublishedUpTo(Database& db, int64_t sequence) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db.Begin());
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE outbox_published SET up_to_sequence = MAX(up_to_sequence, ?1)", {sequence}));
  return tx.Commit(Durability::kDeferred);
}

// Moves the cursor back from `expected` to `sequence` (the stream lost
// events), unless it moved meanwhile: a compare-and-set, so that a cursor
// another publication moved up is not taken for a loss. Returns whether it
// moved.
absl::StatusOr<bool> RewindPublishedUpTo(Database& db, int64_t expected, int64_t sequence) {
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db.Begin());
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE outbox_published SET up_to_sequence = ?1 WHERE up_to_sequence = ?2",
              {sequence, expected}));
  const bool moved = tx.Changes() == 1;
  ENAMND_RETURN_IF_ERROR(tx.Commit(Durability::kDeferred));
  return moved;
}

}  // namespace

std::string EventStream(absl::string_view service) {
  return absl::StrCat("enamnd:events:", service);
}

std::string StreamEntryId(int64_t sequence) { return absl::StrCat(sequence, "-0"); }

std::optional<int64_t> SequenceOfStreamEntryId(absl::string_view entry_id) {
  if (!absl::ConsumeSuffix(&entry_id, "-0")) return std::nullopt;
  int64_t sequence = 0;
  if (!absl::SimpleAtoi(entry_id, &sequence) || sequence < 1) return std::nullopt;
  // Time-based IDs are milliseconds since 1970 (about 1.7e12 today); a
  // service does not reach that many events.
  if (sequence >= kFirstTimeBasedMilliseconds) return std::nullopt;
  if (entry_id.front() == '0' || entry_id.front() == '+') return std::nullopt;
  return sequence;
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
          // 5: the relay's published-up-to cursor (one row: a database has
          // one outbox, published on one stream) in place of a mark per
          // row. It starts where the marks were; outbox.published_at and
          // outbox.stream_entry_id stay, unused, for rows from before.
          "CREATE TABLE outbox_published ("
          "  id INTEGER PRIMARY KEY CHECK (id = 1),"
          "  up_to_sequence INTEGER NOT NULL);"
          "INSERT INTO outbox_published (id, up_to_sequence)"
          "  SELECT 1, COALESCE(MAX(sequence), 0) FROM outbox WHERE published_at IS NOT NULL;"
          "DROP INDEX IF EXISTS outbox_unpublished;",
          // 6: the events of each audience municipality, so that a watch
          // filtered to one reads only those. Filled by Outbox::Append;
          // here from the rows before (audience is comma-separated).
          "CREATE TABLE outbox_audience ("
          "  code TEXT NOT NULL,"
          "  sequence INTEGER NOT NULL,"
          "  PRIMARY KEY (code, sequence)) WITHOUT ROWID;"
          "WITH RECURSIVE split(sequence, code, rest) AS ("
          "  SELECT sequence, '', audience || ',' FROM outbox WHERE audience != ''"
          "  UNION ALL"
          "  SELECT sequence, substr(rest, 1, instr(rest, ',') - 1),"
          "         substr(rest, instr(rest, ',') + 1)"
          "  FROM split WHERE rest != '')"
          "INSERT OR IGNORE INTO outbox_audience (code, sequence)"
          "  SELECT code, sequence FROM split WHERE code != '';",
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
  // The CloudEvents distributed-tracing extension: the call's W3C trace.
  const std::string& traceparent = CurrentCall().traceparent;
  if (!traceparent.empty()) attributes["traceparent"].set_ce_string(traceparent);
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
  for (const std::string& code : audience) {
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT OR IGNORE INTO outbox_audience (code, sequence) VALUES (?1, ?2)",
                {code, sequence}));
  }
  // Readers (the relay, watch streams) pass the event on as soon as they
  // see it, and they wait only for durable commits.
  tx.MustBeDurable();
  tx.OnCommit([this] { NotifyCommitted(); });
  return sequence;
}

namespace {

std::vector<LoggedEvent> LoggedEventsOf(const std::vector<Row>& rows) {
  std::vector<LoggedEvent> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    out.push_back(LoggedEvent{row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4),
                              row.Text(5), row.Int(6) != 0});
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<LoggedEvent>> Outbox::ReadAfter(Transaction& tx, int64_t after,
                                                           int limit) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows,
                          tx.Query("SELECT sequence, event_id, type, subject, audience, event,"
                                   " sequence <= (SELECT up_to_sequence FROM outbox_published)"
                                   " FROM outbox WHERE sequence > ?1 ORDER BY sequence LIMIT ?2",
                                   {after, static_cast<int64_t>(limit)}));
  return LoggedEventsOf(rows);
}

absl::StatusOr<std::vector<LoggedEvent>> Outbox::ReadAfterInAudience(Transaction& tx,
                                                                     const std::string& code,
                                                                     int64_t after, int limit) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT o.sequence, o.event_id, o.type, o.subject, o.audience, o.event,"
               " o.sequence <= (SELECT up_to_sequence FROM outbox_published)"
               " FROM outbox_audience a JOIN outbox o ON o.sequence = a.sequence"
               " WHERE a.code = ?1 AND a.sequence > ?2 ORDER BY a.sequence LIMIT ?3",
               {code, after, static_cast<int64_t>(limit)}));
  return LoggedEventsOf(rows);
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
  MetricsRegistry& metrics = MetricsRegistry::Global();
  MetricLabels labels = {{"stream", outbox_->stream()}};
  metrics_.push_back(metrics.AddCallbackCounter(
      "enamnd_relay_published_total",
      "Outbox rows published to the stream and counted in the published cursor.", labels,
      [this] { return static_cast<double>(published_.load()); }));
  metrics_.push_back(metrics.AddCallbackCounter(
      "enamnd_relay_publish_errors_total",
      "Failed publication rounds (Redis unreachable, refused, or the stream disagrees with the "
      "log).",
      labels, [this] { return static_cast<double>(publish_errors_.load()); }));
  metrics_.push_back(metrics.AddCallbackCounter(
      "enamnd_relay_republished_total",
      "Outbox rows published again because the stream had lost them.", labels,
      [this] { return static_cast<double>(republished_.load()); }));
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
  metrics_.clear();
  if (listener_ != 0) outbox_->RemoveListener(listener_);
  listener_ = 0;
}

absl::StatusOr<std::vector<LoggedEvent>> OutboxRelay::ReadUnpublished() {
  auto tx = db_->BeginRead();
  if (!tx.ok()) return tx.status();
  auto cursor = tx->QueryOne(
      "SELECT p.up_to_sequence, COALESCE(o.event_id, '') FROM outbox_published p"
      " LEFT JOIN outbox o ON o.sequence = p.up_to_sequence");
  if (!cursor.ok()) return cursor.status();
  if (!cursor->has_value()) return absl::InternalError("outbox_published has no row");
  cursor_ = (*cursor)->Int(0);
  cursor_event_id_ = (*cursor)->Text(1);
  auto rows = tx->Query(
      "SELECT sequence, event_id, type, subject, event FROM outbox"
      " WHERE sequence > ?1 ORDER BY sequence LIMIT ?2",
      {cursor_, static_cast<int64_t>(options_.batch_size)});
  if (!rows.ok()) return rows.status();
  std::vector<LoggedEvent> batch;
  for (const Row& row : *rows) {
    LoggedEvent e;
    e.sequence = row.Int(0);
    e.id = row.Text(1);
    e.type = row.Text(2);
    e.subject = row.Text(3);
    e.event = row.Text(4);
    batch.push_back(std::move(e));
  }
  // Ending it waits for the flush of what it read; a failed flush keeps
  // the batch from leaving.
  ENAMND_RETURN_IF_ERROR(tx->Commit());
  return batch;
}

absl::StatusOr<int> OutboxRelay::PublishBatch(bool stopping) {
  absl::StatusOr<std::vector<LoggedEvent>> unpublished = ReadUnpublished();
  if (!unpublished.ok()) return unpublished.status();
  std::vector<LoggedEvent> batch = *std::move(unpublished);
  // An idle relay still looks at the stream now and then, so that a Redis
  // that lost its data gets the log back without waiting for a new event.
  bool reconcile_due = absl::Now() >= next_reconcile_;
  if (batch.empty() && (!reconcile_due || stopping)) return 0;
  if (redis_ == nullptr || redis_->broken()) {
    redis_.reset();
    auto connection = RedisConnection::Connect(redis_address_, options_.redis_timeout);
    if (!connection.ok()) return connection.status();
    redis_ = std::move(*connection);
    multi_refused_ = false;
    reconcile_due = true;  // a Redis we reconnect to may have lost data
  }
  if (reconcile_due) {
    absl::Status reconciled = Reconcile();
    if (!reconciled.ok()) return reconciled;
    next_reconcile_ = absl::Now() + options_.reconcile_interval;
    unpublished = ReadUnpublished();  // Reconcile may have moved the cursor
    if (!unpublished.ok()) return unpublished.status();
    batch = *std::move(unpublished);
  }
  if (batch.empty()) return 0;
  // The rows were read committed, in durable commits (Append makes them so)
  // that the read transaction's end waited for: they are on disk.
  absl::Status publish_status;
  size_t count = batch.size() > 1 && !multi_refused_
                     ? PublishInOneTransaction(batch, &publish_status)
                     : PublishOneAtATime(batch, &publish_status);
  for (size_t i = 0; i < count; ++i) {
    if (options_.after_publish && !options_.after_publish(batch[i].sequence)) {
      killed_ = true;
      return absl::AbortedError("relay stopped by test hook before moving the cursor");
    }
  }
  if (count > 0) {
    ENAMND_RETURN_IF_ERROR(WritePublishedUpTo(*db_, batch[count - 1].sequence));
    published_.fetch_add(static_cast<int64_t>(count));
  }
  if (!publish_status.ok()) return publish_status;
  // A refused XADD published nothing but still needs another round.
  return count == 0 ? 1 : static_cast<int>(count);
}

std::vector<std::string> OutboxRelay::XaddCommand(const LoggedEvent& e) const {
  std::vector<std::string> command = {"XADD", outbox_->stream()};
  if (options_.stream_max_length > 0) {
    command.insert(command.end(), {"MAXLEN", "~", absl::StrCat(options_.stream_max_length)});
  }
  command.insert(command.end(), {StreamEntryId(e.sequence), "id", e.id, "type", e.type, "subject",
                                 e.subject, "event", e.event});
  return command;
}

absl::StatusOr<bool> OutboxRelay::Added(const RedisReply& reply, int64_t sequence) {
  if (reply.kind != RedisReply::Kind::kError) return true;
  if (!absl::StrContains(reply.str, "equal or smaller")) {
    return absl::UnavailableError(absl::StrCat("redis XADD: ", reply.str));
  }
  // Refused as not above the stream's highest ID. Another relay (a second
  // instance) or a publication the cursor lost put the event there, and
  // Reconcile decides; unless the top is below the event, which means
  // entries were deleted from the stream's end and Reconcile would find
  // nothing to change, round after round.
  ENAMND_ASSIGN_OR_RETURN(StreamTop top, ReadTop());
  std::optional<int64_t> top_sequence =
      top.entry_id.empty() ? std::optional<int64_t>(0) : SequenceOfStreamEntryId(top.entry_id);
  if (top_sequence.has_value() && *top_sequence < sequence) {
    return TopDeletedError(absl::StrCat("at least ", StreamEntryId(sequence)), sequence);
  }
  next_reconcile_ = absl::InfinitePast();
  return false;
}

size_t OutboxRelay::PublishOneAtATime(const std::vector<LoggedEvent>& batch, absl::Status* error) {
  // Not pipelined: Redis runs every command of a pipeline, so after a passing
  // refusal (OOM, NOREPLICAS) of one event the later ones would still land
  // and leave a gap no later XADD can fill (docs/events.md).
  size_t count = 0;
  for (const LoggedEvent& e : batch) {
    absl::StatusOr<RedisReply> reply = redis_->Command(XaddCommand(e));
    absl::StatusOr<bool> added = reply.ok() ? Added(*reply, e.sequence) : reply.status();
    if (!added.ok()) *error = added.status();
    if (!added.ok() || !*added) break;
    ++count;
  }
  return count;
}

namespace {

bool IsNoPerm(const RedisReply& reply) {
  return reply.kind == RedisReply::Kind::kError && absl::StrContains(reply.str, "NOPERM");
}

// The end of a stream, from XINFO STREAM.
struct StreamEnd {
  std::string last_id = "0-0";  // the highest ID ever added: XADD must go above it
  StreamTop top;
};

absl::StatusOr<StreamEnd> ParseStreamEnd(const RedisReply& info) {
  StreamEnd end;
  if (info.kind == RedisReply::Kind::kError) {
    if (absl::StrContains(info.str, "no such key")) return end;
    return absl::UnavailableError(absl::StrCat("redis XINFO STREAM: ", info.str));
  }
  if (info.kind != RedisReply::Kind::kArray) {
    return absl::UnavailableError("redis XINFO STREAM: not an array");
  }
  for (size_t i = 0; i + 1 < info.elements.size(); i += 2) {
    const std::string& field = info.elements[i].str;
    const RedisReply& value = info.elements[i + 1];
    if (field == "last-generated-id") end.last_id = value.str;
    if (field == "last-entry") end.top = TopOf(value);
  }
  return end;
}

}  // namespace

size_t OutboxRelay::PublishInOneTransaction(const std::vector<LoggedEvent>& batch,
                                            absl::Status* error) {
  const std::string& stream = outbox_->stream();
  // WATCH: EXEC runs nothing if anyone else writes the stream before it.
  // The stream's end, read under it, must be the cursor's event: its top
  // entry, and the highest ID ever added (above which XADD must go), so that
  // every XADD of the batch lands, right after it. Anything else is judged
  // before a single event of the batch is sent.
  absl::StatusOr<std::vector<RedisReply>> opened =
      redis_->Pipeline({{"WATCH", stream}, {"XINFO", "STREAM", stream}, {"MULTI"}});
  if (!opened.ok()) {
    *error = opened.status();
    return 0;
  }
  const RedisReply& watch = (*opened)[0];
  const RedisReply& info = (*opened)[1];
  const RedisReply& multi = (*opened)[2];
  auto end_transaction = [&]() {
    absl::StatusOr<RedisReply> ended = redis_->Exec({});
    if (!ended.ok()) *error = ended.status();
  };
  const bool in_transaction = multi.kind != RedisReply::Kind::kError;
  for (const RedisReply* reply : {&watch, &info, &multi}) {
    if (!IsNoPerm(*reply)) continue;
    if (in_transaction) end_transaction();
    return error->ok() ? FallBackToOneAtATime(batch, reply->str, error) : 0;
  }
  absl::StatusOr<StreamEnd> end = ParseStreamEnd(info);
  if (!end.ok() || !in_transaction || watch.kind == RedisReply::Kind::kError) {
    if (in_transaction) end_transaction();
    *error = !end.ok() ? end.status()
                       : absl::UnavailableError(absl::StrCat(
                             "redis WATCH/MULTI: ",
                             watch.kind == RedisReply::Kind::kError ? watch.str : multi.str));
    return 0;
  }
  const std::string expected_top = cursor_ == 0 ? "" : StreamEntryId(cursor_);
  if (end->last_id != (end->top.entry_id.empty() ? "0-0" : end->top.entry_id) &&
      end->top.entry_id == expected_top) {
    end_transaction();
    *error = TopDeletedError(end->last_id, batch.front().sequence);
    return 0;
  }
  if (end->top.entry_id != expected_top || end->top.event_id != cursor_event_id_) {
    end_transaction();
    next_reconcile_ = absl::InfinitePast();
    return 0;
  }
  std::vector<std::vector<std::string>> commands;
  commands.reserve(batch.size());
  for (const LoggedEvent& e : batch) commands.push_back(XaddCommand(e));
  absl::StatusOr<RedisReply> reply = redis_->Exec(commands);
  if (!reply.ok()) {
    *error = reply.status();
    return 0;
  }
  if (reply->kind == RedisReply::Kind::kNil) {
    next_reconcile_ = absl::InfinitePast();  // someone else wrote the stream meanwhile
    return 0;
  }
  if (IsNoPerm(*reply) && absl::StrContains(reply->str, "'exec'")) {
    return FallBackToOneAtATime(batch, reply->str, error);
  }
  if (reply->kind == RedisReply::Kind::kError) {
    *error = absl::UnavailableError(
        absl::StrCat("redis MULTI/EXEC of ", batch.size(), " XADDs ran none: ", reply->str));
    return 0;
  }
  // Every XADD ran above the stream's highest ID: they land alike, or fail
  // alike (say, the key is no stream).
  size_t count = 0;
  for (const RedisReply& added_reply : reply->elements) {
    absl::StatusOr<bool> added = Added(added_reply, batch[count].sequence);
    if (!added.ok()) *error = added.status();
    if (!added.ok() || !*added) break;
    ++count;
  }
  return count;
}

size_t OutboxRelay::FallBackToOneAtATime(const std::vector<LoggedEvent>& batch,
                                         absl::string_view refusal, absl::Status* error) {
  LogWarning("outbox", "publishing to ", outbox_->stream(), " one event at a time: ", refusal,
             "; regenerate the ACL file with tools/redis-acl and ACL LOAD it"
             " (docs/operations.md)");
  multi_refused_ = true;
  return PublishOneAtATime(batch, error);
}

absl::Status OutboxRelay::TopDeletedError(const std::string& last_id, int64_t sequence) {
  return absl::FailedPreconditionError(absl::StrCat(
      "stream ", outbox_->stream(),
      " had entries deleted from its end (XDEL or XTRIM): Redis "
      "refuses IDs up to ",
      last_id, ", above its last entry, so event ", sequence,
      " cannot be added; set the stream's last ID back to its last entry (XSETID) or delete "
      "the stream to have the log republished; see docs/operations.md, \"The stream and the "
      "log disagree\""));
}

absl::StatusOr<StreamTop> OutboxRelay::ReadTop() {
  auto reply = redis_->Command({"XREVRANGE", outbox_->stream(), "+", "-", "COUNT", "1"});
  if (!reply.ok()) return reply.status();
  if (reply->kind == RedisReply::Kind::kError) {
    return absl::UnavailableError(absl::StrCat("redis XREVRANGE: ", reply->str));
  }
  return reply->elements.empty() ? StreamTop{} : TopOf(reply->elements[0]);
}

absl::Status OutboxRelay::Reconcile() {
  const std::string& stream = outbox_->stream();
  ENAMND_ASSIGN_OR_RETURN(StreamTop top, ReadTop());
  const std::string& top_entry_id = top.entry_id;
  const std::string& top_event_id = top.event_id;
  std::optional<int64_t> top_sequence =
      top_entry_id.empty() ? std::optional<int64_t>(0) : SequenceOfStreamEntryId(top_entry_id);

  if (!top_sequence.has_value()) {
    bool ours;
    {
      auto read = db_->BeginRead();
      if (!read.ok()) return read.status();
      auto found = read->QueryOne("SELECT 1 FROM outbox WHERE event_id = ?1", {top_event_id});
      if (!found.ok()) return found.status();
      ours = found->has_value();
    }
    if (ours) return SetAsideLegacyStream(top_entry_id);
    return absl::FailedPreconditionError(
        absl::StrCat("stream ", stream, " ends with entry ", top_entry_id,
                     ", which is not an event of this service's log; see docs/operations.md, "
                     "\"The stream and the log disagree\""));
  }
  int64_t published_up_to;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction read, db_->BeginRead());
    if (*top_sequence > 0) {
      auto row = read.QueryOne("SELECT event_id FROM outbox WHERE sequence = ?1", {*top_sequence});
      if (!row.ok()) return row.status();
      if (!row->has_value() || (*row)->Text(0) != top_event_id) {
        return absl::FailedPreconditionError(absl::StrCat(
            "stream ", stream, " ends with sequence ", *top_sequence, " (event ",
            top_event_id.empty() ? "?" : top_event_id, "), which this service's log ",
            row->has_value() ? "has as another event" : "does not have",
            " (was the database restored from an older backup?); see docs/operations.md, "
            "\"The stream and the log disagree\""));
      }
    }
    ENAMND_ASSIGN_OR_RETURN(published_up_to, ReadPublishedUpTo(read));
  }
  if (*top_sequence < published_up_to) {
    // Sequences are gap-free (MAX + 1 under the write lock): the stream lost
    // every event between its top and the cursor.
    int64_t lost = published_up_to - *top_sequence;
    ENAMND_ASSIGN_OR_RETURN(bool rewound,
                            RewindPublishedUpTo(*db_, published_up_to, *top_sequence));
    // The cursor moved meanwhile (another publication): look again.
    if (!rewound) return absl::AbortedError("the published cursor moved while reconciling");
    republished_.fetch_add(lost);
    LogWarning("outbox", "stream ", stream, " ends at sequence ", *top_sequence,
               " but the log had published up to ", published_up_to,
               ": Redis lost events (restart without persistence, failover to a lagging "
               "replica, or a deleted key); republishing ",
               lost, " events from sequence ", *top_sequence + 1, " in order");
    return absl::OkStatus();
  }
  if (*top_sequence > published_up_to) {
    // The stream has events the cursor does not cover (a relay stopped
    // between XADD and the cursor, a cursor lost in a crash, or another
    // instance published them).
    ENAMND_RETURN_IF_ERROR(WritePublishedUpTo(*db_, *top_sequence));
    LogInfo("outbox", "stream ", stream, " already had ", *top_sequence - published_up_to,
            " events up to sequence ", *top_sequence,
            " beyond the log's published cursor; cursor moved up");
  }
  return absl::OkStatus();
}

absl::Status OutboxRelay::SetAsideLegacyStream(const std::string& top_entry_id) {
  const std::string& stream = outbox_->stream();
  std::string aside =
      absl::StrCat(stream, ":before-sequence-ids:", absl::ToUnixSeconds(absl::Now()));
  auto renamed = redis_->Command({"RENAME", stream, aside});
  if (!renamed.ok()) return renamed.status();
  if (renamed->kind == RedisReply::Kind::kError) {
    return absl::UnavailableError(absl::StrCat("redis RENAME ", stream, ": ", renamed->str));
  }
  int64_t rows;
  {
    ENAMND_ASSIGN_OR_RETURN(Transaction read, db_->BeginRead());
    ENAMND_ASSIGN_OR_RETURN(rows, ReadPublishedUpTo(read));
  }
  ENAMND_ASSIGN_OR_RETURN(bool rewound, RewindPublishedUpTo(*db_, rows, 0));
  if (!rewound)
    return absl::AbortedError("the published cursor moved while setting the stream aside");
  republished_.fetch_add(rows);
  LogWarning("outbox", "stream ", stream, " had time-based entry IDs (top ", top_entry_id,
             "), from before entry IDs were outbox sequences; renamed it to ", aside,
             " and republishing the whole log (", rows,
             " events); consumer groups start again from the beginning");
  return absl::OkStatus();
}

void OutboxRelay::Run() {
  absl::Duration backoff = options_.backoff_initial;
  bool was_failing = false;
  while (true) {
    bool stopping;
    absl::Time deadline;
    {
      absl::MutexLock lock(&mutex_);
      stopping = stopping_;
      deadline = stop_deadline_;
    }
    absl::StatusOr<int> published = PublishBatch(stopping);
    if (killed_) return;
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
    publish_errors_.fetch_add(1);
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
