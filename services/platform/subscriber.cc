#include "services/platform/subscriber.h"

#include <limits>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/platform/call_context.h"
#include "services/platform/log.h"
#include "services/platform/status.h"

namespace enamnd::platform {

StreamSubscriber::StreamSubscriber(Database* db, RedisAddress redis, Options options,
                                   Handler handler)
    : db_(db),
      redis_address_(std::move(redis)),
      options_(std::move(options)),
      handler_(std::move(handler)) {}

StreamSubscriber::~StreamSubscriber() { Stop(); }

void StreamSubscriber::Start() {
  MetricsRegistry& metrics = MetricsRegistry::Global();
  MetricLabels labels = {{"stream", options_.stream}, {"group", options_.group}};
  auto counter = [&](const char* name, const char* help, const std::atomic<int64_t>* value) {
    metrics_.push_back(metrics.AddCallbackCounter(
        name, help, labels, [value] { return static_cast<double>(value->load()); }));
  };
  counter("enamnd_subscriber_handled_total", "Events handled and committed by this consumer.",
          &handled_);
  counter("enamnd_subscriber_duplicates_total",
          "Entries dropped because the inbox had their event already.", &duplicates_);
  counter("enamnd_subscriber_handler_failures_total",
          "Handler runs that failed; the entry stays pending and is retried.", &handler_failures_);
  counter("enamnd_subscriber_poison_skipped_total",
          "Entries without a decodable CloudEvent, acknowledged and skipped.", &poison_skipped_);
  auto gauge = [&](const char* name, const char* help, const std::atomic<int64_t>* value) {
    metrics_.push_back(metrics.AddCallbackGauge(name, help, labels, [value] {
      int64_t v = value->load();
      return v < 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(v);
    }));
  };
  gauge("enamnd_subscriber_pending", "Entries delivered to the group and not acknowledged.",
        &pending_);
  gauge("enamnd_subscriber_lag", "Entries of the stream the group has not read yet.", &lag_);
  thread_ = std::thread([this] { Run(); });
}

void StreamSubscriber::Stop() {
  if (!thread_.joinable()) return;
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  thread_.join();
  metrics_.clear();
}

bool StreamSubscriber::Stopping() {
  absl::MutexLock lock(&mutex_);
  return stopping_;
}

absl::Status StreamSubscriber::EnsureConnected() {
  if (redis_ != nullptr && !redis_->broken()) return absl::OkStatus();
  redis_.reset();
  auto connection = RedisConnection::Connect(redis_address_, options_.redis_timeout);
  if (!connection.ok()) return connection.status();
  redis_ = std::move(*connection);
  // Start a new group at the beginning of the stream: nothing published
  // before this consumer first ran is missed.
  auto reply =
      redis_->Command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (!reply.ok()) return reply.status();
  if (reply->kind == RedisReply::Kind::kError && !absl::StartsWith(reply->str, "BUSYGROUP")) {
    return absl::UnavailableError(absl::StrCat("redis XGROUP CREATE: ", reply->str));
  }
  return absl::OkStatus();
}

absl::StatusOr<io::cloudevents::v1::CloudEvent> DecodeStreamEntry(const RedisReply& fields) {
  const std::string* event_bytes = nullptr;
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    if (fields.elements[i].str == "event") event_bytes = &fields.elements[i + 1].str;
  }
  if (event_bytes == nullptr || event_bytes->empty()) {
    return absl::InvalidArgumentError("no event field");
  }
  io::cloudevents::v1::CloudEvent event;
  if (!event.ParseFromString(*event_bytes)) {
    return absl::InvalidArgumentError("event field is not a serialized CloudEvent");
  }
  if (event.id().empty() || event.source().empty()) {
    return absl::InvalidArgumentError("CloudEvent without id or source");
  }
  return event;
}

absl::Status StreamSubscriber::ProcessEntry(const std::string& entry_id, const RedisReply& fields) {
  absl::StatusOr<io::cloudevents::v1::CloudEvent> decoded = DecodeStreamEntry(fields);
  io::cloudevents::v1::CloudEvent event;
  if (decoded.ok()) {
    event = *std::move(decoded);
    CallContext call;
    auto trace = event.attributes().find("traceparent");
    if (trace != event.attributes().end()) {
      call.traceparent = ValidTraceparent(trace->second.ce_string());
    }
    ScopedCallContext scoped_call(std::move(call));
    auto tx = db_->Begin();
    if (!tx.ok()) return tx.status();
    auto seen =
        tx->QueryOne("SELECT 1 FROM inbox WHERE consumer = ?1 AND source = ?2 AND event_id = ?3",
                     {options_.group, event.source(), event.id()});
    if (!seen.ok()) return seen.status();
    if (seen->has_value()) {
      duplicates_.fetch_add(1);
    } else {
      const int64_t changes_before = tx->TotalChanges();
      absl::Status status = handler_(*tx, event);
      if (!status.ok()) {
        handler_failures_.fetch_add(1);
        return absl::Status(status.code(), absl::StrCat("handling ", event.type(), " ", event.id(),
                                                        ": ", status.message()));
      }
      status = tx->Exec(
          "INSERT INTO inbox (consumer, source, event_id, type, processed_at)"
          " VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
          {options_.group, event.source(), event.id(), event.type()});
      if (!status.ok()) return status;
      // The inbox row alone (the handler ignored the event) needs no flush
      // of its own: if a crash loses it, the acknowledged event is simply
      // not in the inbox, and a redelivery is ignored again. A handler
      // that changed something is on disk before the XACK. (The batch's
      // Sync before its XACK covers what the handler's decision rested on.)
      bool inbox_only = tx->TotalChanges() - changes_before == 1;
      status = tx->Commit(inbox_only ? Durability::kDeferred : Durability::kDurable);
      if (!status.ok()) return status;
      handled_.fetch_add(1);
      if (inbox_only) ignored_.fetch_add(1);
    }
  } else {
    // Nothing can ever process it; acknowledge so the group moves on.
    poison_skipped_.fetch_add(1);
    LogError("subscriber", options_.stream, " entry ", entry_id, " has no decodable CloudEvent (",
             decoded.status().message(), "); acknowledged and skipped");
  }
  if (options_.before_ack && !options_.before_ack(event.id())) {
    killed_ = true;
    return absl::AbortedError("subscriber stopped by test hook before XACK");
  }
  return absl::OkStatus();
}

absl::Status StreamSubscriber::Acknowledge(const std::vector<std::string>& entry_ids) {
  if (entry_ids.empty()) return absl::OkStatus();
  // What the batch's transactions committed or saw (a deferred inbox row,
  // another call's commit a handler's decision rested on, the inbox row
  // that made an entry a duplicate) is on disk before Redis forgets the
  // entries.
  ENAMND_RETURN_IF_ERROR(db_->Sync());
  std::vector<std::string> command = {"XACK", options_.stream, options_.group};
  command.insert(command.end(), entry_ids.begin(), entry_ids.end());
  auto ack = redis_->Command(command);
  if (!ack.ok()) return ack.status();
  return absl::OkStatus();
}

absl::StatusOr<int> StreamSubscriber::ProcessEntries(const RedisReply& entries) {
  int count = 0;
  std::vector<std::string> done;  // acknowledged together, after one Sync
  absl::Status status;
  for (const RedisReply& entry : entries.elements) {
    if (entry.elements.size() < 2) continue;  // deleted entry (nil fields)
    // An entry trimmed away while pending has no fields: acknowledge it.
    if (entry.elements[1].kind == RedisReply::Kind::kArray) {
      status = ProcessEntry(entry.elements[0].str, entry.elements[1]);
      if (!status.ok()) break;
      ++count;
    }
    done.push_back(entry.elements[0].str);
  }
  // A test's kill leaves the batch unacknowledged, as a crash would.
  if (killed_) return status;
  absl::Status acknowledged = Acknowledge(done);
  if (!status.ok()) return status;
  if (!acknowledged.ok()) return acknowledged;
  return count;
}

void StreamSubscriber::RefreshGroupInfo() {
  next_group_info_ = absl::Now() + absl::Seconds(5);
  auto reply = redis_->Command({"XINFO", "GROUPS", options_.stream});
  if (!reply.ok() || reply->kind != RedisReply::Kind::kArray) return;
  for (const RedisReply& group : reply->elements) {
    // Each group is a flat map: name, value, name, value, ...
    std::map<std::string, const RedisReply*> fields;
    for (size_t i = 0; i + 1 < group.elements.size(); i += 2) {
      fields[group.elements[i].str] = &group.elements[i + 1];
    }
    auto name = fields.find("name");
    if (name == fields.end() || name->second->str != options_.group) continue;
    auto pending = fields.find("pending");
    if (pending != fields.end()) pending_.store(pending->second->integer);
    auto lag = fields.find("lag");
    // A nil lag means Redis cannot tell (after deletions); keep it unknown.
    if (lag != fields.end()) {
      lag_.store(lag->second->kind == RedisReply::Kind::kInteger ? lag->second->integer : -1);
    }
  }
}

void StreamSubscriber::Run() {
  absl::Duration backoff = absl::Milliseconds(100);
  bool was_failing = false;
  // After (re)connecting, first drain this consumer's own pending entries.
  bool read_pending = true;
  absl::Time next_claim = absl::InfinitePast();
  while (!Stopping()) {
    absl::Status status = EnsureConnected();
    if (status.ok() && read_pending) {
      auto reply =
          redis_->Command({"XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                           absl::StrCat(options_.batch_size), "STREAMS", options_.stream, "0"});
      if (!reply.ok()) {
        status = reply.status();
      } else if (reply->kind == RedisReply::Kind::kArray && !reply->elements.empty()) {
        auto n = ProcessEntries(reply->elements[0].elements[1]);
        if (!n.ok())
          status = n.status();
        else if (*n == 0)
          read_pending = false;
      } else {
        read_pending = false;
      }
    } else if (status.ok() && absl::Now() >= next_claim) {
      next_claim = absl::Now() + options_.claim_idle / 2;
      auto reply =
          redis_->Command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                           absl::StrCat(absl::ToInt64Milliseconds(options_.claim_idle)), "0-0",
                           "COUNT", absl::StrCat(options_.batch_size)});
      if (!reply.ok()) {
        status = reply.status();
      } else if (reply->kind == RedisReply::Kind::kArray && reply->elements.size() >= 2) {
        auto n = ProcessEntries(reply->elements[1]);
        if (!n.ok())
          status = n.status();
        else if (*n > 0)
          next_claim = absl::InfinitePast();  // maybe more
      }
    } else if (status.ok()) {
      if (absl::Now() >= next_group_info_) RefreshGroupInfo();
      if (redis_ == nullptr || redis_->broken()) continue;
      redis_->SetTimeout(options_.block + options_.redis_timeout);
      auto reply = redis_->Command({"XREADGROUP", "GROUP", options_.group, options_.consumer,
                                    "COUNT", absl::StrCat(options_.batch_size), "BLOCK",
                                    absl::StrCat(absl::ToInt64Milliseconds(options_.block)),
                                    "STREAMS", options_.stream, ">"});
      if (redis_ != nullptr && !redis_->broken()) redis_->SetTimeout(options_.redis_timeout);
      if (!reply.ok()) {
        status = reply.status();
      } else if (reply->kind == RedisReply::Kind::kError) {
        // e.g. NOGROUP after Redis lost its data: recreate on reconnect.
        status = absl::UnavailableError(absl::StrCat("redis XREADGROUP: ", reply->str));
        redis_.reset();
      } else if (reply->kind == RedisReply::Kind::kArray && !reply->elements.empty()) {
        auto n = ProcessEntries(reply->elements[0].elements[1]);
        if (!n.ok()) status = n.status();
      }
    }
    if (killed_) return;
    if (status.ok()) {
      if (was_failing) LogInfo("subscriber", options_.stream, ": consuming again");
      was_failing = false;
      backoff = absl::Milliseconds(100);
      continue;
    }
    if (!was_failing) {
      LogWarning("subscriber", options_.stream, " group ", options_.group,
                 ": will retry: ", status.ToString());
    }
    was_failing = true;
    read_pending = true;  // a failed handler leaves its entry pending
    absl::MutexLock lock(&mutex_);
    mutex_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

}  // namespace enamnd::platform
