// Enum values as the API names them: the allowed names in error messages
// come from the proto descriptor, so a message never lists a stale name.
#ifndef ENAMND_PLATFORM_ENUMS_H_
#define ENAMND_PLATFORM_ENUMS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace enamnd::platform {

// "A, B or C": the names of every value but the zero (unspecified) one.
std::string EnumChoices(const google::protobuf::EnumDescriptor* type);

// OK when `value` is a known, non-zero value of `type`; otherwise
// INVALID_ARGUMENT naming `field` and the choices.
absl::Status RequireEnumValue(int value, const google::protobuf::EnumDescriptor* type,
                              absl::string_view field);

// OK when `value` is unset (0) or a known value of `type`.
absl::Status AllowEnumValue(int value, const google::protobuf::EnumDescriptor* type,
                            absl::string_view field);

// The non-zero value named `text` (e.g. "STATE_HELD" in a filter).
absl::StatusOr<int> ParseEnumValue(absl::string_view text,
                                   const google::protobuf::EnumDescriptor* type,
                                   absl::string_view field);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_ENUMS_H_
