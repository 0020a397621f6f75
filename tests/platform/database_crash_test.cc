// A process doing concurrent durable commits is SIGKILLed: every commit it
// acknowledged (Commit returned OK) is in the database afterwards.
//
// SIGKILL ends the process but not the kernel, whose page cache keeps what
// was written and not yet flushed. So this shows that no acknowledged write
// depends on the process living on (nothing is held back in user space, and
// the group commit acknowledges nothing it has not flushed in order); it
// cannot show survival of a power loss, which rests on the fdatasync that
// DurableCommitReturnsOnlyAfterAFlushThatStartedAfterItsCommit checks.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/platform/database.h"
#include "tests/support/process.h"

extern char** environ;

namespace enamnd::platform {
namespace {

TEST(DatabaseCrashTest, AcknowledgedCommitsSurviveSigkillOfTheWriter) {
  testing::TempDir dir;
  std::string path = dir.path() + "/crash.db";
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::string program = DATABASE_CRASH_WRITER;
  char* argv[] = {program.data(), path.data(), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);

  // Reads acknowledged keys until `enough` or the pipe's end.
  std::string pending;
  std::set<std::string> acknowledged;
  auto read_keys = [&](size_t enough, absl::Time deadline) {
    char buffer[4096];
    while (acknowledged.size() < enough && absl::Now() < deadline) {
      ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
      if (n <= 0) return;
      pending.append(buffer, n);
      size_t newline;
      while ((newline = pending.find('\n')) != std::string::npos) {
        acknowledged.insert(pending.substr(0, newline));
        pending.erase(0, newline + 1);
      }
    }
  };
  read_keys(400, absl::Now() + absl::Seconds(60));
  ASSERT_GE(acknowledged.size(), 400u) << "the writer acknowledged too little before the deadline";
  kill(pid, SIGKILL);
  // What the writer printed before it died was acknowledged too.
  read_keys(SIZE_MAX, absl::Now() + absl::Seconds(10));
  close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  auto db = Database::Open(path, {});
  ASSERT_TRUE(db.ok()) << db.status();
  auto tx = (*db)->BeginRead();
  ASSERT_TRUE(tx.ok());
  auto check = tx->QueryOne("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  EXPECT_EQ((*check)->Text(0), "ok");
  auto rows = tx->Query("SELECT key FROM acknowledged");
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::set<std::string> stored;
  for (const Row& row : *rows) stored.insert(row.Text(0));
  size_t lost = 0;
  for (const std::string& key : acknowledged) {
    if (stored.count(key) == 0) ++lost;
  }
  EXPECT_EQ(lost, 0u) << "of " << acknowledged.size() << " acknowledged commits";
  EXPECT_GE(stored.size(), acknowledged.size());
}

}  // namespace
}  // namespace enamnd::platform
