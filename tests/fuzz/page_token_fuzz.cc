// Page tokens (services/platform/listing.h): DecodePageToken on a token and
// scope from the input, and Encode/Decode as inverses on keys from it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "services/platform/listing.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// What ListQuery::Run writes: a non-empty key of values without the
// token's separator (0x1f); sort keys are ids, numbers and names.
bool Encodable(const std::vector<std::string>& key) {
  if (key.empty()) return false;
  for (const std::string& part : key) {
    if (absl::StrContains(part, '\x1f')) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using enamnd::platform::DecodePageToken;
  using enamnd::platform::EncodePageToken;
  FuzzedDataProvider in(data, size);
  std::string scope = in.ConsumeRandomLengthString(100);
  std::vector<std::string> key;
  size_t parts = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < parts; ++i) key.push_back(in.ConsumeRandomLengthString(40));
  std::string token = in.ConsumeRemainingBytesAsString();

  // A token from outside: rejected with INVALID_ARGUMENT (page_token), or
  // a key that encodes back to a token of the same key.
  absl::StatusOr<std::vector<std::string>> decoded = DecodePageToken(token, scope);
  if (!decoded.ok()) {
    ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(decoded.status(), "page_token"));
  } else if (Encodable(*decoded)) {
    absl::StatusOr<std::vector<std::string>> again =
        DecodePageToken(EncodePageToken(scope, *decoded), scope);
    ENAMND_FUZZ_CHECK(again.ok() && *again == *decoded);
  }

  // A token the service issued decodes to its key, for its scope only.
  if (Encodable(key)) {
    std::string issued = EncodePageToken(scope, key);
    absl::StatusOr<std::vector<std::string>> back = DecodePageToken(issued, scope);
    ENAMND_FUZZ_CHECK(back.ok() && *back == key);
    ENAMND_FUZZ_CHECK(!DecodePageToken(issued, scope + "x").ok());
  }
  return 0;
}
