#include "services/meetings/domain/rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"

namespace enamnd::meetings {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", rule));
}

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace

std::string CaseNumber::ToString() const {
  return absl::StrCat(year, "/", sequence, "-", classification);
}

std::string CaseNumber::ResourceName() const { return absl::StrCat("cases/", year, "-", sequence); }

absl::StatusOr<CaseNumber> ParseCaseNumber(absl::string_view text, absl::string_view field) {
  const char* kShape = "must look like 2022/9-2.2.0.1 (year/sequence-classification)";
  if (text.empty()) return Invalid(field, "required");
  size_t slash = text.find('/');
  size_t dash = text.find('-');
  if (slash == absl::string_view::npos || dash == absl::string_view::npos || dash < slash) {
    return Invalid(field, kShape);
  }
  absl::string_view year_text = text.substr(0, slash);
  absl::string_view sequence_text = text.substr(slash + 1, dash - slash - 1);
  absl::string_view class_text = text.substr(dash + 1);
  CaseNumber out;
  if (year_text.size() != 4 || !AllDigits(year_text) || !absl::SimpleAtoi(year_text, &out.year) ||
      out.year < 1900 || out.year > 2999) {
    return Invalid(
        field, absl::StrCat("year \"", year_text, "\" must be four digits, 1900-2999; ", kShape));
  }
  if (!AllDigits(sequence_text) || sequence_text.size() > 9 || sequence_text[0] == '0' ||
      !absl::SimpleAtoi(sequence_text, &out.sequence) || out.sequence < 1) {
    return Invalid(field,
                   absl::StrCat("sequence \"", sequence_text,
                                "\" must be a positive number without leading zeros; ", kShape));
  }
  std::vector<absl::string_view> groups = absl::StrSplit(class_text, '.');
  if (groups.size() > 6) return Invalid(field, "classification has more than 6 levels");
  for (absl::string_view g : groups) {
    if (!AllDigits(g) || g.size() > 3) {
      return Invalid(field, absl::StrCat("classification \"", class_text,
                                         "\" must be dot-separated numbers, e.g. 2.2.0.1"));
    }
  }
  out.classification = std::string(class_text);
  return out;
}

bool SeatRepresented(const SeatPresence& seat, std::optional<int> number) {
  if (seat.member_present) return true;
  if (!seat.substitute_served) return false;
  if (seat.substitute_paragraphs.empty()) return true;
  if (!number.has_value()) return false;
  return std::find(seat.substitute_paragraphs.begin(), seat.substitute_paragraphs.end(), *number) !=
         seat.substitute_paragraphs.end();
}

bool HasQuorum(int seats_represented, int seats_total) {
  return seats_total > 0 && 2 * seats_represented > seats_total;
}

}  // namespace enamnd::meetings
