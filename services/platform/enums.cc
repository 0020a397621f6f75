#include "services/platform/enums.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/platform/status.h"

namespace enamnd::platform {

std::string EnumChoices(const google::protobuf::EnumDescriptor* type) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) names.push_back(type->value(i)->name());
  }
  if (names.size() < 2) return absl::StrJoin(names, "");
  std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

absl::Status AllowEnumValue(int value, const google::protobuf::EnumDescriptor* type,
                            absl::string_view field) {
  return value == 0 ? absl::OkStatus() : RequireEnumValue(value, type, field);
}

absl::Status RequireEnumValue(int value, const google::protobuf::EnumDescriptor* type,
                              absl::string_view field) {
  if (value == 0) return InvalidField(field, absl::StrCat("required: ", EnumChoices(type)));
  if (type->FindValueByNumber(value) == nullptr) {
    return InvalidField(field,
                        absl::StrCat("unknown value ", value, "; one of ", EnumChoices(type)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ParseEnumValue(absl::string_view text,
                                   const google::protobuf::EnumDescriptor* type,
                                   absl::string_view field) {
  const google::protobuf::EnumValueDescriptor* value = type->FindValueByName(std::string(text));
  if (value == nullptr || value->number() == 0) {
    return InvalidField(field, absl::StrCat("\"", text, "\" is not one of ", EnumChoices(type)));
  }
  return value->number();
}

}  // namespace enamnd::platform
