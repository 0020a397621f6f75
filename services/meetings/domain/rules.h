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
#include "services/platform/validation.h"

namespace enamnd::meetings {

using platform::kMaxListLength;
using platform::kMaxNameLength;
using platform::kMaxTextLength;
using platform::kMaxTitleLength;

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

// Generic identifier, text and date rules live in the platform.
using platform::FormatDay;
using platform::ParseMunicipalityName;
using platform::ValidateCrossReference;
using platform::ValidateDay;
using platform::ValidateMunicipalityCode;
using platform::ValidateResourceId;
using platform::ValidateSha256;
using platform::ValidateText;

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
