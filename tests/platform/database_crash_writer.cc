// Child of database_crash_test: opens the database at argv[1] and commits
// one row per durable transaction from 8 threads until it is killed,
// writing each key to stdout (a pipe to the test) only after its Commit
// returned OK: every key printed is an acknowledged write.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/platform/database.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATABASE\n", argv[0]);
    return 2;
  }
  auto db = enamnd::platform::Database::Open(
      argv[1], {{"crash", {"CREATE TABLE acknowledged (key TEXT PRIMARY KEY);"}}});
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&db, t] {
      for (int i = 0;; ++i) {
        std::string key = absl::StrCat(t, "-", i);
        auto tx = (*db)->Begin();
        if (!tx.ok()) continue;
        if (!tx->Exec("INSERT INTO acknowledged (key) VALUES (?1)", {key}).ok()) continue;
        if (!tx->Commit(enamnd::platform::Durability::kDurable).ok()) continue;
        std::string line = key + "\n";
        // One write() of a short line to a pipe is atomic: lines never mix.
        if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
          _exit(1);
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  return 0;
}
