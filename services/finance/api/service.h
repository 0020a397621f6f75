// The finance service plugged into the platform runtime.
#ifndef ENAMND_FINANCE_API_SERVICE_H_
#define ENAMND_FINANCE_API_SERVICE_H_

#include <memory>

#include "services/platform/server.h"

namespace enamnd::finance {

std::unique_ptr<platform::Service> NewFinanceService();

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_API_SERVICE_H_
