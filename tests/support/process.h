// Child processes for tests: spawn with environment, signal, wait.
#ifndef ENAMND_TESTS_SUPPORT_PROCESS_H_
#define ENAMND_TESTS_SUPPORT_PROCESS_H_

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace enamnd::testing {

class ChildProcess {
 public:
  // Starts argv[0] with the given extra environment; stdout/stderr go to
  // `log_path` (appended) when not empty.
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
               std::string log_path = "");
  ~ChildProcess();  // SIGKILL and reap if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int signal);
  // Waits up to `timeout` for exit; returns the exit status or -1.
  int Wait(absl::Duration timeout);
  void Kill();  // SIGKILL and reap

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

// Polls `condition` every few milliseconds until it holds or `deadline`
// passes; returns whether it held.
bool PollUntil(const std::function<bool()>& condition, absl::Duration deadline);

// A fresh temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// Whether something accepts TCP connections on 127.0.0.1:port.
bool PortAccepts(int port);

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_PROCESS_H_
