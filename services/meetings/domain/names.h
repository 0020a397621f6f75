// Resource names of the meetings service as types, after leveldb's
// db/filename.h: each name has exactly two verbs, Parse (text -> parts,
// INVALID_ARGUMENT naming `field`) and ToString (parts -> text). Nothing else
// in the service slices names apart.
#ifndef ENAMND_MEETINGS_DOMAIN_NAMES_H_
#define ENAMND_MEETINGS_DOMAIN_NAMES_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::meetings {

// municipalities/{code}, the SCB code of four digits.
struct MunicipalityName {
  std::string code;
  static absl::StatusOr<MunicipalityName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// bodies/{body_id}
struct BodyName {
  std::string body_id;
  static absl::StatusOr<BodyName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// bodies/{body_id}/paragraph-series/{year}
struct ParagraphSeriesName {
  BodyName body;
  int year = 0;
  static absl::StatusOr<ParagraphSeriesName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// bodies/{body_id}/meetings/{meeting_id}
struct MeetingName {
  BodyName body;
  std::string meeting_id;
  static absl::StatusOr<MeetingName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// {meeting}/paragraphs/{number}
struct ParagraphName {
  MeetingName meeting;
  int number = 0;
  static absl::StatusOr<ParagraphName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// cases/{year}-{sequence}
struct CaseName {
  int year = 0;
  int64_t sequence = 0;
  static absl::StatusOr<CaseName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// {meeting}/adjustments/{n}: the meeting's n-th justering.
struct AdjustmentName {
  MeetingName meeting;
  int number = 0;
  static absl::StatusOr<AdjustmentName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// {paragraph}/extracts/{n}
struct ExtractName {
  ParagraphName paragraph;
  int number = 0;
  static absl::StatusOr<ExtractName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// {paragraph}/corrections/{n}
struct CorrectionName {
  ParagraphName paragraph;
  int number = 0;
  static absl::StatusOr<CorrectionName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// {paragraph}/appeals/{n}
struct AppealName {
  ParagraphName paragraph;
  int number = 0;
  static absl::StatusOr<AppealName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_NAMES_H_
