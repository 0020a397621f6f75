// Minimal leveled logging to stderr (Debian's Abseil has no absl/log).
#ifndef ENAMND_PLATFORM_LOG_H_
#define ENAMND_PLATFORM_LOG_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace enamnd::platform {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning"/"warn", "error" (case-insensitive).
absl::Status SetLogLevel(absl::string_view level);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Writes one line: time, level, component, message. Thread-safe.
void LogLine(LogLevel level, absl::string_view component, absl::string_view message);

template <typename... Args>
void LogInfo(absl::string_view component, const Args&... args) {
  if (LogEnabled(LogLevel::kInfo)) LogLine(LogLevel::kInfo, component, absl::StrCat(args...));
}
template <typename... Args>
void LogWarning(absl::string_view component, const Args&... args) {
  if (LogEnabled(LogLevel::kWarning)) LogLine(LogLevel::kWarning, component, absl::StrCat(args...));
}
template <typename... Args>
void LogError(absl::string_view component, const Args&... args) {
  if (LogEnabled(LogLevel::kError)) LogLine(LogLevel::kError, component, absl::StrCat(args...));
}
template <typename... Args>
void LogDebug(absl::string_view component, const Args&... args) {
  if (LogEnabled(LogLevel::kDebug)) LogLine(LogLevel::kDebug, component, absl::StrCat(args...));
}

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_LOG_H_
