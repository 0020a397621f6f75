// The contracts service's tables. Procurements and agreements are their
// serialized protos next to the columns their lists filter and sort on;
// the municipalities entitled to call off an agreement are rows of their
// own, for "the agreements Boden may use on a day". The committee's
// decisions are linked in the platform's table (linked_decisions.h) and
// filled in by every read here.
//
// Reads return nullopt for a missing resource; the etag is the stored
// revision.
#ifndef ENAMND_CONTRACTS_STORE_STORE_H_
#define ENAMND_CONTRACTS_STORE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "enamnd/contracts/v1/contracts.pb.h"
#include "services/contracts/domain/names.h"
#include "services/contracts/domain/rules.h"
#include "services/platform/database.h"
#include "services/platform/list_query.h"
#include "services/platform/proto_rows.h"

namespace enamnd::contracts {

platform::MigrationSet ContractsMigrations();

namespace store {

// ------------------------------------------------------------ procurements
absl::StatusOr<std::optional<v1::Procurement>> GetProcurement(platform::Transaction& tx,
                                                              const ProcurementName& name);
// ALREADY_EXISTS if the name is taken. Sets the etag.
absl::Status InsertProcurement(platform::Transaction& tx, v1::Procurement* procurement);
// Stores a new revision and sets the etag.
absl::Status ReplaceProcurement(platform::Transaction& tx, v1::Procurement* procurement);
platform::ListQuery ProcurementsQuery(std::optional<ProcurementState> state,
                                      absl::string_view filter_text);
absl::StatusOr<platform::Page<v1::Procurement>> ListProcurements(
    platform::Transaction& tx, std::optional<ProcurementState> state, absl::string_view filter_text,
    int page_size, absl::string_view page_token);

// ------------------------------------------------------------ agreements
absl::StatusOr<std::optional<v1::Agreement>> GetAgreement(platform::Transaction& tx,
                                                          const AgreementName& name);
// ALREADY_EXISTS if the name is taken. Sets the etag.
absl::Status InsertAgreement(platform::Transaction& tx, v1::Agreement* agreement);
// Stores a new revision (and its entitled rows) and sets the etag.
absl::Status ReplaceAgreement(platform::Transaction& tx, v1::Agreement* agreement);
// `today` decides expiring_within_months.
platform::ListQuery AgreementsQuery(const AgreementFilter& filter, absl::CivilDay today,
                                    absl::string_view filter_text);
absl::StatusOr<platform::Page<v1::Agreement>> ListAgreements(
    platform::Transaction& tx, const AgreementFilter& filter, absl::CivilDay today,
    absl::string_view filter_text, int page_size, absl::string_view page_token,
    int64_t* total_size);
// Every agreement in registration order (the deadline job: tens, not
// thousands).
absl::StatusOr<std::vector<v1::Agreement>> AllAgreements(platform::Transaction& tx);

}  // namespace store
}  // namespace enamnd::contracts

#endif  // ENAMND_CONTRACTS_STORE_STORE_H_
