#include "services/platform/log.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace enamnd::platform {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
absl::Mutex g_write_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

}  // namespace

absl::Status SetLogLevel(absl::string_view level) {
  std::string lower = absl::AsciiStrToLower(level);
  if (lower == "debug") {
    SetLogLevel(LogLevel::kDebug);
  } else if (lower == "info" || lower.empty()) {
    SetLogLevel(LogLevel::kInfo);
  } else if (lower == "warning" || lower == "warn") {
    SetLogLevel(LogLevel::kWarning);
  } else if (lower == "error") {
    SetLogLevel(LogLevel::kError);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("log level: must be debug, info, warning or error, got \"", level, "\""));
  }
  return absl::OkStatus();
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(); }

void LogLine(LogLevel level, absl::string_view component, absl::string_view message) {
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                   LevelName(level), " ", component, ": ", message, "\n");
  absl::MutexLock lock(&g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace enamnd::platform
