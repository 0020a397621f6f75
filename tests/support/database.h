// A real SQLite database for a store test: opened and migrated in a temp
// dir, or the test fails at once.
#ifndef ENAMND_TESTS_SUPPORT_DATABASE_H_
#define ENAMND_TESTS_SUPPORT_DATABASE_H_

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/platform/database.h"

namespace enamnd::testing {

// Opens `path` with `migrations`; a failure is a test failure and null.
inline std::unique_ptr<platform::Database> OpenDatabase(
    const std::string& path, const std::vector<platform::MigrationSet>& migrations) {
  auto db = platform::Database::Open(path, migrations);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  return *std::move(db);
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_DATABASE_H_
