#include "services/finance/api/ingest_stream.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/platform/status.h"

namespace enamnd::finance {

IngestStream::IngestStream(platform::Executor* executor, Writer writer,
                           v1::IngestUsageResponse* response)
    : executor_(executor), writer_(std::move(writer)), response_(response) {
  Next next;
  {
    absl::MutexLock lock(&mutex_);
    next = Decide();
  }
  Act(std::move(next));
}

void IngestStream::OnReadDone(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mutex_);
    reading_ = false;
    if (ok) {
      // An empty message counts as one record: else a stream of empty
      // messages would be buffered without bound (never a batch, never a
      // pause in reading).
      waiting_records_ += std::max(1, incoming_.records_size());
      waiting_.push_back(std::move(incoming_));
      incoming_.Clear();
    } else {
      input_ended_ = true;  // half-closed by the caller, or the call broke
    }
    next = Decide();
  }
  Act(std::move(next));
}

IngestStream::Next IngestStream::Decide() {
  Next next;
  if (finished_) return next;
  const bool drained = input_ended_ && !reading_ && waiting_.empty();
  if (!writing_ && !wrote_ && drained && error_.ok()) {
    writing_ = wrote_ = true;
    next.write_nothing = true;
  }
  if (!writing_ && !waiting_.empty() && (waiting_records_ >= kBatchRecords || input_ended_)) {
    writing_ = wrote_ = true;
    next.write = std::move(waiting_);
    waiting_.clear();
    waiting_records_ = 0;
  }
  if (!reading_ && !input_ended_ && waiting_records_ < kMaxWaitingRecords) {
    reading_ = true;
    next.read = true;
  }
  // A refused message ends the stream at once, even with a read in flight
  // (it completes as failed).
  if (!writing_ && ((drained && wrote_) || !error_.ok())) {
    finished_ = true;
    next.finish = true;
    next.status = platform::ToGrpcStatus(error_);
  }
  return next;
}

// The read starts before the write is posted: once posted, the write may
// fail and Finish on another thread, and without a read in flight gRPC may
// then call OnDone (delete this) before this thread reaches StartRead. A
// read in flight holds the call open until its OnReadDone. Nothing touches
// `this` after the Post but a Finish, which never comes with a write.
void IngestStream::Act(Next next) {
  if (next.read) StartRead(&incoming_);
  if (!next.write.empty() || next.write_nothing) {
    executor_->Post([this, batch = std::move(next.write)]() { WriteBatch(batch); });
  }
  if (next.finish) Finish(next.status);
}

void IngestStream::WriteBatch(const std::vector<v1::IngestUsageRequest>& batch) {
  absl::StatusOr<BatchResult> result = writer_(batch);
  Next next;
  {
    absl::MutexLock lock(&mutex_);
    writing_ = false;
    if (result.ok()) {
      const store::IngestCounts& counts = result->counts;
      response_->set_new_count(response_->new_count() + counts.added);
      response_->set_duplicate_count(response_->duplicate_count() + counts.duplicates);
      response_->set_conflict_count(response_->conflict_count() + counts.conflicts);
      for (const std::string& id : counts.conflict_ids) {
        if (static_cast<size_t>(response_->conflict_transaction_ids_size()) >=
            store::kMaxConflictIds) {
          break;
        }
        response_->add_conflict_transaction_ids(id);
      }
      messages_stored_ += result->messages_stored;
    }
    absl::Status failed = result.ok() ? result->refused : result.status();
    if (!failed.ok() && error_.ok()) {
      error_ = Ended(failed);
      // Nothing after the refused message is stored; the reads end.
      input_ended_ = true;
      waiting_.clear();
      waiting_records_ = 0;
    }
    next = Decide();
  }
  Act(std::move(next));
}

absl::Status IngestStream::Ended(const absl::Status& why) const {
  const int64_t stored =
      response_->new_count() + response_->duplicate_count() + response_->conflict_count();
  return absl::Status(why.code(),
                      absl::StrCat(why.message(), " (message ", messages_stored_ + 1,
                                   " of the stream, counted from 1; the ", stored,
                                   " records of the messages before it are stored, so the stream "
                                   "can be sent again whole once it is corrected)"));
}

}  // namespace enamnd::finance
