// The finance service's parsers and arithmetic over outside input
// (services/finance/domain): names round-trip; a usage record the ingest
// accepts has a member-shaped code and a year from 2000; a distribution
// by weights is exact to the öre, never negative for a positive total,
// ordered by code, and the same on a second run.
//
// Layout: the whole input is also tried as a name and as a serialized
// UsageRecord; then, read with FuzzedDataProvider: the total, then pairs
// of (code number 0-9999, weight) to the end.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/finance/domain/allocation.h"
#include "services/finance/domain/names.h"
#include "services/finance/domain/usage.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::finance;  // NOLINT(build/namespaces): the name types
  using enamnd::fuzz::CheckNameRoundTrip;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckNameRoundTrip<BudgetName>(text);
  CheckNameRoundTrip<BudgetLineName>(text);
  CheckNameRoundTrip<BudgetReference>(text);
  CheckNameRoundTrip<OutcomeName>(text);
  CheckNameRoundTrip<ForecastName>(text);
  CheckNameRoundTrip<IndexSeriesName>(text);
  CheckNameRoundTrip<PopulationFiguresName>(text);
  CheckNameRoundTrip<PriceListName>(text);
  CheckNameRoundTrip<InvoiceBasisName>(text);
  CheckNameRoundTrip<PlanName>(text);
  CheckNameRoundTrip<PlanFollowUpName>(text);

  v1::UsageRecord record;
  if (record.ParseFromArray(data, static_cast<int>(size))) {
    const absl::Time latest = absl::FromUnixSeconds(4102444800);  // 2100-01-01
    absl::StatusOr<UsageRow> row = ToUsageRow(record, "records[0]", latest);
    if (row.ok()) {
      ENAMND_FUZZ_CHECK(IsMunicipalityCode(row->municipality));
      ENAMND_FUZZ_CHECK(row->year >= kMinYear);
      ENAMND_FUZZ_CHECK(!row->transaction_id.empty() && row->transaction_id.size() <= 128);
    } else {
      ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(row.status(), "records[0]."));
    }
  }

  FuzzedDataProvider input(data, size);
  const Ore total = input.ConsumeIntegralInRange<Ore>(-(Ore{1} << 50), Ore{1} << 50);
  std::vector<Weight> weights;
  while (input.remaining_bytes() > 0 && weights.size() < 64) {
    const int code = input.ConsumeIntegralInRange<int>(0, 9999);
    const int64_t weight = input.ConsumeIntegralInRange<int64_t>(0, int64_t{1} << 40);
    weights.push_back({absl::StrFormat("%04d", code), weight});
  }
  absl::StatusOr<std::vector<Share>> shares = DistributeByWeights(total, weights, "weights");
  if (!shares.ok()) return 0;
  Ore sum = 0;
  std::string previous;
  for (const Share& share : *shares) {
    sum += share.amount_ore;
    if (total >= 0) ENAMND_FUZZ_CHECK(share.amount_ore >= 0);
    ENAMND_FUZZ_CHECK(previous.empty() || previous < share.municipality);
    previous = share.municipality;
  }
  ENAMND_FUZZ_CHECK(sum == total);
  ENAMND_FUZZ_CHECK(*DistributeByWeights(total, weights, "weights") == *shares);
  return 0;
}
