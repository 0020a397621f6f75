// enamnd-finance: budgets, allocation per municipality, outcome and
// forecast, metered transactions and the invoice basis.
#include "services/finance/api/service.h"
#include "services/platform/server.h"

int main(int argc, char** argv) {
  return enamnd::platform::RunServiceMain(argc, argv, "finance",
                                          enamnd::finance::NewFinanceService());
}
