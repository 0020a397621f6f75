// The contracts service plugged into the platform runtime.
#ifndef ENAMND_CONTRACTS_API_SERVICE_H_
#define ENAMND_CONTRACTS_API_SERVICE_H_

#include <memory>

#include "services/platform/server.h"

namespace enamnd::contracts {

std::unique_ptr<platform::Service> NewContractsService();

}  // namespace enamnd::contracts

#endif  // ENAMND_CONTRACTS_API_SERVICE_H_
