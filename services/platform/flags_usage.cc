#include "services/platform/flags_usage.h"

#include <string>

#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "services/platform/server.h"

namespace enamnd::platform {
namespace {

// One setting. In `fallback` and `meaning`, {port} is the service's gRPC
// port, {metrics} that port + 1000, {health} that port + 2000 and
// {service} the service's name.
struct Setting {
  const char* flag;  // without "--"; empty: environment only
  const char* env;
  const char* fallback;
  const char* meaning;
};

constexpr Setting kSettings[] = {
    {"listen", "ENAMND_LISTEN", "127.0.0.1:{port}",
     "host:port to serve gRPC on; port 0 picks a free one"},
    {"data_dir", "ENAMND_DATA_DIR", "./var", "directory of the SQLite file {service}.db"},
    {"redis", "ENAMND_REDIS", "tcp://127.0.0.1:6379",
     "Redis: tcp://host:port or unix:///path/to/redis.sock"},
    {"log_level", "ENAMND_LOG_LEVEL", "info", "debug, info, warning or error"},
    {"today", "ENAMND_TODAY", "unset: the real day",
     "pin the legal calendar's today, YYYY-MM-DD; demos and tests only"},
    {"", "ENAMND_LOG_FORMAT", "text", "text or json (one JSON object per line)"},
    {"", "ENAMND_TLS_CERT", "unset", "PEM file of the service's certificate (chain)"},
    {"", "ENAMND_TLS_KEY", "unset", "PEM file of the service's private key"},
    {"", "ENAMND_TLS_CLIENT_CA", "unset",
     "PEM file of the CA of client certificates (mTLS); also trusted for calls to peers"},
    {"", "ENAMND_INSECURE", "false", "true: plaintext, callers named by x-enamnd-principal"},
    {"", "ENAMND_INSECURE_ANY_ADDRESS", "false",
     "true: allow plaintext on a non-loopback address (behind a TLS sidecar)"},
    {"", "ENAMND_POLICY", "unset: every call denied",
     "policy file (enamnd.auth.v1.PolicyFile, text format); reread on SIGHUP"},
    {"", "ENAMND_REDIS_USER", "{service}", "Redis ACL user"},
    {"", "ENAMND_REDIS_PASSWORD_FILE", "unset: no AUTH",
     "file holding the Redis user's password; reread at every connect"},
    {"", "ENAMND_METRICS_LISTEN", "unset: off; 0.0.0.0:{metrics} in a pod",
     "host:port of the plain-HTTP GET /metrics endpoint (Prometheus)"},
    {"", "ENAMND_HEALTH_LISTEN", "unset: off; 0.0.0.0:{health} in a pod",
     "host:port of a plaintext gRPC listener serving only grpc.health.v1 (kubelet probes)"},
    {"", "ENAMND_WRITE_RATE", "50", "mutating calls per second per principal"},
    {"", "ENAMND_WRITE_BURST", "200", "burst of mutating calls per principal"},
    {"", "ENAMND_MAX_WATCHES", "8", "open watch streams per principal"},
    {"", "ENAMND_WATCH_MAX_BACKLOG", "1000",
     "events a live watch stream may fall behind before it is cut off"},
    {"", "ENAMND_STREAM_MAXLEN", "0: keep all", "about how many entries Redis keeps"},
    {"", "ENAMND_EXPIRY_HORIZONS", "12,6,3", "contracts only: months before expiry to warn"},
    {"", "ENAMND_MEETINGS_ADDR", "127.0.0.1:50051", "where to reach the meetings service"},
    {"", "ENAMND_AUDITS_ADDR", "127.0.0.1:50052", "where to reach the audits service"},
    {"", "ENAMND_PROJECTS_ADDR", "127.0.0.1:50053", "where to reach the projects service"},
    {"", "ENAMND_CONTRACTS_ADDR", "127.0.0.1:50054", "where to reach the contracts service"},
    {"", "ENAMND_FINANCE_ADDR", "127.0.0.1:50055", "where to reach the finance service"},
};

std::string Expand(absl::string_view text, const std::string& service) {
  int port = DefaultPort(service);
  return absl::StrReplaceAll(text, {{"{port}", absl::StrCat(port)},
                                    {"{metrics}", absl::StrCat(port + 1000)},
                                    {"{health}", absl::StrCat(port + 2000)},
                                    {"{service}", service}});
}

// Flags defined by enamnd's own code (not Abseil's --flagfile and the like).
bool IsEnamndFlagFile(absl::string_view filename) {
  return absl::StrContains(filename, "services/") && !absl::StrContains(filename, "absl/");
}

void AppendSetting(const Setting& setting, const std::string& service, std::string* out) {
  std::string name = setting.env;
  if (*setting.flag != '\0') name = absl::StrCat("--", setting.flag, ", ", setting.env);
  absl::StrAppend(out, "  ", name, "  (default ", Expand(setting.fallback, service), ")\n      ",
                  Expand(setting.meaning, service), "\n");
}

}  // namespace

std::string UsageMessage(const std::string& service) {
  std::string out = absl::StrCat(
      "the ", service,
      " service of enamnd (gRPC).\n\n"
      "Usage: enamnd-",
      service,
      " [--flag=value ...]\n\n"
      "Every setting is an environment variable; the first five are flags too. A flag\n"
      "that is set wins over the environment variable, which wins over the default;\n"
      "an empty value counts as unset. Reference: docs/operations.md, section 1.\n\n"
      "Flags, with their environment variable:\n");
  bool environment_only = false;
  for (const Setting& setting : kSettings) {
    if (*setting.flag == '\0' && !environment_only) {
      environment_only = true;
      absl::StrAppend(&out, "\nEnvironment only:\n");
    }
    AppendSetting(setting, service, &out);
  }
  absl::StrAppend(&out,
                  "\nExit codes: 0 stopped cleanly (SIGTERM, SIGINT), 1 start failed, "
                  "2 bad configuration.\n");
  return out;
}

void SetUpFlagsUsage(const std::string& service) {
  absl::SetProgramUsageMessage(UsageMessage(service));
  absl::FlagsUsageConfig config;
  config.contains_helpshort_flags = IsEnamndFlagFile;
  config.contains_help_flags = IsEnamndFlagFile;
  config.contains_helppackage_flags = IsEnamndFlagFile;
  absl::SetFlagsUsageConfig(config);
}

bool PlainHelpRequested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-help" || arg == "-h") return true;
  }
  return false;
}

}  // namespace enamnd::platform
