#include "services/meetings/domain/secrecy.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::meetings {
namespace {

using enamnd::common::v1::Secrecy;

// "7", "7 a", "123 b": 1-999 without a leading zero, then optionally a
// space and one lowercase ASCII letter.
bool IsSection(absl::string_view s) {
  std::vector<absl::string_view> parts = absl::StrSplit(s, ' ');
  absl::string_view number = parts[0];
  if (parts.size() > 2 || number.empty() || number.size() > 3 || number[0] == '0' ||
      !std::all_of(number.begin(), number.end(), absl::ascii_isdigit)) {
    return false;
  }
  if (parts.size() == 1) return true;
  absl::string_view letter = parts[1];
  return letter.size() == 1 && letter[0] >= 'a' && letter[0] <= 'z';
}

bool SameSecrecy(const v1::Paragraph& a, const v1::Paragraph& b) {
  return a.has_secrecy() == b.has_secrecy() &&
         a.secrecy().SerializeAsString() == b.secrecy().SerializeAsString();
}

}  // namespace

absl::Status ValidateSecrecy(const Secrecy& s, absl::string_view field) {
  if (s.chapter() < 1 || s.chapter() > kOslChapters) {
    return platform::InvalidField(absl::StrCat(field, ".chapter"),
                                  absl::StrCat("an OSL chapter, 1-", kOslChapters));
  }
  if (!IsSection(s.section())) {
    return platform::InvalidField(
        absl::StrCat(field, ".section"),
        "a section number such as \"7\" or \"7 a\" (digits, then optionally a space and one "
        "lowercase letter)");
  }
  return platform::ValidateText(s.public_title(), absl::StrCat(field, ".public_title"),
                                platform::kMaxTitleLength, false);
}

std::string LegalGround(const Secrecy& s) {
  return absl::StrCat("OSL ", s.chapter(), " kap. ", s.section(), " §");
}

std::string SecrecyMarking(const Secrecy& s) {
  return absl::StrCat("Sekretess enligt ", LegalGround(s));
}

std::string PublicTitle(const Secrecy& s) {
  return s.public_title().empty() ? std::string(kDefaultPublicTitle) : s.public_title();
}

v1::Correction RedactedCorrection(const Secrecy& s, const v1::Correction& c) {
  v1::Correction out = c;
  out.set_corrected_text(SecrecyMarking(s));
  out.clear_reason();
  return out;
}

v1::Appeal RedactedAppeal(const v1::Appeal& a) {
  v1::Appeal out = a;
  out.clear_appellant();
  out.clear_note();
  return out;
}

v1::Paragraph Redacted(const v1::Paragraph& p) {
  if (!IsSecret(p)) return p;
  v1::Paragraph out = p;
  const Secrecy& s = p.secrecy();
  out.set_title(PublicTitle(s));
  out.mutable_decision()->set_text(SecrecyMarking(s));
  out.clear_summary();
  out.clear_description();
  out.clear_meeting_notes();
  out.clear_procedure();
  out.clear_documents();
  for (v1::Reservation& r : *out.mutable_reservations()) r.clear_text();
  for (v1::ConflictOfInterest& c : *out.mutable_conflicts_of_interest()) c.clear_note();
  out.clear_recipients();
  for (const v1::Recipient& r : p.recipients()) {
    if (r.target_case() == v1::Recipient::kMunicipality) *out.add_recipients() = r;
  }
  for (v1::Correction& c : *out.mutable_corrections()) c = RedactedCorrection(s, c);
  for (v1::Appeal& a : *out.mutable_appeals()) a = RedactedAppeal(a);
  out.set_redacted(true);
  return out;
}

void RedactFor(bool sees_confidential, v1::Paragraph* p) {
  if (!sees_confidential && IsSecret(*p)) *p = Redacted(*p);
}

absl::Status CheckSecrecyChange(const v1::Paragraph& before, const v1::Paragraph& after,
                                bool sees_confidential) {
  if (!IsSecret(before) || sees_confidential || SameSecrecy(before, after)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "paragraph.secrecy: ", before.name(), " is under secrecy (", LegalGround(before.secrecy()),
      "); changing or removing its marking needs the role confidential"));
}

}  // namespace enamnd::meetings
