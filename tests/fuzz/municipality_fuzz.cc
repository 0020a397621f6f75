// SCB municipality codes: municipalities/{code} (ParseMunicipalityName,
// ValidateMunicipalityCode in services/platform/validation.h, and the
// meetings service's MunicipalityName).
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "services/meetings/domain/names.h"
#include "services/platform/validation.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using enamnd::fuzz::IsInvalidField;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  enamnd::fuzz::CheckNameRoundTrip<enamnd::meetings::MunicipalityName>(text);

  absl::Status code_status = enamnd::platform::ValidateMunicipalityCode(text, "code");
  if (code_status.ok()) {
    ENAMND_FUZZ_CHECK(text.size() == 4);
    for (char c : text) ENAMND_FUZZ_CHECK(absl::ascii_isdigit(c));
  } else {
    ENAMND_FUZZ_CHECK(IsInvalidField(code_status, "code"));
  }
  // A valid code makes a valid name, and only a valid code does.
  absl::StatusOr<std::string> from_code =
      enamnd::platform::ParseMunicipalityName(absl::StrCat("municipalities/", text), "name");
  ENAMND_FUZZ_CHECK(from_code.ok() == code_status.ok());
  if (from_code.ok()) ENAMND_FUZZ_CHECK(*from_code == text);

  absl::StatusOr<std::string> code = enamnd::platform::ParseMunicipalityName(text, "name");
  if (!code.ok()) {
    ENAMND_FUZZ_CHECK(IsInvalidField(code.status(), "name"));
    return 0;
  }
  ENAMND_FUZZ_CHECK(absl::StrCat("municipalities/", *code) == text);
  ENAMND_FUZZ_CHECK(enamnd::platform::ValidateMunicipalityCode(*code, "code").ok());
  return 0;
}
