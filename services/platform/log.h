// Minimal leveled logging to stderr (Debian's Abseil has no absl/log), as
// text or as one JSON object per line (ENAMND_LOG_FORMAT). A line written
// while a call with a W3C traceparent is current (call_context.h) carries it.
#ifndef ENAMND_PLATFORM_LOG_H_
#define ENAMND_PLATFORM_LOG_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace enamnd::platform {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
enum class LogFormat { kText, kJson };

// Parses "debug", "info", "warning"/"warn", "error" (case-insensitive).
absl::Status SetLogLevel(absl::string_view level);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Parses "text" or "json" (case-insensitive; empty is text).
absl::Status SetLogFormat(absl::string_view format);
void SetLogFormat(LogFormat format);

// How much of a value taken from a request a line keeps (LogSafe), and of
// any whole message (LogLine cuts longer ones: a last line of defence).
inline constexpr size_t kLogValueMaxBytes = 256;
inline constexpr size_t kLogMessageMaxBytes = 4096;

// `value` made safe for one log line: cut to at most `max_bytes` on a UTF-8
// boundary, with a marker that gives its full length; control characters
// (newlines included), U+2028/U+2029 and bytes that are not UTF-8 escaped
// (\n, \t, \x01, \u2028). Use it on everything a request supplies.
std::string LogSafe(absl::string_view value, size_t max_bytes = kLogValueMaxBytes);

// A named value of a line: a JSON member, or " key=value" in text. Empty
// values are left out.
struct LogField {
  std::string key;
  std::string value;
  bool is_number = false;  // a JSON number rather than a string
  bool in_text = true;     // false: JSON only (the text message says it)
};

// Writes one line: time, level, component, message, `fields`, and the
// current call's traceparent unless `fields` has that key. Thread-safe.
void LogLine(LogLevel level, absl::string_view component, absl::string_view message,
             const std::vector<LogField>& fields = {});

// Sends lines (without their newline) to `sink` instead of stderr; an
// empty function restores stderr. For tests.
void SetLogSink(std::function<void(absl::string_view line)> sink);

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
