#include "services/finance/domain/usage.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/finance/domain/names.h"
#include "services/platform/calendar.h"
#include "services/platform/enums.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::finance {
namespace {

using platform::InvalidField;

constexpr int64_t kMinTimestampSeconds = -62'135'596'800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253'402'300'799;  // 9999-12-31T23:59:59Z

absl::Status ValidateUsageId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return InvalidField(field, "required");
  if (id.size() > kMaxUsageIdLength) {
    return InvalidField(field, absl::StrCat("at most ", kMaxUsageIdLength, " characters"));
  }
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidField(field, "only printable ASCII characters without spaces");
    }
  }
  return absl::OkStatus();
}

// The record's year in Stockholm, if its time is acceptable.
absl::StatusOr<int> CheckTime(absl::Time instant, absl::Time latest, absl::string_view field) {
  const int year = static_cast<int>(platform::LegalDay(instant).year());
  if (year < kMinYear) return InvalidField(field, absl::StrCat("before ", kMinYear));
  if (instant > latest) {
    return InvalidField(
        field, absl::StrCat(absl::FormatTime(instant), " is later than ", absl::FormatTime(latest),
                            " (the service's clock plus a day)"));
  }
  return year;
}

// `status` (whose message starts with a field of the record) under the
// record's own field, e.g. "records[17].kind: ...". Built only on failure:
// the ingest checks millions of records.
absl::Status Under(absl::string_view record_field, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(record_field, ".", status.message()));
}

}  // namespace

const std::vector<v1::UsageKind>& AllUsageKinds() {
  static const auto* kinds = new std::vector<v1::UsageKind>{
      v1::USAGE_KIND_BANKID_AUTHENTICATION, v1::USAGE_KIND_BANKID_SIGNATURE,
      v1::USAGE_KIND_FREJA_EID, v1::USAGE_KIND_SMS};
  return *kinds;
}

absl::StatusOr<UsageRow> ToUsageRow(const v1::UsageRecord& record, absl::string_view field,
                                    absl::Time latest) {
  absl::Status valid = ValidateUsageId(record.transaction_id(), "transaction_id");
  if (!valid.ok()) return Under(field, valid);
  absl::StatusOr<std::string> code =
      platform::ParseMunicipalityName(record.municipality(), "municipality");
  if (!code.ok()) return Under(field, code.status());
  valid = platform::RequireEnumValue(record.kind(), v1::UsageKind_descriptor(), "kind");
  if (!valid.ok()) return Under(field, valid);
  const google::protobuf::Timestamp& time = record.time();
  if (time.seconds() == 0 && time.nanos() == 0)
    return Under(field, InvalidField("time", "required"));
  if (time.nanos() < 0 || time.nanos() > 999999999) {
    return Under(field, InvalidField("time", "nanos must be 0-999999999"));
  }
  // google.protobuf.Timestamp's range, 0001-01-01 to 9999-12-31 UTC: far
  // outside it a year no longer fits an int (and was taken for another).
  if (time.seconds() < kMinTimestampSeconds || time.seconds() > kMaxTimestampSeconds) {
    return Under(field, InvalidField("time", "outside the years 1-9999"));
  }
  const absl::Time instant =
      absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
  absl::StatusOr<int> year = CheckTime(instant, latest, "time");
  if (!year.ok()) return Under(field, year.status());
  valid = ValidateUsageId(record.e_service(), "e_service");
  if (!valid.ok()) return Under(field, valid);
  UsageRow row;
  row.transaction_id = record.transaction_id();
  row.municipality = *std::move(code);
  row.kind = record.kind();
  row.time_micros = absl::ToUnixMicros(instant);
  row.year = *year;
  row.e_service = record.e_service();
  return row;
}

absl::Status ValidatePriceList(const v1::PriceList& price_list, absl::string_view field) {
  ENAMND_RETURN_IF_ERROR(ValidateYear(price_list.year(), absl::StrCat(field, ".year")));
  ENAMND_RETURN_IF_ERROR(platform::ValidateText(price_list.source(), absl::StrCat(field, ".source"),
                                                platform::kMaxTitleLength, true));
  std::map<int, int> seen;  // kind -> index
  for (int i = 0; i < price_list.prices_size(); ++i) {
    const v1::KindPrice& price = price_list.prices(i);
    const std::string at = absl::StrCat(field, ".prices[", i, "]");
    ENAMND_RETURN_IF_ERROR(
        platform::RequireEnumValue(price.kind(), v1::UsageKind_descriptor(), at + ".kind"));
    auto [it, added] = seen.emplace(price.kind(), i);
    if (!added) {
      return InvalidField(at + ".kind",
                          absl::StrCat(v1::UsageKind_Name(price.kind()),
                                       " is priced already at prices[", it->second, "]"));
    }
    if (price.price().ore() < 0) return InvalidField(at + ".price", "must not be negative");
    if (price.price().ore() > kMaxPriceOre) {
      return InvalidField(at + ".price", absl::StrCat("at most ", kMaxPriceOre, " öre"));
    }
  }
  for (v1::UsageKind kind : AllUsageKinds()) {
    if (seen.count(kind) == 0) {
      return InvalidField(absl::StrCat(field, ".prices"),
                          absl::StrCat("no price for ", v1::UsageKind_Name(kind),
                                       "; every kind needs one (0 if it is free)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::MunicipalityUsage>> PriceUsage(
    const std::vector<BilledMunicipality>& municipalities, const UsageCounts& counts,
    const v1::PriceList* prices, Ore* total) {
  std::map<int, Ore> unit_price;
  if (prices != nullptr) {
    for (const v1::KindPrice& p : prices->prices()) unit_price[p.kind()] = p.price().ore();
  }
  std::vector<BilledMunicipality> ordered = municipalities;
  std::sort(
      ordered.begin(), ordered.end(),
      [](const BilledMunicipality& a, const BilledMunicipality& b) { return a.code < b.code; });
  std::vector<v1::MunicipalityUsage> out;
  Ore sum = 0;
  for (const BilledMunicipality& m : ordered) {
    v1::MunicipalityUsage usage;
    usage.set_municipality(absl::StrCat("municipalities/", m.code));
    usage.set_display_name(m.display_name);
    Ore municipality_total = 0;
    for (v1::UsageKind kind : AllUsageKinds()) {
      v1::KindUsage* k = usage.add_kinds();
      k->set_kind(kind);
      auto count = counts.find({m.code, kind});
      k->set_count(count == counts.end() ? 0 : count->second);
      if (prices == nullptr) continue;
      const Ore price = unit_price[kind];
      Ore amount = 0;
      if (__builtin_mul_overflow(k->count(), price, &amount) ||
          __builtin_add_overflow(municipality_total, amount, &municipality_total)) {
        return absl::OutOfRangeError(absl::StrCat("the amount of ", v1::UsageKind_Name(kind),
                                                  " for ", m.code, " overflows"));
      }
      k->mutable_unit_price()->set_ore(price);
      k->mutable_amount()->set_ore(amount);
    }
    usage.mutable_total()->set_ore(municipality_total);
    if (__builtin_add_overflow(sum, municipality_total, &sum)) {
      return absl::OutOfRangeError("the invoice basis' total overflows");
    }
    out.push_back(std::move(usage));
  }
  *total = sum;
  return out;
}

}  // namespace enamnd::finance
