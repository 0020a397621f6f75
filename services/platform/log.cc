#include "services/platform/log.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/platform/call_context.h"

namespace enamnd::platform {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};
absl::Mutex g_write_mutex;
std::function<void(absl::string_view)>* g_sink ABSL_GUARDED_BY(g_write_mutex) = nullptr;

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

// The length of the well-formed UTF-8 sequence at text[at] (1 to 4) and
// its code point, or 0 when the byte there starts none.
size_t Utf8Sequence(absl::string_view text, size_t at, uint32_t* code_point) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(at);
  size_t length;
  uint32_t value;
  uint32_t min;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2, value = lead & 0x1f, min = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, value = lead & 0x0f, min = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, value = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
    value = (value << 6) | (byte(at + i) & 0x3f);
  }
  // Overlong forms, UTF-16 surrogates and values past Unicode are not UTF-8.
  if (value < min || (value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) return 0;
  *code_point = value;
  return length;
}

// What stands for the sequence in a line: itself, or an escape.
std::string SafePiece(absl::string_view text, size_t at, size_t* consumed) {
  uint32_t code_point = 0;
  size_t length = Utf8Sequence(text, at, &code_point);
  if (length == 0) {
    *consumed = 1;
    return absl::StrFormat("\\x%02x", static_cast<uint8_t>(text[at]));
  }
  *consumed = length;
  switch (code_point) {
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      break;
  }
  if (code_point < 0x20 || code_point == 0x7f) return absl::StrFormat("\\x%02x", code_point);
  // C1 controls and the Unicode line and paragraph separators: some
  // viewers break lines at them.
  if ((code_point >= 0x80 && code_point <= 0x9f) || code_point == 0x2028 || code_point == 0x2029) {
    return absl::StrFormat("\\u%04x", code_point);
  }
  return std::string(text.substr(at, length));
}

// A JSON string literal of `text` (valid UTF-8, as LogSafe makes it).
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<uint8_t>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<uint8_t>(c));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// A text field's value: bare when it has no space, quote or '=', else
// quoted, with '"' escaped (for people, not parsers: use JSON for those).
std::string TextValue(absl::string_view value) {
  if (!value.empty() && value.find_first_of(" \"=") == absl::string_view::npos) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string FormatLine(LogLevel level, absl::string_view component, absl::string_view message,
                       const std::vector<LogField>& fields) {
  std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::vector<LogField> all;
  all.reserve(fields.size() + 1);
  bool has_trace = false;
  for (const LogField& field : fields) {
    has_trace = has_trace || field.key == "traceparent";
    if (field.value.empty()) continue;
    all.push_back(
        {field.key, LogSafe(field.value, kLogMessageMaxBytes), field.is_number, field.in_text});
  }
  const std::string& traceparent = CurrentCall().traceparent;
  if (!has_trace && !traceparent.empty()) all.push_back({"traceparent", LogSafe(traceparent)});
  std::string safe_message = LogSafe(message, kLogMessageMaxBytes);
  if (static_cast<LogFormat>(g_format.load()) == LogFormat::kJson) {
    std::string line =
        absl::StrCat("{\"time\":", JsonString(time), ",\"level\":", JsonString(LevelName(level)),
                     ",\"component\":", JsonString(LogSafe(component)),
                     ",\"message\":", JsonString(safe_message));
    for (const LogField& field : all) {
      absl::StrAppend(&line, ",", JsonString(field.key), ":",
                      field.is_number ? field.value : JsonString(field.value));
    }
    line.push_back('}');
    return line;
  }
  std::string line =
      absl::StrCat(time, " ", LevelName(level), " ", LogSafe(component), ": ", safe_message);
  for (const LogField& field : all) {
    if (field.in_text) absl::StrAppend(&line, " ", field.key, "=", TextValue(field.value));
  }
  return line;
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

absl::Status SetLogFormat(absl::string_view format) {
  std::string lower = absl::AsciiStrToLower(format);
  if (lower == "text" || lower.empty()) {
    SetLogFormat(LogFormat::kText);
  } else if (lower == "json") {
    SetLogFormat(LogFormat::kJson);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("log format: must be text or json, got \"", LogSafe(format), "\""));
  }
  return absl::OkStatus();
}

void SetLogFormat(LogFormat format) { g_format.store(static_cast<int>(format)); }

std::string LogSafe(absl::string_view value, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(value.size(), max_bytes));
  size_t at = 0;
  while (at < value.size()) {
    size_t consumed = 0;
    std::string piece = SafePiece(value, at, &consumed);
    if (out.size() + piece.size() > max_bytes) {
      absl::StrAppend(&out, "...[truncated, ", value.size(), " bytes in all]");
      return out;
    }
    out += piece;
    at += consumed;
  }
  return out;
}

void LogLine(LogLevel level, absl::string_view component, absl::string_view message,
             const std::vector<LogField>& fields) {
  std::string line = FormatLine(level, component, message, fields);
  absl::MutexLock lock(&g_write_mutex);
  if (g_sink != nullptr) {
    (*g_sink)(line);
    return;
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void SetLogSink(std::function<void(absl::string_view line)> sink) {
  auto* next = sink ? new std::function<void(absl::string_view)>(std::move(sink)) : nullptr;
  std::function<void(absl::string_view)>* previous;
  {
    absl::MutexLock lock(&g_write_mutex);
    previous = g_sink;
    g_sink = next;
  }
  delete previous;
}

}  // namespace enamnd::platform
