#include "services/meetings/domain/names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::meetings {
namespace {

using Segments = std::vector<absl::string_view>;

constexpr absl::string_view kMeetingShape = "must be bodies/{body_id}/meetings/{meeting_id}";
constexpr absl::string_view kParagraphShape =
    "must be bodies/{body}/meetings/{meeting}/paragraphs/{number}";

// A positive decimal number without sign or leading zeros, so that every
// name has exactly one spelling.
bool ParsePositive(absl::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 9 || text[0] == '0') return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return absl::SimpleAtoi(text, out);
}

// The meeting of the first four segments.
absl::StatusOr<MeetingName> MeetingOf(const Segments& s, absl::string_view field,
                                      absl::string_view shape) {
  if (s.size() < 4 || s[0] != "bodies" || s[2] != "meetings") {
    return platform::InvalidField(field, shape);
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(s[1], field));
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(s[3], field));
  return MeetingName{BodyName{std::string(s[1])}, std::string(s[3])};
}

// The paragraph of the first six segments.
absl::StatusOr<ParagraphName> ParagraphOf(const Segments& s, absl::string_view field) {
  if (s.size() < 6 || s[4] != "paragraphs") return platform::InvalidField(field, kParagraphShape);
  ENAMND_ASSIGN_OR_RETURN(MeetingName meeting, MeetingOf(s, field, kParagraphShape));
  int64_t number = 0;
  if (!ParsePositive(s[5], &number)) {
    return platform::InvalidField(field, "paragraph number must be a positive integer");
  }
  return ParagraphName{std::move(meeting), static_cast<int>(number)};
}

// {paragraph}/{collection}/{n}
template <typename Name>
absl::StatusOr<Name> ParseParagraphItem(absl::string_view text, absl::string_view field,
                                        absl::string_view collection) {
  Segments s = absl::StrSplit(text, '/');
  int64_t n = 0;
  if (s.size() != 8 || s[6] != collection || !ParsePositive(s[7], &n)) {
    return platform::InvalidField(field, absl::StrCat(kParagraphShape, "/", collection, "/{n}"));
  }
  ENAMND_ASSIGN_OR_RETURN(ParagraphName paragraph, ParagraphOf(s, field));
  return Name{std::move(paragraph), static_cast<int>(n)};
}

}  // namespace

absl::StatusOr<MunicipalityName> MunicipalityName::Parse(absl::string_view text,
                                                         absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(std::string code, platform::ParseMunicipalityName(text, field));
  return MunicipalityName{std::move(code)};
}

std::string MunicipalityName::ToString() const { return absl::StrCat("municipalities/", code); }

absl::StatusOr<BodyName> BodyName::Parse(absl::string_view text, absl::string_view field) {
  Segments s = absl::StrSplit(text, '/');
  if (s.size() != 2 || s[0] != "bodies") {
    return platform::InvalidField(field, "must be bodies/{body_id}");
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(s[1], field));
  return BodyName{std::string(s[1])};
}

std::string BodyName::ToString() const { return absl::StrCat("bodies/", body_id); }

absl::StatusOr<ParagraphSeriesName> ParagraphSeriesName::Parse(absl::string_view text,
                                                               absl::string_view field) {
  Segments s = absl::StrSplit(text, '/');
  int64_t year = 0;
  if (s.size() != 4 || s[0] != "bodies" || s[2] != "paragraph-series" ||
      !ParsePositive(s[3], &year)) {
    return platform::InvalidField(field, "must be bodies/{body_id}/paragraph-series/{year}");
  }
  ENAMND_RETURN_IF_ERROR(platform::ValidateResourceId(s[1], field));
  return ParagraphSeriesName{BodyName{std::string(s[1])}, static_cast<int>(year)};
}

std::string ParagraphSeriesName::ToString() const {
  return absl::StrCat(body.ToString(), "/paragraph-series/", year);
}

absl::StatusOr<MeetingName> MeetingName::Parse(absl::string_view text, absl::string_view field) {
  Segments s = absl::StrSplit(text, '/');
  if (s.size() != 4) return platform::InvalidField(field, kMeetingShape);
  return MeetingOf(s, field, kMeetingShape);
}

std::string MeetingName::ToString() const {
  return absl::StrCat(body.ToString(), "/meetings/", meeting_id);
}

absl::StatusOr<ParagraphName> ParagraphName::Parse(absl::string_view text,
                                                   absl::string_view field) {
  Segments s = absl::StrSplit(text, '/');
  if (s.size() != 6) return platform::InvalidField(field, kParagraphShape);
  return ParagraphOf(s, field);
}

std::string ParagraphName::ToString() const {
  return absl::StrCat(meeting.ToString(), "/paragraphs/", number);
}

absl::StatusOr<CaseName> CaseName::Parse(absl::string_view text, absl::string_view field) {
  Segments s = absl::StrSplit(text, '/');
  Segments parts;
  if (s.size() == 2 && s[0] == "cases") parts = absl::StrSplit(s[1], '-');
  int64_t year = 0;
  int64_t sequence = 0;
  if (parts.size() != 2 || !ParsePositive(parts[0], &year) || !ParsePositive(parts[1], &sequence)) {
    return platform::InvalidField(field, "must be cases/{year}-{sequence}, e.g. cases/2022-9");
  }
  return CaseName{static_cast<int>(year), sequence};
}

std::string CaseName::ToString() const { return absl::StrCat("cases/", year, "-", sequence); }

absl::StatusOr<AdjustmentName> AdjustmentName::Parse(absl::string_view text,
                                                     absl::string_view field) {
  constexpr absl::string_view kShape = "must be bodies/{body}/meetings/{meeting}/adjustments/{n}";
  Segments s = absl::StrSplit(text, '/');
  int64_t n = 0;
  if (s.size() != 6 || s[4] != "adjustments" || !ParsePositive(s[5], &n)) {
    return platform::InvalidField(field, kShape);
  }
  ENAMND_ASSIGN_OR_RETURN(MeetingName meeting, MeetingOf(s, field, kShape));
  return AdjustmentName{std::move(meeting), static_cast<int>(n)};
}

std::string AdjustmentName::ToString() const {
  return absl::StrCat(meeting.ToString(), "/adjustments/", number);
}

absl::StatusOr<ExtractName> ExtractName::Parse(absl::string_view text, absl::string_view field) {
  return ParseParagraphItem<ExtractName>(text, field, "extracts");
}

std::string ExtractName::ToString() const {
  return absl::StrCat(paragraph.ToString(), "/extracts/", number);
}

absl::StatusOr<CorrectionName> CorrectionName::Parse(absl::string_view text,
                                                     absl::string_view field) {
  return ParseParagraphItem<CorrectionName>(text, field, "corrections");
}

std::string CorrectionName::ToString() const {
  return absl::StrCat(paragraph.ToString(), "/corrections/", number);
}

absl::StatusOr<AppealName> AppealName::Parse(absl::string_view text, absl::string_view field) {
  return ParseParagraphItem<AppealName>(text, field, "appeals");
}

std::string AppealName::ToString() const {
  return absl::StrCat(paragraph.ToString(), "/appeals/", number);
}

}  // namespace enamnd::meetings
