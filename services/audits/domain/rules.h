// Pure rules of the audits domain that concern time and order: what is
// overdue or missed on a given day, how a reporting wheel moves to the next
// year, and the natural order of ids; plus small checks the other rules
// share. No clock is read: `today` is passed in.
#ifndef ENAMND_AUDITS_DOMAIN_RULES_H_
#define ENAMND_AUDITS_DOMAIN_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/audits/v1/audits.pb.h"
#include "enamnd/common/v1/common.pb.h"

namespace enamnd::audits {

// The same day one year later; 29 February becomes 28 February.
absl::CivilDay OneYearLater(absl::CivilDay day);

// Open or in progress, with a due date before `today`.
bool RecommendationOverdue(const v1::Recommendation& r, absl::CivilDay today);

// Open or in progress with a due date: may become overdue.
bool RecommendationTracksDue(const v1::Recommendation& r);

// Not reported and due before `today`.
bool MomentOverdue(const v1::ReportingMoment& m, absl::CivilDay today);

// The moment's due date has passed (before `today`) and the point has no
// follow-up dated on or before it.
bool ControlPointMissed(const v1::ControlPoint& point, const v1::ReportingMoment& moment,
                        absl::CivilDay today);

// A text whose byte order is the natural order of `id` (digit runs compared
// as numbers, so p2 sorts before p10). Equal keys are possible ("p02",
// "p2"): sort on (key, id).
std::string NaturalSortKey(absl::string_view id);

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_DOMAIN_RULES_H_
