// The audits service plugged into the platform runtime.
#ifndef ENAMND_AUDITS_API_SERVICE_H_
#define ENAMND_AUDITS_API_SERVICE_H_

#include <memory>

#include "services/platform/server.h"

namespace enamnd::audits {

std::unique_ptr<platform::Service> NewAuditsService();

}  // namespace enamnd::audits

#endif  // ENAMND_AUDITS_API_SERVICE_H_
