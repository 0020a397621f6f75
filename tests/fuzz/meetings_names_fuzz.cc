// The meetings service's resource names (services/meetings/domain/names.h):
// every name type parses the input; what parses re-formats to the input.
#include <cstdint>
#include <string>

#include "services/meetings/domain/names.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enamnd::meetings;  // NOLINT(build/namespaces): the name types
  using enamnd::fuzz::CheckNameRoundTrip;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  CheckNameRoundTrip<MunicipalityName>(text);
  CheckNameRoundTrip<BodyName>(text);
  CheckNameRoundTrip<ParagraphSeriesName>(text);
  CheckNameRoundTrip<MeetingName>(text);
  CheckNameRoundTrip<ParagraphName>(text);
  CheckNameRoundTrip<CaseName>(text);
  CheckNameRoundTrip<AdjustmentName>(text);
  CheckNameRoundTrip<ExtractName>(text);
  CheckNameRoundTrip<CorrectionName>(text);
  CheckNameRoundTrip<AppealName>(text);
  return 0;
}
