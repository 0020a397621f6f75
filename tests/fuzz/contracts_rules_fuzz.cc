// The contracts service's parsers of outside text (services/contracts/
// domain): names round-trip; an organisation number that passes has the
// NNNNNN-NNNN shape; a ListAgreements filter takes a day only with a
// municipality; configured horizons are months 1-120, each once.
#include <cstdint>
#include <set>
#include <string>

#include "services/contracts/domain/names.h"
#include "services/contracts/domain/rules.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::contracts;  // NOLINT(build/namespaces): the name types
  using enamnd::fuzz::CheckNameRoundTrip;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckNameRoundTrip<ProcurementName>(text);
  CheckNameRoundTrip<AgreementName>(text);
  CheckNameRoundTrip<ContractsReference>(text);
  if (ValidateOrganisationNumber(text, "n").ok()) {
    ENAMND_FUZZ_CHECK(text.size() == 11 && text[6] == '-');
  }
  absl::StatusOr<AgreementFilter> filter = ParseAgreementFilter(text);
  if (filter.ok() && filter->date.has_value()) ENAMND_FUZZ_CHECK(filter->municipality.has_value());
  absl::StatusOr<std::vector<int>> horizons = ParseHorizons(text, "h");
  if (horizons.ok()) {
    std::set<int> seen;
    for (int h : *horizons) ENAMND_FUZZ_CHECK(h >= 1 && h <= 120 && seen.insert(h).second);
  }
  return 0;
}
