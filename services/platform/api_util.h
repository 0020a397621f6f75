// Small helpers every service's API layer uses: timestamps, days, etags and
// update masks.
#ifndef ENAMND_PLATFORM_API_UTIL_H_
#define ENAMND_PLATFORM_API_UTIL_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "enamnd/common/v1/common.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::platform {

inline google::protobuf::Timestamp NowTimestamp() {
  absl::Time now = absl::Now();
  google::protobuf::Timestamp ts;
  int64_t seconds = absl::ToUnixSeconds(now);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>((now - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return ts;
}

inline bool IsSet(const enamnd::common::v1::Date& d) {
  return d.year() != 0 || d.month() != 0 || d.day() != 0;
}

inline enamnd::common::v1::Date ToDate(absl::CivilDay d) {
  enamnd::common::v1::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

inline absl::CivilDay ToCivil(const enamnd::common::v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

inline std::string DayText(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// A valid day, or unset when !required.
inline absl::Status ValidateDate(const enamnd::common::v1::Date& date, const std::string& field,
                                 bool required) {
  if (!IsSet(date)) return required ? InvalidField(field, "required") : absl::OkStatus();
  return ValidateDay(date.year(), date.month(), date.day(), field);
}

// A set date must not lie after `today` (a record of the past).
inline absl::Status NotInFuture(const enamnd::common::v1::Date& date, absl::string_view field,
                                absl::CivilDay today) {
  if (IsSet(date) && ToCivil(date) > today) {
    return InvalidField(field, absl::StrCat(DayText(ToCivil(date)), " is in the future (today is ",
                                            DayText(today), ")"));
  }
  return absl::OkStatus();
}

// A required day that exists and is not after `today`.
inline absl::Status ValidatePastDay(const enamnd::common::v1::Date& date, absl::string_view field,
                                    absl::CivilDay today) {
  absl::Status valid = ValidateDate(date, std::string(field), true);
  if (!valid.ok()) return valid;
  return NotInFuture(date, field, today);
}

// ABORTED when the caller's etag is set and stale.
inline absl::Status CheckEtag(const std::string& given, const std::string& current,
                              absl::string_view what) {
  if (!given.empty() && given != current) {
    return absl::AbortedError(absl::StrCat(what, " changed since it was read (etag ", given,
                                           ", now ", current, "); read it again"));
  }
  return absl::OkStatus();
}

// The etag a resource has after one more revision (etags count revisions).
inline std::string NextEtag(const std::string& etag) {
  int64_t revision = 0;
  (void)absl::SimpleAtoi(etag, &revision);
  return absl::StrCat(revision + 1);
}

// Checks paths against `allowed`; at least one path is required.
inline absl::Status ValidateMask(const google::protobuf::FieldMask& mask,
                                 const std::set<std::string>& allowed) {
  if (mask.paths().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: required; updatable fields: ", absl::StrJoin(allowed, ", ")));
  }
  for (const std::string& path : mask.paths()) {
    if (allowed.count(path) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: \"", path,
                       "\" cannot be updated; updatable fields: ", absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

// Copies the masked fields, replacing messages and lists whole.
template <typename Proto>
void ApplyMask(const google::protobuf::FieldMask& mask, const Proto& from, Proto* to) {
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(from, mask, options, to);
}

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_API_UTIL_H_
