// The metered transactions, their running counts, price lists and issued
// invoice bases (tables in store/schema.cc).
#ifndef ENAMND_FINANCE_STORE_USAGE_H_
#define ENAMND_FINANCE_STORE_USAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/domain/names.h"
#include "services/finance/domain/usage.h"
#include "services/platform/database.h"

namespace enamnd::finance::store {

// What storing a batch of records found.
struct IngestCounts {
  int64_t added = 0;
  int64_t duplicates = 0;
  int64_t conflicts = 0;
  // The first kMaxConflictIds transaction ids that conflicted.
  std::vector<std::string> conflict_ids;
};
inline constexpr size_t kMaxConflictIds = 100;

// Stores each row whose transaction id is new, counts the others as
// duplicates (same content) or conflicts (other content; the stored row
// stands), and adds the new rows to the running counts, all in `tx`.
absl::Status InsertUsage(platform::Transaction& tx, const std::vector<UsageRow>& rows,
                         IngestCounts* counts);

// The counts of `year` per (SCB code, kind); only `municipality`'s when it
// is not empty.
absl::StatusOr<UsageCounts> CountsOfYear(platform::Transaction& tx, int year,
                                         const std::string& municipality = "");
// How many records `year` has.
absl::StatusOr<int64_t> RecordsOfYear(platform::Transaction& tx, int year);

absl::StatusOr<std::optional<v1::PriceList>> GetPriceList(platform::Transaction& tx,
                                                          const PriceListName& name);
// Inserts a new price list (ALREADY_EXISTS if the year has one); sets its
// etag.
absl::Status InsertPriceList(platform::Transaction& tx, v1::PriceList* price_list);
// Replaces a price list; sets its new etag.
absl::Status ReplacePriceList(platform::Transaction& tx, v1::PriceList* price_list);

// The latest issue of a year's invoice basis.
absl::StatusOr<std::optional<v1::InvoiceBasis>> GetInvoiceBasis(platform::Transaction& tx,
                                                                const InvoiceBasisName& name);
// The issue `revision` of a year's invoice basis.
absl::StatusOr<std::optional<v1::InvoiceBasis>> GetInvoiceBasisRevision(
    platform::Transaction& tx, const InvoiceBasisName& name, int revision);
absl::Status InsertInvoiceBasis(platform::Transaction& tx, const v1::InvoiceBasis& basis);

}  // namespace enamnd::finance::store

#endif  // ENAMND_FINANCE_STORE_USAGE_H_
