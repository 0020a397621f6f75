// Time-driven events raised once: a deadline job (overdue, expiring,
// missed) marks what it raised in the same transaction as the event, so a
// restart, a second replica's run or a rerun after downtime never raises it
// twice. Add RaisedMigrations() to the service's migrations.
#ifndef ENAMND_PLATFORM_RAISED_H_
#define ENAMND_PLATFORM_RAISED_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/platform/database.h"

namespace enamnd::platform {

MigrationSet RaisedMigrations();

// Whether (kind, name, detail) was raised, e.g. ("AgreementExpiring",
// "agreements/x", "6|2024-06-30").
absl::StatusOr<bool> IsRaised(Transaction& tx, const std::string& kind, const std::string& name,
                              const std::string& detail);
// Marks it raised; false when it was raised already (raise nothing then).
absl::StatusOr<bool> MarkRaised(Transaction& tx, const std::string& kind, const std::string& name,
                                const std::string& detail);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_RAISED_H_
