// The finance service's tables (every step of its schema, in one place, so
// that the budget and the usage stores share one migration set).
#ifndef ENAMND_FINANCE_STORE_SCHEMA_H_
#define ENAMND_FINANCE_STORE_SCHEMA_H_

#include "services/platform/database.h"

namespace enamnd::finance {

platform::MigrationSet FinanceMigrations();

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_STORE_SCHEMA_H_
