// Secrecy (sekretess) of paragraphs, as pure rules: the marking and its
// legal ground under offentlighets- och sekretesslagen (2009:400), OSL, and
// the redaction a reader without the `confidential` role gets. Which fields
// are hidden and which stay is documented on Paragraph.redacted
// (meetings.proto) and in docs/security.md, "Secrecy".
#ifndef ENAMND_MEETINGS_DOMAIN_SECRECY_H_
#define ENAMND_MEETINGS_DOMAIN_SECRECY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "enamnd/common/v1/common.pb.h"
#include "enamnd/meetings/v1/meetings.pb.h"

namespace enamnd::meetings {

// OSL has 44 chapters.
inline constexpr int kOslChapters = 44;
// The heading shown for a paragraph under secrecy without a public title.
inline constexpr char kDefaultPublicTitle[] = "Ärende som omfattas av sekretess";

// Chapter 1-44; section digits (1-999, no leading zero), optionally a space
// and one lowercase letter ("7", "7 a"); public_title a short text.
// INVALID_ARGUMENT naming `field`.chapter, .section or .public_title.
absl::Status ValidateSecrecy(const enamnd::common::v1::Secrecy& s, absl::string_view field);

// "OSL 21 kap. 7 §".
std::string LegalGround(const enamnd::common::v1::Secrecy& s);
// "Sekretess enligt OSL 21 kap. 7 §": what stands in place of secret text.
std::string SecrecyMarking(const enamnd::common::v1::Secrecy& s);
// The public title, or kDefaultPublicTitle.
std::string PublicTitle(const enamnd::common::v1::Secrecy& s);

// Whether the paragraph is marked as subject to secrecy.
inline bool IsSecret(const v1::Paragraph& p) { return p.has_secrecy(); }

// The paragraph as a reader without the `confidential` role sees it: for a
// paragraph under secrecy, the secret text replaced by the marking and
// `redacted` set; any other paragraph unchanged.
v1::Paragraph Redacted(const v1::Paragraph& p);
// Redacts `p` in place unless the reader sees confidential text.
void RedactFor(bool sees_confidential, v1::Paragraph* p);
// A correction or appeal of a paragraph under secrecy `s`, redacted.
v1::Correction RedactedCorrection(const enamnd::common::v1::Secrecy& s, const v1::Correction& c);
v1::Appeal RedactedAppeal(const v1::Appeal& a);

// Changing or removing the marking of a paragraph under secrecy would show
// its text to whoever may then read it: only a caller with the
// `confidential` role may. PERMISSION_DENIED naming paragraph.secrecy.
absl::Status CheckSecrecyChange(const v1::Paragraph& before, const v1::Paragraph& after,
                                bool sees_confidential);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_SECRECY_H_
