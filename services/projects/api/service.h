// The projects service plugged into the platform runtime.
#ifndef ENAMND_PROJECTS_API_SERVICE_H_
#define ENAMND_PROJECTS_API_SERVICE_H_

#include <memory>

#include "services/platform/server.h"

namespace enamnd::projects {

std::unique_ptr<platform::Service> NewProjectsService();

}  // namespace enamnd::projects

#endif  // ENAMND_PROJECTS_API_SERVICE_H_
