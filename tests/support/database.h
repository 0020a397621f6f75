// A real SQLite database for a store test: opened and migrated in a temp
// dir, or the test fails at once.
#ifndef ENAMND_TESTS_SUPPORT_DATABASE_H_
#define ENAMND_TESTS_SUPPORT_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/platform/database.h"
#include "services/platform/list_query.h"

namespace enamnd::testing {

// Opens `path` with `migrations`; a failure is a test failure and null.
inline std::unique_ptr<platform::Database> OpenDatabase(
    const std::string& path, const std::vector<platform::MigrationSet>& migrations) {
  auto db = platform::Database::Open(path, migrations);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  return *std::move(db);
}

// Rows of `from` ("outbox", or "outbox WHERE type LIKE 'x.%'") in `db`.
inline int64_t CountRows(platform::Database* db, const std::string& from) {
  auto tx = db->BeginRead();
  EXPECT_TRUE(tx.ok()) << tx.status();
  if (!tx.ok()) return -1;
  auto row = tx->QueryOne("SELECT COUNT(*) FROM " + from);
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? (*row)->Int(0) : -1;
}

// Events of `type` (the full name, "enamnd.projects.v1.InitiativeCreated")
// in the outbox of `db`.
inline int64_t OutboxEvents(platform::Database* db, const std::string& type) {
  auto tx = db->BeginRead();
  EXPECT_TRUE(tx.ok()) << tx.status();
  if (!tx.ok()) return -1;
  auto row = tx->QueryOne("SELECT COUNT(*) FROM outbox WHERE type = ?1", {type});
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() ? (*row)->Int(0) : -1;
}

// The plans of `query`'s first and later page use indexes (filtered: seek
// them) and name `index`; with `seeks_after_key`, the later page also
// starts at the token's key.
inline void ExpectPlanIndexed(platform::Database* db, const platform::ListQuery& query,
                              bool filtered, const std::string& index,
                              bool seeks_after_key = false) {
  auto tx = db->BeginRead();
  ASSERT_TRUE(tx.ok());
  for (bool later : {false, true}) {
    auto plan = query.Explain(*tx, later);
    ASSERT_TRUE(plan.ok()) << plan.status();
    std::string text = absl::StrJoin(*plan, " | ");
    EXPECT_TRUE(platform::PlanUsesIndexes(*plan, filtered)) << query.Sql(later) << "\n" << text;
    EXPECT_NE(text.find(index), std::string::npos) << text;
    if (later && seeks_after_key) {
      EXPECT_TRUE(platform::PlanSeeksAfterKey(*plan)) << query.Sql(later) << "\n" << text;
    }
  }
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_DATABASE_H_
