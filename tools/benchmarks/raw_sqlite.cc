#include "tools/benchmarks/raw_sqlite.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"

namespace enamnd::bench {

absl::StatusOr<std::unique_ptr<RawSqlite>> RawSqlite::Create(const std::string& parent) {
  std::string dir = parent;
  if (dir.empty()) dir = getenv("TMPDIR") != nullptr ? getenv("TMPDIR") : "/tmp";
  std::string folder = absl::StrCat(dir, "/enamnd-sqlite-baseline.XXXXXX");
  if (mkdtemp(folder.data()) == nullptr) return absl::InternalError("mkdtemp in " + dir);
  std::string path = folder + "/baseline.db";
  std::unique_ptr<RawSqlite> raw(new RawSqlite(std::move(folder), std::move(path)));
  if (sqlite3_open_v2(raw->path_.c_str(), &raw->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    return raw->Error("open");
  }
  // services/platform/database.cc
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL"}) {
    if (absl::Status s = raw->Exec(sql); !s.ok()) return s;
  }
  return raw;
}

RawSqlite::~RawSqlite() {
  sqlite3_close_v2(db_);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  rmdir(folder_.c_str());
}

absl::Status RawSqlite::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
  return absl::OkStatus();
}

absl::Status RawSqlite::Prepare(const char* sql, sqlite3_stmt** statement) {
  if (sqlite3_prepare_v2(db_, sql, -1, statement, nullptr) != SQLITE_OK) return Error(sql);
  return absl::OkStatus();
}

absl::Status RawSqlite::Error(absl::string_view what) const {
  return absl::InternalError(absl::StrCat(what, ": ", sqlite3_errmsg(db_)));
}

}  // namespace enamnd::bench
