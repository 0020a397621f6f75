// The contracts service's resource names as types (after leveldb's
// db/filename.h): each has Parse (INVALID_ARGUMENT naming `field` and the
// expected shape) and ToString. Nothing else in services/contracts takes
// names apart.
#ifndef ENAMND_CONTRACTS_DOMAIN_NAMES_H_
#define ENAMND_CONTRACTS_DOMAIN_NAMES_H_

#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::contracts {

// procurements/{id}, e.g. procurements/social-services-system.
struct ProcurementName {
  std::string id;

  static absl::StatusOr<ProcurementName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// agreements/{id}, e.g. agreements/it-consultants-2021.
struct AgreementName {
  std::string id;

  static absl::StatusOr<AgreementName> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
};

// A case subject naming a procurement or an agreement across services:
// //contracts/procurements/{id} or //contracts/agreements/{id}.
struct ContractsReference {
  std::variant<ProcurementName, AgreementName> target;

  static absl::StatusOr<ContractsReference> Parse(absl::string_view text, absl::string_view field);
  std::string ToString() const;
  // The local name, e.g. procurements/social-services-system.
  std::string LocalName() const;
};

}  // namespace enamnd::contracts

#endif  // ENAMND_CONTRACTS_DOMAIN_NAMES_H_
