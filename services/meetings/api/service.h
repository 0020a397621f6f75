// The meetings service plugged into the platform runtime.
#ifndef ENAMND_MEETINGS_API_SERVICE_H_
#define ENAMND_MEETINGS_API_SERVICE_H_

#include <memory>

#include "services/platform/server.h"

namespace enamnd::meetings {

std::unique_ptr<platform::Service> NewMeetingsService();

}  // namespace enamnd::meetings

#endif  // ENAMND_MEETINGS_API_SERVICE_H_
