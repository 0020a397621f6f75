// Not written yet (issue 12 in progress): every method is UNIMPLEMENTED.
#include "services/finance/api/usage_api.h"
#include "services/platform/status.h"

namespace enamnd::finance {

absl::Status UsageApi::CreatePriceList(const platform::Caller& /*caller*/,
                                       const v1::CreatePriceListRequest& /*request*/,
                                       v1::PriceList* /*response*/) {
  return absl::UnimplementedError("CreatePriceList");
}

absl::Status UsageApi::GetPriceList(const platform::Caller& /*caller*/,
                                    const v1::GetPriceListRequest& /*request*/,
                                    v1::PriceList* /*response*/) {
  return absl::UnimplementedError("GetPriceList");
}

absl::Status UsageApi::UpdatePriceList(const platform::Caller& /*caller*/,
                                       const v1::UpdatePriceListRequest& /*request*/,
                                       v1::PriceList* /*response*/) {
  return absl::UnimplementedError("UpdatePriceList");
}

absl::Status UsageApi::GetUsageSummary(const platform::Caller& /*caller*/,
                                       const v1::GetUsageSummaryRequest& /*request*/,
                                       v1::UsageSummary* /*response*/) {
  return absl::UnimplementedError("GetUsageSummary");
}

absl::Status UsageApi::IssueInvoiceBasis(const platform::Caller& /*caller*/,
                                         const v1::IssueInvoiceBasisRequest& /*request*/,
                                         v1::InvoiceBasis* /*response*/) {
  return absl::UnimplementedError("IssueInvoiceBasis");
}

absl::Status UsageApi::GetInvoiceBasis(const platform::Caller& /*caller*/,
                                       const v1::GetInvoiceBasisRequest& /*request*/,
                                       v1::InvoiceBasis* /*response*/) {
  return absl::UnimplementedError("GetInvoiceBasis");
}

}  // namespace enamnd::finance

namespace enamnd::finance {
namespace {
class Refused final : public grpc::ServerReadReactor<v1::IngestUsageRequest> {
 public:
  explicit Refused(grpc::Status status) { Finish(status); }
  void OnDone() override { delete this; }
};
}  // namespace

grpc::ServerReadReactor<v1::IngestUsageRequest>* UsageApi::IngestUsage(
    absl::StatusOr<platform::Caller> caller, v1::IngestUsageResponse* /*response*/) {
  if (!caller.ok()) return new Refused(platform::ToGrpcStatus(caller.status()));
  return new Refused(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "IngestUsage"));
}

}  // namespace enamnd::finance
