// Pure rules of the meetings domain: identifiers, case numbers, quorum,
// text limits. No gRPC, no SQL.
#ifndef ENAMND_MEETINGS_DOMAIN_RULES_H_
#define ENAMND_MEETINGS_DOMAIN_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::meetings {

// Text limits (bytes of UTF-8).
constexpr size_t kMaxNameLength = 200;      // person, place, display names
constexpr size_t kMaxTitleLength = 500;     // case and paragraph titles
constexpr size_t kMaxTextLength = 100000;   // decision text, summary, notes
constexpr size_t kMaxListLength = 500;      // repeated fields

// A diarienummer such as "2022/9-2.2.0.1".
struct CaseNumber {
  int year = 0;
  int64_t sequence = 0;
  std::string classification;  // "2.2.0.1"

  std::string ToString() const;
  // The resource name: cases/{year}-{sequence}.
  std::string ResourceName() const;
};

// Parses and validates a case number: a year 1900-2999, a positive sequence,
// and a classification of 1 to 6 dot-separated groups of 1-3 digits.
// Errors are INVALID_ARGUMENT prefixed with `field`.
absl::StatusOr<CaseNumber> ParseCaseNumber(absl::string_view text, absl::string_view field);

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

// A calendar day that exists; 1900-2999.
absl::Status ValidateDay(int year, int month, int day, absl::string_view field);
std::string FormatDay(int year, int month, int day);  // YYYY-MM-DD

// How one seat attended, for quorum.
struct SeatPresence {
  bool member_present = false;
  bool substitute_served = false;
  std::vector<int> substitute_paragraphs;  // empty = all
};

// A seat counts for paragraph `number` if its member was present or its
// substitute served for that paragraph.
bool SeatRepresented(const SeatPresence& seat, std::optional<int> number);
// More than half of all seats represented (Kommunallagen 6 kap. 28 §).
bool HasQuorum(int seats_represented, int seats_total);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_RULES_H_
