// enamnd-projects: initiatives, their directives, status and the portfolio.
#include "services/platform/server.h"
#include "services/projects/api/service.h"

int main(int argc, char** argv) {
  return enamnd::platform::RunServiceMain(argc, argv, "projects",
                                          enamnd::projects::NewProjectsService());
}
