// What the fuzz targets of tests/fuzz share: a check that holds in every
// build (assert() is gone under NDEBUG), and the round trip every resource
// name must survive.
#ifndef ENAMND_TESTS_FUZZ_FUZZ_CHECK_H_
#define ENAMND_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

// Aborts (a crash to libFuzzer, which saves the input) when `cond` is false.
#define ENAMND_FUZZ_CHECK(cond)                                                              \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)

namespace enamnd::fuzz {

// A parse failure is INVALID_ARGUMENT naming the field first, as the API
// promises ("name: must be ...").
inline bool IsInvalidField(const absl::Status& status, absl::string_view field) {
  return status.code() == absl::StatusCode::kInvalidArgument &&
         absl::StartsWith(status.message(), field);
}

// A name type with Parse(text, field) and ToString(): every name has one
// spelling, so what parses is what ToString writes, and that parses again.
template <typename Name>
void CheckNameRoundTrip(absl::string_view text) {
  absl::StatusOr<Name> name = Name::Parse(text, "name");
  if (!name.ok()) {
    ENAMND_FUZZ_CHECK(IsInvalidField(name.status(), "name"));
    return;
  }
  std::string spelled = name->ToString();
  ENAMND_FUZZ_CHECK(spelled == text);
  absl::StatusOr<Name> again = Name::Parse(spelled, "name");
  ENAMND_FUZZ_CHECK(again.ok() && again->ToString() == spelled);
}

}  // namespace enamnd::fuzz

#endif  // ENAMND_TESTS_FUZZ_FUZZ_CHECK_H_
