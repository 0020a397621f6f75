#include "services/platform/database.h"

#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace enamnd::platform {
namespace {

MigrationSet TestMigrations(int steps) {
  MigrationSet set{"test", {}};
  set.steps.push_back("CREATE TABLE items (id INTEGER PRIMARY KEY, value TEXT UNIQUE);");
  if (steps > 1) set.steps.push_back("ALTER TABLE items ADD COLUMN extra TEXT;");
  return set;
}

TEST(DatabaseTest, AppliesEachMigrationOnce) {
  testing::TempDir dir;
  std::string path = dir.path() + "/t.db";
  {
    auto db = Database::Open(path, {TestMigrations(1)});
    ASSERT_TRUE(db.ok()) << db.status();
  }
  auto db = Database::Open(path, {TestMigrations(2)});
  ASSERT_TRUE(db.ok()) << db.status();
  auto tx = (*db)->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto rows =
      tx->Query("SELECT version FROM schema_migrations WHERE component = 'test' ORDER BY 1");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].Int(0), 2);
  auto mode = tx->QueryOne("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ((*mode)->Text(0), "wal");
}

TEST(DatabaseTest, RollsBackUncommittedAndRunsCommitCallbacks) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  ASSERT_TRUE(db.ok());
  bool called = false;
  {
    auto tx = (*db)->Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES (?1)", {std::string("lost")}).ok());
    tx->OnCommit([&] { called = true; });
  }  // destroyed without Commit
  EXPECT_FALSE(called);
  {
    auto tx = (*db)->Begin();
    ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES (?1)", {std::string("kept")}).ok());
    tx->OnCommit([&] { called = true; });
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_TRUE(called);
  auto tx = (*db)->BeginRead();
  auto rows = tx->Query("SELECT value FROM items");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "kept");
}

TEST(DatabaseTest, MapsUniqueViolationToAlreadyExists) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  auto tx = (*db)->Begin();
  ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES ('a')").ok());
  absl::Status status = tx->Exec("INSERT INTO items (value) VALUES ('a')");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
}

TEST(DatabaseTest, BindsParametersRatherThanInterpolating) {
  testing::TempDir dir;
  auto db = Database::Open(dir.path() + "/t.db", {TestMigrations(1)});
  auto tx = (*db)->Begin();
  std::string hostile = "x'); DROP TABLE items; --";
  ASSERT_TRUE(tx->Exec("INSERT INTO items (value) VALUES (?1)", {hostile}).ok());
  auto row = tx->QueryOne("SELECT value FROM items WHERE value = ?1", {hostile});
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->Text(0), hostile);
}

}  // namespace
}  // namespace enamnd::platform
