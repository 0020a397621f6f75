// The rules of procurements and agreements (DOMAIN.md section 5; issue 11):
// organisation numbers, the standstill after an award notice, the way a
// procurement moves, the four-year rule of framework agreements, when an
// agreement expires and when it must be given notice, and when it is to be
// followed up. Pure functions: no clock (`today` is passed in), no storage.
#ifndef ENAMND_CONTRACTS_DOMAIN_RULES_H_
#define ENAMND_CONTRACTS_DOMAIN_RULES_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "enamnd/contracts/v1/contracts.pb.h"

namespace enamnd::contracts {

using ProcurementState = v1::Procurement::State;

// A Swedish organisation number, NNNNNN-NNNN, whose tenth digit is the Luhn
// check digit of the first nine (e.g. 556016-0680). INVALID_ARGUMENT naming
// `field` and what is wrong.
absl::Status ValidateOrganisationNumber(absl::string_view text, absl::string_view field);

// `day` plus `months` calendar months; a day past the end of the target
// month becomes its last day (31 January + 1 month = 28 or 29 February).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

// The last day of the standstill (avtalsspärr): 10 days after an award
// notice sent electronically, 15 days after one sent by other means,
// moved to the next weekday when it falls on a weekend, a public holiday
// or a holiday eve (platform::StatutoryDeadline).
absl::CivilDay StandstillEnd(absl::CivilDay notice_sent, v1::NoticeMeans means);

// Whether TransitionProcurement may move a procurement from `from` to
// `to`: planned -> advertised -> evaluation, standstill -> concluded, and
// cancelled from any state but concluded, cancelled and under review.
// Award, standstill and review have their own methods. FAILED_PRECONDITION
// naming the states TransitionProcurement may reach from `from`.
absl::Status CheckProcurementTransition(ProcurementState from, ProcurementState to);

// A procurement in standstill may be concluded once its last day has
// passed (FAILED_PRECONDITION naming that day otherwise).
absl::Status CheckStandstillOver(const v1::Procurement& procurement, absl::CivilDay today);

// A request for review is recorded only during the standstill: the
// procurement must be in STATE_STANDSTILL and the request filed on or
// before its last day.
absl::Status CheckReviewRequest(const v1::Procurement& procurement, absl::CivilDay filed);

// Where a procurement returns when its review is decided.
ProcurementState StateAfterReview(v1::ReviewOutcome outcome);

// The end of the term with every extension option used (`end` is the end of
// the current term, the options already used included).
absl::CivilDay LongestEnd(const v1::Terms& terms);

// The four-year rule: a framework agreement whose longest possible term
// (start to LongestEnd) exceeds four years needs a special reason;
// INVALID_ARGUMENT naming agreement.special_reason otherwise.
absl::Status CheckFourYearRule(const v1::Terms& terms, absl::string_view special_reason);

// When an agreement can no longer go on: the end with the extensions not
// used yet, and the last day to give notice before it (notice_months
// earlier).
struct Expiry {
  absl::CivilDay final_end;
  absl::CivilDay last_notice_day;
  int unused_extensions = 0;
};
Expiry ExpiryOf(const v1::Terms& terms);

// The horizon (months before last_notice_day) an expiry watch raises on
// `today`, the nearest one reached of `horizons` (e.g. 12, 6, 3); nullopt
// before the widest one and after last_notice_day. An agreement that
// enters the watch late raises the nearest horizon only: the wider ones
// are reported as passed so that they are never raised later.
struct HorizonReached {
  int horizon_months;
  std::vector<int> passed;  // wider horizons reached too, not to be raised
};
std::optional<HorizonReached> ExpiryHorizonOn(const Expiry& expiry,
                                              const std::vector<int>& horizons,
                                              absl::CivilDay today);

// The expiry watch's horizons from configuration text, e.g. "12,6,3":
// whole months from 1 to 120, each once. INVALID_ARGUMENT naming `setting`.
absl::StatusOr<std::vector<int>> ParseHorizons(absl::string_view text, absl::string_view setting);

// The day the next follow-up is due: every_months after the latest
// follow-up, or after the start without one; nullopt without a routine.
std::optional<absl::CivilDay> NextFollowUp(const v1::Agreement& agreement);

// Whether the agreement runs on `day` (start to its current end).
bool InForce(const v1::Terms& terms, absl::CivilDay day);

// The content of an agreement as a client sends it: title, supplier,
// terms (end not before start, extensions of at least a month, notice
// period, call-off method when set, value not negative), entitled
// municipalities (well-formed, no repeats), the four-year rule, routine.
// Whether they are members is the store's check.
absl::Status ValidateAgreement(const v1::Agreement& agreement);

// An update keeps what happened: every municipality that joined stays
// entitled and within the term; options used stay (same length, same place)
// and, once one is used, only ExtendAgreement moves the end.
// INVALID_ARGUMENT naming the field.
absl::Status CheckUpdateKeepsHistory(const v1::Agreement& before, const v1::Agreement& after);

// The fields UpdateAgreement may change.
const std::set<std::string>& UpdatableAgreementFields();

// A municipality joining on `day`: entitled to call off, within the
// term, not joined already. INVALID_ARGUMENT / FAILED_PRECONDITION
// naming the field.
absl::Status CheckJoin(const v1::Agreement& agreement, const std::string& municipality,
                       absl::CivilDay day);

// The filter of ListAgreements: `municipality = "municipalities/2582"`,
// `date = 2022-06-22` (with municipality: entitled and in force that day),
// `in_force = 2022-06-22`, `expiring_within_months = 6`.
struct AgreementFilter {
  std::optional<std::string> municipality;
  std::optional<absl::CivilDay> date;
  std::optional<absl::CivilDay> in_force;
  std::optional<int> expiring_within_months;
};
absl::StatusOr<AgreementFilter> ParseAgreementFilter(absl::string_view filter);

}  // namespace enamnd::contracts

#endif  // ENAMND_CONTRACTS_DOMAIN_RULES_H_
