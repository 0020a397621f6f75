// The IngestUsage stream's reactor: reads the caller's messages and hands
// them to a writer in batches on the executor, reading on while a batch is
// written, and replies once every message read is durable (or the first
// refused one ended the stream). Nothing blocks a reactor thread.
#ifndef ENAMND_FINANCE_API_INGEST_STREAM_H_
#define ENAMND_FINANCE_API_INGEST_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/store/usage.h"
#include "services/platform/executor.h"

namespace enamnd::finance {

// What a batch came to: the counts of the messages stored, and the error
// of the first message refused (the messages after it are not stored).
struct BatchResult {
  store::IngestCounts counts;
  int64_t messages_stored = 0;
  absl::Status refused;
};

class IngestStream final : public grpc::ServerReadReactor<v1::IngestUsageRequest> {
 public:
  // Stores `messages` (checked whole, each, before any of it is stored) in
  // one transaction; runs on the executor. An error other than `refused`
  // means nothing of the batch was stored.
  using Writer = std::function<absl::StatusOr<BatchResult>(
      const std::vector<v1::IngestUsageRequest>& messages)>;

  // A write starts once this many records wait (or the stream ended).
  static constexpr int64_t kBatchRecords = 5000;
  // Reading pauses while this many records wait for a write.
  static constexpr int64_t kMaxWaitingRecords = 4 * kBatchRecords;

  IngestStream(platform::Executor* executor, Writer writer, v1::IngestUsageResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  // What to do once the lock is released: gRPC's calls are not made under
  // it.
  struct Next {
    bool read = false;
    // A batch to write; `write_nothing` writes an empty one (a stream
    // without records still leaves its audit record).
    std::vector<v1::IngestUsageRequest> write;
    bool write_nothing = false;
    bool finish = false;
    grpc::Status status;
  };
  Next Decide() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void Act(Next next);
  void WriteBatch(const std::vector<v1::IngestUsageRequest>& batch);
  // The stream's final error: the refusal and what was stored before it.
  absl::Status Ended(const absl::Status& why) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  platform::Executor* executor_;
  Writer writer_;
  // The message being read; only the read in flight touches it.
  v1::IngestUsageRequest incoming_;

  absl::Mutex mutex_;
  v1::IngestUsageResponse* response_ ABSL_GUARDED_BY(mutex_);
  std::vector<v1::IngestUsageRequest> waiting_ ABSL_GUARDED_BY(mutex_);
  // The records of `waiting_`, an empty message counted as one.
  int64_t waiting_records_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t messages_stored_ ABSL_GUARDED_BY(mutex_) = 0;
  bool reading_ ABSL_GUARDED_BY(mutex_) = false;
  bool writing_ ABSL_GUARDED_BY(mutex_) = false;
  bool wrote_ ABSL_GUARDED_BY(mutex_) = false;
  // The caller half-closed, the call broke, or a message was refused.
  bool input_ended_ ABSL_GUARDED_BY(mutex_) = false;
  bool finished_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_API_INGEST_STREAM_H_
