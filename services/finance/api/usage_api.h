// The finance service's metered side: the e-service platform's transactions
// (IngestUsage, a client stream written in batched transactions, idempotent
// on the transaction id), the prices per kind and year, the usage summary
// and the year-end invoice basis per municipality.
#ifndef ENAMND_FINANCE_API_USAGE_API_H_
#define ENAMND_FINANCE_API_USAGE_API_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/api/ingest_stream.h"
#include "services/finance/domain/names.h"
#include "services/platform/calendar.h"
#include "services/platform/caller.h"
#include "services/platform/database.h"
#include "services/platform/executor.h"
#include "services/platform/outbox.h"

namespace enamnd::finance {

class UsageApi {
 public:
  UsageApi(platform::Database* db, platform::Outbox* outbox, platform::LegalClock* clock,
           platform::Executor* executor)
      : db_(db), outbox_(outbox), clock_(clock), executor_(executor) {}

  // The IngestUsage stream of an admitted caller (or one that finishes at
  // once with the admission's error).
  grpc::ServerReadReactor<v1::IngestUsageRequest>* IngestUsage(
      absl::StatusOr<platform::Caller> caller, v1::IngestUsageResponse* response);

  absl::Status CreatePriceList(const platform::Caller& caller,
                               const v1::CreatePriceListRequest& request, v1::PriceList* response);
  absl::Status GetPriceList(const platform::Caller& caller, const v1::GetPriceListRequest& request,
                            v1::PriceList* response);
  absl::Status UpdatePriceList(const platform::Caller& caller,
                               const v1::UpdatePriceListRequest& request, v1::PriceList* response);
  absl::Status GetUsageSummary(const platform::Caller& caller,
                               const v1::GetUsageSummaryRequest& request,
                               v1::UsageSummary* response);
  absl::Status IssueInvoiceBasis(const platform::Caller& caller,
                                 const v1::IssueInvoiceBasisRequest& request,
                                 v1::InvoiceBasis* response);
  absl::Status GetInvoiceBasis(const platform::Caller& caller,
                               const v1::GetInvoiceBasisRequest& request,
                               v1::InvoiceBasis* response);

 private:
  // Stores a batch of IngestUsage messages in one transaction (on the
  // executor): each message is checked whole first; the first one refused
  // ends the batch, and the ones before it are stored. The call's audit
  // record goes with its first batch (`*audited` says it went).
  absl::StatusOr<BatchResult> StoreMessages(const platform::Caller& caller,
                                            const std::vector<v1::IngestUsageRequest>& messages,
                                            bool* audited);
  // A year's invoice basis from its counts, priced by `prices`.
  absl::StatusOr<v1::InvoiceBasis> BuildBasis(platform::Transaction& tx,
                                              const InvoiceBasisName& name,
                                              const v1::PriceList& prices, int64_t records);

  platform::Database* db_;
  platform::Outbox* outbox_;
  platform::LegalClock* clock_;
  platform::Executor* executor_;
};

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_API_USAGE_API_H_
