#include "services/finance/api/usage_api.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "enamnd/finance/v1/events.pb.h"
#include "services/finance/api/ingest_stream.h"
#include "services/finance/domain/names.h"
#include "services/finance/domain/usage.h"
#include "services/finance/store/usage.h"
#include "services/platform/api_util.h"
#include "services/platform/audit_trail.h"
#include "services/platform/members.h"
#include "services/platform/metrics.h"
#include "services/platform/proto_rows.h"
#include "services/platform/requests.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::finance {
namespace {

using platform::Caller;
using platform::InvalidField;
using platform::Transaction;

// Finishes at once: a caller the policy refused.
class RefusedStream final : public grpc::ServerReadReactor<v1::IngestUsageRequest> {
 public:
  explicit RefusedStream(const absl::Status& why) { Finish(platform::ToGrpcStatus(why)); }
  void OnDone() override { delete this; }
};

// The SCB code a read is limited to: `municipality` when given (a caller
// with a scoped role may only name its own), else "" (every one). A scoped
// caller must name one.
absl::StatusOr<std::string> ReadScope(const Caller& caller, const std::string& municipality,
                                      absl::string_view resource) {
  if (municipality.empty()) {
    if (!caller.ReachesEveryMunicipality()) {
      return absl::PermissionDeniedError(
          absl::StrCat(caller.method(), ": ", caller.principal(), " reads the ", resource,
                       " of its own municipality only: set municipality"));
    }
    return std::string();
  }
  ENAMND_ASSIGN_OR_RETURN(std::string code,
                          platform::ParseMunicipalityName(municipality, "municipality"));
  ENAMND_RETURN_IF_ERROR(caller.RequireMunicipality(code, resource));
  return code;
}

// The members a summary or basis covers: all, or the one of `scope`.
absl::StatusOr<std::vector<BilledMunicipality>> Billed(Transaction& tx, const std::string& scope) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<platform::Member> members, platform::ListMembers(tx));
  std::vector<BilledMunicipality> billed;
  for (const platform::Member& m : members) {
    if (scope.empty() || m.code == scope) billed.push_back({m.code, m.display_name});
  }
  if (!scope.empty() && billed.empty()) {
    return InvalidField("municipality",
                        absl::StrCat("municipalities/", scope, " is not a member municipality"));
  }
  return billed;
}

// Counts IngestUsage records by what became of them (durable only).
void CountIngested(const store::IngestCounts& counts) {
  auto& registry = platform::MetricsRegistry::Global();
  static constexpr char kHelp[] =
      "Metered transactions received through IngestUsage and committed, by result: new "
      "(stored), duplicate (the same record was stored already) or conflict (its id was stored "
      "with other content)";
  static platform::Counter* const kNew =
      registry.GetCounter("enamnd_finance_usage_records_total", kHelp, {{"result", "new"}});
  static platform::Counter* const kDuplicate =
      registry.GetCounter("enamnd_finance_usage_records_total", kHelp, {{"result", "duplicate"}});
  static platform::Counter* const kConflict =
      registry.GetCounter("enamnd_finance_usage_records_total", kHelp, {{"result", "conflict"}});
  kNew->Increment(static_cast<double>(counts.added));
  kDuplicate->Increment(static_cast<double>(counts.duplicates));
  kConflict->Increment(static_cast<double>(counts.conflicts));
}

// The latest time a record may carry: the end of the legal day after
// today (clocks disagree; the legal clock may be pinned).
absl::Time LatestUsageTime(absl::CivilDay today) {
  return absl::FromCivil(today + 2, platform::StockholmTimeZone());
}

// The records of one message as rows, or the first refusal (field first).
absl::StatusOr<std::vector<UsageRow>> RowsOf(const v1::IngestUsageRequest& message,
                                             const std::set<std::string>& members,
                                             absl::Time latest) {
  if (message.records_size() > kMaxRecordsPerMessage) {
    return InvalidField("records", absl::StrCat(message.records_size(), " records; at most ",
                                                kMaxRecordsPerMessage, " per message"));
  }
  std::vector<UsageRow> rows;
  rows.reserve(message.records_size());
  for (int i = 0; i < message.records_size(); ++i) {
    const std::string field = absl::StrCat("records[", i, "]");
    ENAMND_ASSIGN_OR_RETURN(UsageRow row, ToUsageRow(message.records(i), field, latest));
    if (members.count(row.municipality) == 0) {
      return InvalidField(
          absl::StrCat(field, ".municipality"),
          absl::StrCat(message.records(i).municipality(), " is not a member municipality (",
                       members.size(), " members are registered with the meetings service)"));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Only the part of municipality `scope` (SCB code) of an invoice basis: its
// usage, its total, its record count and its records received since, so
// that nothing of the other municipalities shows.
absl::StatusOr<v1::InvoiceBasis> OwnPart(Transaction& tx, v1::InvoiceBasis basis,
                                         const std::string& scope) {
  const std::string wanted = absl::StrCat("municipalities/", scope);
  v1::InvoiceBasis mine = basis;
  mine.clear_municipalities();
  mine.clear_total();
  int64_t counted = 0;
  for (const v1::MunicipalityUsage& m : basis.municipalities()) {
    if (m.municipality() != wanted) continue;
    *mine.add_municipalities() = m;
    *mine.mutable_total() = m.total();
    for (const v1::KindUsage& k : m.kinds()) counted += k.count();
  }
  ENAMND_ASSIGN_OR_RETURN(UsageCounts counts, store::CountsOfYear(tx, basis.year(), scope));
  int64_t now = 0;
  for (const auto& [key, count] : counts) now += count;
  mine.set_record_count(counted);
  mine.set_records_after_issue(now - counted);
  return mine;
}

// What an IssueInvoiceBasis request made, as remembered with its
// request_id: "invoice-bases/{year}@{revision}" (a bare name, remembered
// before revisions were, reads the latest issue).
auto IssuedBasis(Transaction& tx) {
  return [&tx](const std::string& made) -> absl::StatusOr<std::optional<v1::InvoiceBasis>> {
    const std::pair<std::string, std::string> parts = absl::StrSplit(made, absl::MaxSplits('@', 1));
    ENAMND_ASSIGN_OR_RETURN(InvoiceBasisName name, InvoiceBasisName::Parse(parts.first, "made"));
    int revision = 0;
    if (parts.second.empty()) return store::GetInvoiceBasis(tx, name);
    if (!absl::SimpleAtoi(parts.second, &revision)) {
      return absl::DataLossError(absl::StrCat("remembered invoice basis \"", made, "\""));
    }
    return store::GetInvoiceBasisRevision(tx, name, revision);
  };
}

// One InvoiceBasisIssued per municipality of `basis`, addressed to it.
absl::Status AppendIssued(Transaction& tx, platform::Outbox* outbox,
                          const v1::InvoiceBasis& basis) {
  for (const v1::MunicipalityUsage& m : basis.municipalities()) {
    v1::InvoiceBasisIssued event;
    event.set_invoice_basis(basis.name());
    event.set_year(basis.year());
    event.set_revision(basis.revision());
    *event.mutable_municipality() = m;
    ENAMND_ASSIGN_OR_RETURN(std::string code,
                            platform::ParseMunicipalityName(m.municipality(), "municipality"));
    ENAMND_RETURN_IF_ERROR(outbox->Append(tx, event, basis.name(), {code}).status());
  }
  return absl::OkStatus();
}

}  // namespace

// ------------------------------------------------------------ IngestUsage

grpc::ServerReadReactor<v1::IngestUsageRequest>* UsageApi::IngestUsage(
    absl::StatusOr<Caller> caller, v1::IngestUsageResponse* response) {
  if (!caller.ok()) return new RefusedStream(caller.status());
  return new IngestStream(
      executor_,
      // The writer runs for one batch at a time: `audited` needs no lock.
      [this, caller = *std::move(caller),
       audited = false](const std::vector<v1::IngestUsageRequest>& messages) mutable {
        return StoreMessages(caller, messages, &audited);
      },
      response);
}

absl::StatusOr<BatchResult> UsageApi::StoreMessages(
    const Caller& caller, const std::vector<v1::IngestUsageRequest>& messages, bool* audited) {
  const absl::Time latest = LatestUsageTime(clock_->Today());
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(std::vector<platform::Member> registered, platform::ListMembers(tx));
  std::set<std::string> members;
  for (const platform::Member& m : registered) members.insert(m.code);
  BatchResult result;
  std::vector<UsageRow> rows;
  size_t records = 0;
  for (const v1::IngestUsageRequest& message : messages) records += message.records_size();
  rows.reserve(records);
  for (const v1::IngestUsageRequest& message : messages) {
    absl::StatusOr<std::vector<UsageRow>> checked = RowsOf(message, members, latest);
    if (!checked.ok()) {
      result.refused = checked.status();
      break;
    }
    rows.insert(rows.end(), std::make_move_iterator(checked->begin()),
                std::make_move_iterator(checked->end()));
    ++result.messages_stored;
  }
  // Nothing to store and the call's audit record written: nothing to do.
  if (rows.empty() && (*audited || !result.refused.ok())) return result;
  ENAMND_RETURN_IF_ERROR(store::InsertUsage(tx, rows, &result.counts));
  // One audit record per call, in the transaction of its first batch.
  if (*audited) {
    ENAMND_RETURN_IF_ERROR(tx.Commit());
  } else {
    ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, "usage-records"));
    *audited = true;
  }
  CountIngested(result.counts);
  return result;
}

// ------------------------------------------------------------ price lists

absl::Status UsageApi::CreatePriceList(const Caller& caller,
                                       const v1::CreatePriceListRequest& request,
                                       v1::PriceList* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  v1::PriceList list = request.price_list();
  ENAMND_RETURN_IF_ERROR(ValidatePriceList(list, "price_list"));
  list.set_name(PriceListName{list.year()}.ToString());
  list.clear_etag();
  *list.mutable_update_time() = platform::NowTimestamp();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed, platform::ReplayOrRemember(
                         tx, "CreatePriceList", request.request_id(), list.name(),
                         platform::ByStoredName<PriceListName>(tx, store::GetPriceList), response));
  if (replayed) {
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  ENAMND_RETURN_IF_ERROR(store::InsertPriceList(tx, &list));
  v1::PriceListChanged event;
  *event.mutable_price_list() = list;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, list.name()));
  *response = std::move(list);
  return absl::OkStatus();
}

absl::Status UsageApi::GetPriceList(const Caller& /*caller*/,
                                    const v1::GetPriceListRequest& request,
                                    v1::PriceList* response) {
  ENAMND_ASSIGN_OR_RETURN(PriceListName name, PriceListName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      *response, platform::Required(store::GetPriceList(tx, name), "price list", name.ToString()));
  return absl::OkStatus();
}

absl::Status UsageApi::UpdatePriceList(const Caller& caller,
                                       const v1::UpdatePriceListRequest& request,
                                       v1::PriceList* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateMask(request.update_mask(), {"prices", "source"}));
  ENAMND_ASSIGN_OR_RETURN(PriceListName name,
                          PriceListName::Parse(request.price_list().name(), "price_list.name"));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(v1::PriceList list, platform::Required(store::GetPriceList(tx, name),
                                                                 "price list", name.ToString()));
  ENAMND_RETURN_IF_ERROR(
      platform::CheckEtag(request.price_list().etag(), list.etag(), list.name()));
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::InvoiceBasis> issued,
                          store::GetInvoiceBasis(tx, InvoiceBasisName{name.year}));
  if (issued.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat(list.name(), ": the invoice basis of ", name.year, " is issued (revision ",
                     issued->revision(), "); the prices it used stay as they were"));
  }
  platform::ApplyMask(request.update_mask(), request.price_list(), &list);
  ENAMND_RETURN_IF_ERROR(ValidatePriceList(list, "price_list"));
  list.set_name(name.ToString());
  *list.mutable_update_time() = platform::NowTimestamp();
  ENAMND_RETURN_IF_ERROR(store::ReplacePriceList(tx, &list));
  v1::PriceListChanged event;
  *event.mutable_price_list() = list;
  ENAMND_RETURN_IF_ERROR(platform::EmitAndCommit(tx, outbox_, caller, event, list.name()));
  *response = std::move(list);
  return absl::OkStatus();
}

// ------------------------------------------------------------ summary, invoice basis

absl::Status UsageApi::GetUsageSummary(const Caller& caller,
                                       const v1::GetUsageSummaryRequest& request,
                                       v1::UsageSummary* response) {
  ENAMND_RETURN_IF_ERROR(ValidateYear(request.year(), "year"));
  ENAMND_ASSIGN_OR_RETURN(std::string scope, ReadScope(caller, request.municipality(),
                                                       absl::StrCat("usage of ", request.year())));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(std::vector<BilledMunicipality> billed, Billed(tx, scope));
  ENAMND_ASSIGN_OR_RETURN(UsageCounts counts, store::CountsOfYear(tx, request.year(), scope));
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::PriceList> prices,
                          store::GetPriceList(tx, PriceListName{request.year()}));
  Ore total = 0;
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<v1::MunicipalityUsage> usage,
      PriceUsage(billed, counts, prices.has_value() ? &*prices : nullptr, &total));
  response->set_year(request.year());
  int64_t records = 0;
  for (v1::MunicipalityUsage& m : usage) {
    for (const v1::KindUsage& k : m.kinds()) records += k.count();
    *response->add_municipalities() = std::move(m);
  }
  response->mutable_total()->set_ore(total);
  response->set_record_count(records);
  response->set_priced(prices.has_value());
  return absl::OkStatus();
}

absl::Status UsageApi::IssueInvoiceBasis(const Caller& caller,
                                         const v1::IssueInvoiceBasisRequest& request,
                                         v1::InvoiceBasis* response) {
  ENAMND_RETURN_IF_ERROR(platform::ValidateRequestId(request.request_id()));
  ENAMND_RETURN_IF_ERROR(ValidateYear(request.year(), "year"));
  const InvoiceBasisName name{request.year()};
  const absl::CivilDay today = clock_->Today();
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->Begin());
  ENAMND_ASSIGN_OR_RETURN(
      bool replayed,
      platform::Replayed(tx, "IssueInvoiceBasis", request.request_id(), IssuedBasis(tx), response));
  if (replayed) {
    return platform::CommitAudited(tx, caller, response->name(), platform::kOutcomeReplayed);
  }
  if (today.year() <= request.year()) {
    return absl::FailedPreconditionError(
        absl::StrCat("year: ", request.year(), " has not ended (today is ",
                     platform::DayText(today), "); the invoice basis is issued after year end"));
  }
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::PriceList> prices,
                          store::GetPriceList(tx, PriceListName{request.year()}));
  if (!prices.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "year: ", PriceListName{request.year()}.ToString(), " does not exist; create it first"));
  }
  ENAMND_ASSIGN_OR_RETURN(std::optional<v1::InvoiceBasis> previous,
                          store::GetInvoiceBasis(tx, name));
  ENAMND_ASSIGN_OR_RETURN(int64_t records, store::RecordsOfYear(tx, request.year()));
  if (previous.has_value() && previous->record_count() == records) {
    return absl::FailedPreconditionError(
        absl::StrCat(name.ToString(), " revision ", previous->revision(),
                     " already covers every record of ", request.year(), " (", records, ")"));
  }
  ENAMND_ASSIGN_OR_RETURN(v1::InvoiceBasis basis, BuildBasis(tx, name, *prices, records));
  basis.set_revision(previous.has_value() ? previous->revision() + 1 : 1);
  *basis.mutable_issue_time() = platform::NowTimestamp();
  basis.set_issue_principal(caller.principal());
  ENAMND_RETURN_IF_ERROR(store::InsertInvoiceBasis(tx, basis));
  ENAMND_RETURN_IF_ERROR(platform::SaveRequest(tx, "IssueInvoiceBasis", request.request_id(),
                                               absl::StrCat(basis.name(), "@", basis.revision())));
  ENAMND_RETURN_IF_ERROR(AppendIssued(tx, outbox_, basis));
  ENAMND_RETURN_IF_ERROR(platform::CommitAudited(tx, caller, basis.name()));
  *response = std::move(basis);
  return absl::OkStatus();
}

absl::StatusOr<v1::InvoiceBasis> UsageApi::BuildBasis(Transaction& tx, const InvoiceBasisName& name,
                                                      const v1::PriceList& prices,
                                                      int64_t records) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<BilledMunicipality> billed, Billed(tx, ""));
  ENAMND_ASSIGN_OR_RETURN(UsageCounts counts, store::CountsOfYear(tx, name.year));
  Ore total = 0;
  ENAMND_ASSIGN_OR_RETURN(std::vector<v1::MunicipalityUsage> usage,
                          PriceUsage(billed, counts, &prices, &total));
  v1::InvoiceBasis basis;
  basis.set_name(name.ToString());
  basis.set_year(name.year);
  *basis.mutable_price_list() = prices;
  for (v1::MunicipalityUsage& m : usage) *basis.add_municipalities() = std::move(m);
  basis.mutable_total()->set_ore(total);
  basis.set_record_count(records);
  return basis;
}

absl::Status UsageApi::GetInvoiceBasis(const Caller& caller,
                                       const v1::GetInvoiceBasisRequest& request,
                                       v1::InvoiceBasis* response) {
  ENAMND_ASSIGN_OR_RETURN(InvoiceBasisName name, InvoiceBasisName::Parse(request.name(), "name"));
  ENAMND_ASSIGN_OR_RETURN(std::string scope,
                          ReadScope(caller, request.municipality(), name.ToString()));
  ENAMND_ASSIGN_OR_RETURN(Transaction tx, db_->BeginRead());
  ENAMND_ASSIGN_OR_RETURN(
      v1::InvoiceBasis basis,
      platform::Required(store::GetInvoiceBasis(tx, name), "invoice basis", name.ToString()));
  if (!scope.empty()) {
    ENAMND_ASSIGN_OR_RETURN(basis, OwnPart(tx, std::move(basis), scope));
  } else {
    ENAMND_ASSIGN_OR_RETURN(int64_t records, store::RecordsOfYear(tx, name.year));
    basis.set_records_after_issue(records - basis.record_count());
  }
  *response = std::move(basis);
  return absl::OkStatus();
}

}  // namespace enamnd::finance
