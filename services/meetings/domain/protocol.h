// The protocol as a document (pure): canonical text and HTML of a meeting's
// protocol, of immediately adjusted paragraphs and of certified extracts, and
// the statutory dates of notice and appeal. Same records, same bytes.
#ifndef ENAMND_MEETINGS_DOMAIN_PROTOCOL_H_
#define ENAMND_MEETINGS_DOMAIN_PROTOCOL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "enamnd/meetings/v1/meetings.pb.h"

namespace enamnd::meetings {

// Last day to post the notice of justering: the second day after it.
absl::CivilDay NoticeDeadline(absl::CivilDay adjusted);
// Last day to lodge an appeal: three weeks after the last posting.
absl::CivilDay AppealDeadline(absl::CivilDay last_posting);
// Legal force from the day after the appeal deadline.
absl::CivilDay LegalForceDate(absl::CivilDay appeal_deadline);

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
  absl::CivilDay adjusted_date;
};

struct RenderedDocument {
  std::string text;  // UTF-8, "\n" line ends, ends with a newline
  std::string html;
};

RenderedDocument RenderDocument(const ProtocolInput& input);

// "§ 8–16", "§ 8, 10, 12–14".
std::string FormatParagraphRange(std::vector<int> numbers);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_PROTOCOL_H_
