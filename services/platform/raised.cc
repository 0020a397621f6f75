#include "services/platform/raised.h"

#include "services/platform/status.h"

namespace enamnd::platform {

MigrationSet RaisedMigrations() {
  return MigrationSet{"raised",
                      {
                          // 1: the table. IF NOT EXISTS: the audits service had it in its
                          // own first migration before it moved here.
                          "CREATE TABLE IF NOT EXISTS raised ("
                          "  kind TEXT NOT NULL, name TEXT NOT NULL, detail TEXT NOT NULL,"
                          "  raised_at TEXT NOT NULL, PRIMARY KEY (kind, name, detail));",
                      }};
}

absl::StatusOr<bool> IsRaised(Transaction& tx, const std::string& kind, const std::string& name,
                              const std::string& detail) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT 1 FROM raised WHERE kind = ?1 AND name = ?2 AND detail = ?3",
                  {kind, name, detail}));
  return row.has_value();
}

absl::StatusOr<bool> MarkRaised(Transaction& tx, const std::string& kind, const std::string& name,
                                const std::string& detail) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT OR IGNORE INTO raised (kind, name, detail, raised_at)"
              " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
              {kind, name, detail}));
  return tx.Changes() > 0;
}

}  // namespace enamnd::platform
