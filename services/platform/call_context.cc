#include "services/platform/call_context.h"

#include <utility>

namespace enamnd::platform {
namespace {

const CallContext& EmptyContext() {
  static const CallContext* empty = new CallContext();
  return *empty;
}

thread_local const CallContext* current_call = nullptr;

bool IsLowerHex(const std::string& text, size_t from, size_t length) {
  for (size_t i = from; i < from + length; ++i) {
    char c = text[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(const std::string& text, size_t from, size_t length) {
  return text.find_first_not_of('0', from) >= from + length;
}

}  // namespace

const CallContext& CurrentCall() {
  return current_call != nullptr ? *current_call : EmptyContext();
}

ScopedCallContext::ScopedCallContext(CallContext context)
    : context_(std::move(context)), previous_(current_call) {
  current_call = &context_;
}

ScopedCallContext::~ScopedCallContext() { current_call = previous_; }

std::string ValidTraceparent(const std::string& value) {
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55.
  if (value.size() != 55) return "";
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return "";
  if (value.compare(0, 2, "00") != 0) return "";
  if (!IsLowerHex(value, 3, 32) || !IsLowerHex(value, 36, 16) || !IsLowerHex(value, 53, 2)) {
    return "";
  }
  if (AllZero(value, 3, 32) || AllZero(value, 36, 16)) return "";
  return value;
}

}  // namespace enamnd::platform
