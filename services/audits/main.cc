// enamnd-audits: reviews, recommendations, internal control, reporting wheel.
#include "services/audits/api/service.h"
#include "services/platform/server.h"

int main(int argc, char** argv) {
  return enamnd::platform::RunServiceMain(argc, argv, "audits", enamnd::audits::NewAuditsService());
}
