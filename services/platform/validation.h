// Validation rules every service shares: resource ids, municipality codes,
// cross-service references, bounded text, hashes and days. Errors are
// INVALID_ARGUMENT with a message that starts with the field's path.
#ifndef ENAMND_PLATFORM_VALIDATION_H_
#define ENAMND_PLATFORM_VALIDATION_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::platform {

// Text limits (bytes of UTF-8).
constexpr size_t kMaxNameLength = 200;     // person, place, display names
constexpr size_t kMaxTitleLength = 500;    // case and paragraph titles
constexpr size_t kMaxTextLength = 100000;  // decision text, summary, notes
constexpr size_t kMaxListLength = 500;     // repeated fields

// Lowercase letters, digits and hyphens, starting with a letter or digit,
// at most 63 characters.
absl::Status ValidateResourceId(absl::string_view id, absl::string_view field);

// "municipalities/2584" -> "2584". The code must be four digits.
absl::StatusOr<std::string> ParseMunicipalityName(absl::string_view name, absl::string_view field);
absl::Status ValidateMunicipalityCode(absl::string_view code, absl::string_view field);

// A cross-service reference such as "//audits/reviews/2021-2584": the
// owning area (meetings, audits, projects, contracts, finance), then a
// collection/id path.
absl::Status ValidateCrossReference(absl::string_view ref, absl::string_view field);

// Required or optional bounded text.
absl::Status ValidateText(absl::string_view text, absl::string_view field, size_t max_length,
                          bool required);

// Lowercase hex SHA-256 (64 characters).
absl::Status ValidateSha256(absl::string_view hex, absl::string_view field);

// A year of the records: 1900-2999.
absl::Status ValidateYear(int year, absl::string_view field);

// A repeated field of at most kMaxListLength entries.
absl::Status ValidateListLength(size_t size, absl::string_view field);

// A Create's optional request_id (idempotency key): at most 128 bytes.
absl::Status ValidateRequestId(absl::string_view request_id);

// A calendar day that exists; 1900-2999.
absl::Status ValidateDay(int year, int month, int day, absl::string_view field);
std::string FormatDay(int year, int month, int day);  // YYYY-MM-DD

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_VALIDATION_H_
