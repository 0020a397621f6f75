// enamnd-contracts: procurements, framework agreements, follow-up and expiry.
#include "services/contracts/api/service.h"
#include "services/platform/server.h"

int main(int argc, char** argv) {
  return enamnd::platform::RunServiceMain(argc, argv, "contracts",
                                          enamnd::contracts::NewContractsService());
}
