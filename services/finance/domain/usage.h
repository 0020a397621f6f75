// The e-service platform's metered transactions (BankID, Freja eID, SMS)
// and what they cost each municipality (DOMAIN.md section 6, issue 12):
// checking a record, its identity for deduplication, price lists, and
// pricing counts into an invoice basis. Pure: no clock (the latest
// acceptable time is passed in), no storage.
#ifndef ENAMND_FINANCE_DOMAIN_USAGE_H_
#define ENAMND_FINANCE_DOMAIN_USAGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "enamnd/finance/v1/finance.pb.h"
#include "services/finance/domain/allocation.h"

namespace enamnd::finance {

// At most this many records in one IngestUsage message.
inline constexpr int kMaxRecordsPerMessage = 10000;
// Transaction ids and e-service ids: 1-128 printable ASCII characters.
inline constexpr size_t kMaxUsageIdLength = 128;
// The highest price of one transaction: 100 000 000 öre (1 000 000 kr).
// Below it count * price cannot overflow for any count a year can hold.
inline constexpr int64_t kMaxPriceOre = 100'000'000;
// A record may be stamped this far after the service's clock (clocks of
// two systems disagree), no further.
inline constexpr absl::Duration kUsageClockSkew = absl::Hours(24);

// A record as it is stored: the municipality as its SCB code, the time in
// microseconds since the epoch and its year in Europe/Stockholm.
struct UsageRow {
  std::string transaction_id;
  std::string municipality;  // SCB code
  int kind = 0;              // v1::UsageKind
  int64_t time_micros = 0;
  int year = 0;
  std::string e_service;

  // Same transaction id and same content: a record sent again.
  bool operator==(const UsageRow& other) const = default;
};

// Checks one record and converts it. `field` prefixes error messages
// (e.g. "records[17]"); `latest` is the latest acceptable time (the
// service's now plus kUsageClockSkew). The municipality's membership is
// the caller's to check (it needs the member register).
absl::StatusOr<UsageRow> ToUsageRow(const v1::UsageRecord& record, absl::string_view field,
                                    absl::Time latest);

// Checks a price list's year, prices and source; `field` is e.g.
// "price_list". Every kind has exactly one price, not negative.
absl::Status ValidatePriceList(const v1::PriceList& price_list, absl::string_view field);

// Counts of one year: (SCB code, kind) -> transactions.
using UsageCounts = std::map<std::pair<std::string, int>, int64_t>;

// A member as the invoice basis names it.
struct BilledMunicipality {
  std::string code;
  std::string display_name;
};

// The usage of each municipality in `municipalities` (ordered by SCB code,
// every kind in the enum's order, kinds without records included), priced
// by `prices` when given (amount = count * unit price, exact). Sets
// `total` to the sum over them. OUT_OF_RANGE if an amount would overflow.
absl::StatusOr<std::vector<v1::MunicipalityUsage>> PriceUsage(
    const std::vector<BilledMunicipality>& municipalities, const UsageCounts& counts,
    const v1::PriceList* prices, Ore* total);

// Every kind a record may have, in the enum's order.
const std::vector<v1::UsageKind>& AllUsageKinds();

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_USAGE_H_
