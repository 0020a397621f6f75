// Case numbers (diarienummer, "2022/9-2.2.0.1": ParseCaseNumber in
// services/meetings/domain/rules.h) and their resource names (cases/2022-9).
#include <cstdint>
#include <string>

#include "services/meetings/domain/names.h"
#include "services/meetings/domain/rules.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using enamnd::meetings::CaseName;
  using enamnd::meetings::CaseNumber;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  enamnd::fuzz::CheckNameRoundTrip<CaseName>(text);
  absl::StatusOr<CaseNumber> number = enamnd::meetings::ParseCaseNumber(text, "case_number");
  if (!number.ok()) {
    ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(number.status(), "case_number"));
    return 0;
  }
  ENAMND_FUZZ_CHECK(number->year >= 1900 && number->year <= 2999 && number->sequence >= 1);
  ENAMND_FUZZ_CHECK(number->ToString() == text);
  // Its resource name is a case name of the same year and sequence.
  absl::StatusOr<CaseName> name = CaseName::Parse(number->ResourceName(), "name");
  ENAMND_FUZZ_CHECK(name.ok() && name->year == number->year && name->sequence == number->sequence);
  return 0;
}
