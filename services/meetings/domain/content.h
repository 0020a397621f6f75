// Content rules of what a client writes: municipalities, bodies, meetings,
// cases, paragraphs, attendance, appeals, corrections and signers. Pure:
// whether a referenced municipality exists is the store's check
// (store::RequireMunicipalities over MunicipalitiesOf).
#ifndef ENAMND_MEETINGS_DOMAIN_CONTENT_H_
#define ENAMND_MEETINGS_DOMAIN_CONTENT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "enamnd/meetings/v1/meetings.pb.h"
#include "google/protobuf/repeated_field.h"

namespace enamnd::meetings {

absl::Status ValidatePerson(const v1::Person& person, absl::string_view field, bool required);
absl::Status ValidateMunicipality(const v1::Municipality& m);
// Display name, kind and seats (one per municipality, persons, terms).
absl::Status ValidateBody(const v1::Body& body);
absl::Status ValidateMeeting(const v1::Meeting& m);
absl::Status ValidateCase(const v1::Case& c);
// Everything of a paragraph the caller writes (not name/number/case).
absl::Status ValidateParagraphContent(const v1::Paragraph& p);
// The persons and list sizes of an attendance; CheckAttendance (rules.h)
// checks it against the body.
absl::Status ValidateAttendanceFields(const v1::Attendance& a);
absl::Status ValidateAppeal(const v1::Appeal& a);
absl::Status ValidateCorrection(const v1::Correction& c);
// The chair and adjusters of a justering: each a member present at the
// meeting or a substitute serving at it (`attendance` against `body`'s
// seats), at least one adjuster, nobody twice.
absl::Status ValidateSigners(const v1::Body& body, const v1::Attendance& attendance,
                             const v1::Person& chair,
                             const google::protobuf::RepeatedPtrField<v1::Person>& adjusters);

// The free texts of a justering: its place and the reason it is late.
absl::Status ValidateJusteringText(absl::string_view place, absl::string_view late_reason);

// A municipality a resource refers to, and the field that names it.
struct MunicipalityRef {
  std::string field;
  std::string name;  // municipalities/{code}, already parsed by Validate*
};
std::vector<MunicipalityRef> MunicipalitiesOf(const v1::Body& body);
std::vector<MunicipalityRef> MunicipalitiesOf(const v1::Paragraph& p);

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_DOMAIN_CONTENT_H_
