// What `enamnd-<service> --help` prints: every setting of the platform, with
// its flag (if it has one), its ENAMND_* environment variable and its default
// for that service (docs/operations.md, section 1).
#ifndef ENAMND_PLATFORM_FLAGS_USAGE_H_
#define ENAMND_PLATFORM_FLAGS_USAGE_H_

#include <string>

namespace enamnd::platform {

// The usage message of enamnd-<service> (Abseil prefixes it with the
// program's name and ": ", and so does the plain --help).
std::string UsageMessage(const std::string& service);

// Sets Abseil's program usage message to UsageMessage(service), and makes
// Abseil's own help flags (--helpshort, --help=substring, --helpfull) list
// the flags the platform defines: by default Abseil lists only flags defined
// in a file named after the binary (enamnd-meetings.cc or
// enamnd-meetings_main.cc), and the platform's are in server.cc. Call before
// absl::ParseCommandLine.
void SetUpFlagsUsage(const std::string& service);

// True if the command line asks for plain help (`--help`, `-help` or `-h`
// before any `--`). The caller then prints "enamnd-<service>: " and
// UsageMessage and exits 0, where Abseil would exit 1.
bool PlainHelpRequested(int argc, char** argv);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_FLAGS_USAGE_H_
