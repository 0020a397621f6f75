#include "services/finance/store/schema.h"

namespace enamnd::finance {

platform::MigrationSet FinanceMigrations() {
  return platform::MigrationSet{
      "finance",
      {
          // 1: the initial schema. A resource is its serialized proto in
          // `data` beside the columns it is found by; `revision` is its etag.
          // Budgets: one row per year, and every revision as it stood.
          "CREATE TABLE budgets ("
          "  name TEXT PRIMARY KEY, year INTEGER NOT NULL UNIQUE, state INTEGER NOT NULL,"
          "  data BLOB NOT NULL, revision INTEGER NOT NULL);"
          "CREATE INDEX budgets_by_state ON budgets(state, year);"
          "CREATE TABLE budget_revisions ("
          "  budget TEXT NOT NULL, revision INTEGER NOT NULL, data BLOB NOT NULL,"
          "  PRIMARY KEY (budget, revision)) WITHOUT ROWID;"
          "CREATE TABLE index_series ("
          "  name TEXT PRIMARY KEY, data BLOB NOT NULL, revision INTEGER NOT NULL);"
          "CREATE TABLE population_figures ("
          "  name TEXT PRIMARY KEY, data BLOB NOT NULL);"
          // Outcome per month and forecasts, per budget.
          "CREATE TABLE outcomes ("
          "  budget TEXT NOT NULL, month INTEGER NOT NULL, data BLOB NOT NULL,"
          "  revision INTEGER NOT NULL, PRIMARY KEY (budget, month)) WITHOUT ROWID;"
          "CREATE TABLE forecasts ("
          "  budget TEXT NOT NULL, month INTEGER NOT NULL, data BLOB NOT NULL,"
          "  PRIMARY KEY (budget, month)) WITHOUT ROWID;"
          // Who takes part in which initiative, from the projects service's
          // ParticipationChanged events; left_day NULL while it takes part.
          "CREATE TABLE participations ("
          "  initiative TEXT NOT NULL, municipality TEXT NOT NULL, joined_day TEXT NOT NULL,"
          "  left_day TEXT, PRIMARY KEY (initiative, municipality, joined_day)) WITHOUT ROWID;"
          // Metered transactions: one row per transaction id (the dedup
          // key), and running counts per year, municipality and kind that
          // the ingest keeps in the same transaction, so that summaries
          // and the invoice basis never scan the records.
          "CREATE TABLE usage_records ("
          "  transaction_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, kind INTEGER NOT NULL,"
          "  time_micros INTEGER NOT NULL, year INTEGER NOT NULL, e_service TEXT NOT NULL)"
          "  WITHOUT ROWID;"
          "CREATE TABLE usage_counts ("
          "  year INTEGER NOT NULL, municipality TEXT NOT NULL, kind INTEGER NOT NULL,"
          "  count INTEGER NOT NULL, PRIMARY KEY (year, municipality, kind)) WITHOUT ROWID;"
          "CREATE TABLE price_lists ("
          "  year INTEGER PRIMARY KEY, data BLOB NOT NULL, revision INTEGER NOT NULL);"
          // Every issue of an invoice basis is kept.
          "CREATE TABLE invoice_bases ("
          "  year INTEGER NOT NULL, revision INTEGER NOT NULL, data BLOB NOT NULL,"
          "  PRIMARY KEY (year, revision)) WITHOUT ROWID;",
          // 2: the operational plan of a year and its follow-ups (issue 13).
          "CREATE TABLE plans ("
          "  year INTEGER PRIMARY KEY, state INTEGER NOT NULL, data BLOB NOT NULL,"
          "  revision INTEGER NOT NULL);"
          "CREATE TABLE plan_follow_ups ("
          "  year INTEGER NOT NULL REFERENCES plans(year), month INTEGER NOT NULL,"
          "  data BLOB NOT NULL, revision INTEGER NOT NULL,"
          "  PRIMARY KEY (year, month)) WITHOUT ROWID;",
      }};
}

}  // namespace enamnd::finance
