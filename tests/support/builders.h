// Small builders and checks every test shares: days, calls with a
// deadline, and the INVALID_ARGUMENT-names-the-field expectation.
#ifndef ENAMND_TESTS_SUPPORT_BUILDERS_H_
#define ENAMND_TESTS_SUPPORT_BUILDERS_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "enamnd/common/v1/common.pb.h"
#include "gtest/gtest.h"

namespace enamnd::testing {

// The API's Date for a calendar day.
inline common::v1::Date Day(int year, int month, int day) {
  common::v1::Date out;
  out.set_year(year);
  out.set_month(month);
  out.set_day(day);
  return out;
}

// The field an INVALID_ARGUMENT names (its message up to the first ':'),
// or "ok"; any other error fails the test.
inline std::string InvalidFieldOf(const absl::Status& status) {
  if (status.ok()) return "ok";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message().substr(0, status.message().find(':')));
}

// True when `status` is INVALID_ARGUMENT whose message starts with `field: `.
inline bool InvalidAt(const absl::Status& status, absl::string_view field) {
  return absl::IsInvalidArgument(status) &&
         absl::StartsWith(status.message(), absl::StrCat(field, ": "));
}

// One unary call on `stub` with a 10-second deadline, so a test that hangs
// fails instead.
template <typename Stub, typename Request, typename Response, typename Method>
grpc::Status Call(Stub* stub, Method method, const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return (stub->*method)(&context, request, response);
}

}  // namespace enamnd::testing

// The call failed with INVALID_ARGUMENT and its message names `field`.
#define EXPECT_INVALID_FIELD(status, field)                                               \
  do {                                                                                    \
    grpc::Status s_ = (status);                                                           \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s_.error_message(); \
    EXPECT_NE(s_.error_message().find(field), std::string::npos) << s_.error_message();   \
  } while (0)

#endif  // ENAMND_TESTS_SUPPORT_BUILDERS_H_
