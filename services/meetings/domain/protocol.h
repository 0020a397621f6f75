// The protocol as a document (pure): the blocks, canonical text and HTML of a
// meeting's protocol, of immediately adjusted paragraphs and of certified
// extracts; the PDF around them (page frame, anslag/bevis); the statutory
// dates of justering, notice and appeal. Same records, same bytes.
#ifndef ENAMND_MEETINGS_DOMAIN_PROTOCOL_H_
#define ENAMND_MEETINGS_DOMAIN_PROTOCOL_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "services/platform/document.h"
#include "services/platform/pdf.h"

namespace enamnd::meetings {

// Last day to post the notice of justering: the second day after it.
absl::CivilDay NoticeDeadline(absl::CivilDay adjusted);
// Last day to lodge an appeal: three weeks after the last posting.
absl::CivilDay AppealDeadline(absl::CivilDay last_posting);
// Legal force from the day after the appeal deadline.
absl::CivilDay LegalForceDate(absl::CivilDay appeal_deadline);

// The protocol is to be adjusted within 14 days of the meeting
// (kommunallagen 6 kap. 35 §, 5 kap. 69 §); a last day on a Sunday or
// holiday moves to the next weekday (lagen om beräkning av lagstadgad tid).
inline constexpr int kJusteringWithinDays = 14;
// Whether a justering on `adjusted` is later than that.
bool IsLateJustering(absl::CivilDay meeting, absl::CivilDay adjusted);
// A late justering needs its reason (`late_reason`, named in the error); one
// in time must not give one. A late justering is recorded, not refused.
absl::Status CheckJusteringReason(absl::CivilDay meeting, absl::CivilDay adjusted,
                                  absl::string_view late_reason);

enum class DocumentKind { kProtocol, kImmediate, kExtract };

struct ProtocolInput {
  DocumentKind kind = DocumentKind::kProtocol;
  v1::Body body;
  v1::Meeting meeting;
  // municipalities/{code} -> display name.
  std::map<std::string, std::string> municipality_names;
  // In number order.
  std::vector<v1::Paragraph> paragraphs;
  // Who adjusts (or adjusted); empty before justering.
  v1::Person chair;
  std::vector<v1::Person> adjusters;
  // Extracts only: the certification.
  v1::Person certified_by;
  absl::CivilDay certified_date;
  std::string adjustment_name;
  std::string protocol_sha256;
  // Protocols only: the SHA-256 of the body's previous adjusted protocol,
  // written into the text so that each link's hash covers the one before.
  std::string previous_sha256;
  // The day of justering: done (adjusted or extracted documents) or, for a
  // draft, planned (attendance.adjustment_date; unset if none).
  absl::CivilDay adjusted_date;
  bool has_adjusted_date = false;
  // Where it is (or is to be) adjusted.
  std::string adjustment_place;
  // A justering later than kJusteringWithinDays, and why.
  bool late = false;
  std::string late_reason;
};

// Where a justering takes place: as given, else as the attendance planned
// it, else where the meeting was held.
std::string JusteringPlace(absl::string_view given, const v1::Meeting& meeting);

struct RenderedDocument {
  std::vector<platform::Block> blocks;
  std::string text;  // UTF-8, "\n" line ends, ends with a newline
  std::string html;
};

RenderedDocument RenderDocument(const ProtocolInput& input);
// What the PDF of a protocol, an immediate adjustment or an extract shows
// around its blocks.
struct PdfContext {
  DocumentKind kind = DocumentKind::kProtocol;
  v1::Body body;
  v1::Meeting meeting;
  // municipalities/{code} -> display name.
  std::map<std::string, std::string> municipality_names;
  // The justering, with the notices recorded so far; unset for a draft.
  std::optional<v1::Adjustment> adjustment;
  // Extracts: the extract's own hash and certification day.
  std::string extract_sha256;
  absl::CivilDay certified_date;
};

// The context of `in`'s document, before its justering is known.
PdfContext PdfContextOf(const ProtocolInput& in);

// The complete PDF document: `blocks` as adjusted (or drafted), then, for a
// protocol or an immediate adjustment, the notice of justering (anslag/bevis)
// as recorded so far; every page headed by the keeping municipality and
// footed with the signature boxes, "Sida x av y" and the adjusted hash.
platform::PdfDocument ProtocolPdf(std::vector<platform::Block> blocks, const PdfContext& context);

// Anslag/bevis: per member municipality the day its notice went up, the day
// it may come down (after the appeal period) and the last day to appeal;
// and where the protocol is kept.
std::vector<platform::Block> NoticeBlocks(const PdfContext& context);

// A file name for the PDF, e.g. "protokoll-e-namnden-2022-06-22.pdf".
std::string PdfFileName(const PdfContext& context, absl::string_view paragraph_suffix = "");

// "§ 8–16", "§ 8, 10, 12–14".
std::string FormatParagraphRange(std::vector<int> numbers);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_PROTOCOL_H_
