// Budget lines and line amounts for the finance tests.
#ifndef ENAMND_TESTS_FINANCE_BUDGET_BUILDERS_H_
#define ENAMND_TESTS_FINANCE_BUDGET_BUILDERS_H_

#include <cstdint>
#include <string>

#include "enamnd/finance/v1/finance.pb.h"

namespace enamnd::finance {

// A line "Rad {id}" shared equally by every member.
inline v1::BudgetLine EqualLine(const std::string& id, int64_t income_ore, int64_t cost_ore) {
  v1::BudgetLine line;
  line.set_id(id);
  line.set_title("Rad " + id);
  line.mutable_income()->set_ore(income_ore);
  line.mutable_cost()->set_ore(cost_ore);
  line.mutable_allocation()->mutable_equal();
  return line;
}

// Adds a line's income and cost to an outcome or a forecast.
template <typename List>
void AddAmounts(List* lines, const std::string& line, int64_t income_ore, int64_t cost_ore) {
  v1::LineAmounts* a = lines->Add();
  a->set_line(line);
  a->mutable_income()->set_ore(income_ore);
  a->mutable_cost()->set_ore(cost_ore);
}

}  // namespace enamnd::finance

#endif  // ENAMND_TESTS_FINANCE_BUDGET_BUILDERS_H_
