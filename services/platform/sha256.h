// SHA-256 digests (OpenSSL) as lowercase hex.
#ifndef ENAMND_PLATFORM_SHA256_H_
#define ENAMND_PLATFORM_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace enamnd::platform {

std::string Sha256Hex(absl::string_view data);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_SHA256_H_
