// The finance service's resource names as types (after leveldb's
// db/filename.h): each has Parse (INVALID_ARGUMENT naming `field` and the
// expected shape) and ToString. Nothing else in services/finance takes
// names apart.
#ifndef ENAMND_FINANCE_DOMAIN_NAMES_H_
#define ENAMND_FINANCE_DOMAIN_NAMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace enamnd::finance {

// The years the service takes: budgets, prices and usage.
inline constexpr int kMinYear = 2000;
inline constexpr int kMaxYear = 2100;

// budgets/{year}, e.g. budgets/2023.
struct BudgetName {
  int year = 0;

  static absl::StatusOr<BudgetName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// budgets/{year}/lines/{id}: how other services name a line (projects'
// budget_line, as //finance/budgets/2022/lines/dcbd).
struct BudgetLineName {
  BudgetName budget;
  std::string line;

  static absl::StatusOr<BudgetLineName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// A case subject naming a budget across services: //finance/budgets/{year}.
struct BudgetReference {
  BudgetName budget;

  static absl::StatusOr<BudgetReference> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// budgets/{year}/outcomes/{month}, month 1-12.
struct OutcomeName {
  BudgetName budget;
  int month = 0;

  static absl::StatusOr<OutcomeName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// budgets/{year}/forecasts/{month}: the forecast made after that month.
struct ForecastName {
  BudgetName budget;
  int month = 0;

  static absl::StatusOr<ForecastName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// index-series/{id}, e.g. index-series/aki.
struct IndexSeriesName {
  std::string id;

  static absl::StatusOr<IndexSeriesName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// population-figures/{YYYY-MM-DD}, the reference date.
struct PopulationFiguresName {
  absl::CivilDay reference_date;

  static absl::StatusOr<PopulationFiguresName> Parse(absl::string_view text,
                                                     absl::string_view field);
  std::string ToString() const;
};

// price-lists/{year}.
struct PriceListName {
  int year = 0;

  static absl::StatusOr<PriceListName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// invoice-bases/{year}.
struct InvoiceBasisName {
  int year = 0;

  static absl::StatusOr<InvoiceBasisName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// initiatives/{id}: the projects service's name, as budget lines and the
// participation model refer to it.
struct InitiativeName {
  std::string id;

  static absl::StatusOr<InitiativeName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// plans/{year}: the operational plan of a year.
struct PlanName {
  int year = 0;
  static absl::StatusOr<PlanName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// plans/{year}/follow-ups/{month}, month 1-12: the follow-up through that
// month (5: the interim report of January-May; 12: the annual report).
struct PlanFollowUpName {
  PlanName plan;
  int month = 0;
  static absl::StatusOr<PlanFollowUpName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// A year as the API takes it: kMinYear-kMaxYear, else INVALID_ARGUMENT
// naming `field`.
absl::Status ValidateYear(int year, absl::string_view field);

}  // namespace enamnd::finance

#endif  // ENAMND_FINANCE_DOMAIN_NAMES_H_
