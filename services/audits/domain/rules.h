// Pure rules of the audits domain: names, what is overdue or missed, and
// how a reporting wheel moves to the next year.
#ifndef ENAMND_AUDITS_DOMAIN_RULES_H_
#define ENAMND_AUDITS_DOMAIN_RULES_H_

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "enamnd/audits/v1/audits.pb.h"

namespace enamnd::audits {


// reviews/{year}-{code}
std::string ReviewName(int year, const std::string& municipality_code);

// The same day one year later; 29 February becomes 28 February.
absl::CivilDay OneYearLater(absl::CivilDay day);

// Open or in progress, with a due date before `today`.
bool RecommendationOverdue(const v1::Recommendation& r, absl::CivilDay today);

// Not reported and due before `today`.
bool MomentOverdue(const v1::ReportingMoment& m, absl::CivilDay today);

// The moment's due date has passed (before `today`) and the point has no
// follow-up dated on or before it.
bool ControlPointMissed(const v1::ControlPoint& point, const v1::ReportingMoment& moment,
                        absl::CivilDay today);

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_DOMAIN_RULES_H_
