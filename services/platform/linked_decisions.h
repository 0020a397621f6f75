// The committee's decisions about a following service's resources, kept by
// that service from the meetings stream (meetings_feed.h): linked once per
// (subject, paragraph), updated when the decision changes before its
// protocol is adjusted, with the legal force the meetings service reports
// (set by DecisionFinal, cleared by an appeal). Add
// LinkedDecisionsMigrations() to the service's migrations.
#ifndef ENAMND_PLATFORM_LINKED_DECISIONS_H_
#define ENAMND_PLATFORM_LINKED_DECISIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "enamnd/common/v1/decision.pb.h"
#include "services/platform/database.h"
#include "services/platform/meetings_feed.h"

namespace enamnd::platform {

MigrationSet LinkedDecisionsMigrations();

// Links `decision` to `subject` (the service's own name of the resource,
// e.g. initiatives/hr-payroll; it need not exist yet). A re-sent or
// updated decision keeps the legal force it had. Returns the stored
// decision when it was linked now, nullopt when it was linked before (emit
// an event only for the first).
absl::StatusOr<std::optional<common::v1::CommitteeDecision>> LinkDecision(
    Transaction& tx, const std::string& subject, const SubjectDecision& decision);

// Records the legal force of the decision on `paragraph` about `subject`;
// false when no such decision is linked.
absl::StatusOr<bool> SetLegalForce(Transaction& tx, const std::string& subject,
                                   const std::string& paragraph, const common::v1::Date& day);

// An appeal against `paragraph`: every decision linked from it loses its
// legal force. Returns the subjects whose decision had legal force.
absl::StatusOr<std::vector<std::string>> RevokeLegalForce(Transaction& tx,
                                                          const std::string& paragraph);

// The decisions about `subject`, in meeting order.
absl::StatusOr<std::vector<common::v1::CommitteeDecision>> LinkedDecisions(
    Transaction& tx, const std::string& subject);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_LINKED_DECISIONS_H_
