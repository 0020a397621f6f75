// Raw SQLite for the benchmarks' baselines: a connection with the durability
// pragmas of services/platform/database.cc, in a temporary directory that
// goes away with it, so that a baseline runs on the same file system as the
// service it is compared with.
#ifndef ENAMND_TOOLS_BENCHMARKS_RAW_SQLITE_H_
#define ENAMND_TOOLS_BENCHMARKS_RAW_SQLITE_H_

#include <sqlite3.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::bench {

class RawSqlite {
 public:
  // A new database in a new directory under `parent` (empty: $TMPDIR or
  // /tmp), with journal_mode=WAL, synchronous=FULL and foreign keys on.
  static absl::StatusOr<std::unique_ptr<RawSqlite>> Create(const std::string& parent);
  ~RawSqlite();  // closes and removes the database and its directory
  RawSqlite(const RawSqlite&) = delete;
  RawSqlite& operator=(const RawSqlite&) = delete;

  sqlite3* db() const { return db_; }
  absl::Status Exec(const char* sql);
  absl::Status Prepare(const char* sql, sqlite3_stmt** statement);
  // An InternalError with `what` and SQLite's last message.
  absl::Status Error(absl::string_view what) const;

 private:
  RawSqlite(std::string folder, std::string path) : folder_(folder), path_(path) {}

  std::string folder_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace enamnd::bench

#endif  // ENAMND_TOOLS_BENCHMARKS_RAW_SQLITE_H_
