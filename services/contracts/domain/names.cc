#include "services/contracts/domain/names.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "services/platform/resource_name.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::contracts {
namespace {

using platform::InvalidField;
using platform::MatchName;

// The id of `text` shaped as `pattern` (one {id}); `shape` is the message.
absl::StatusOr<std::string> IdOf(absl::string_view text, absl::string_view pattern,
                                 absl::string_view field, absl::string_view shape) {
  absl::StatusOr<std::vector<std::string>> parts = MatchName(text, pattern, field);
  if (!parts.ok() || !platform::ValidateResourceId((*parts)[0], field).ok()) {
    return InvalidField(field, shape);
  }
  return (*parts)[0];
}

}  // namespace

absl::StatusOr<ProcurementName> ProcurementName::Parse(absl::string_view text,
                                                       absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(
      std::string id, IdOf(text, "procurements/{id}", field,
                           "must be procurements/{id}, e.g. procurements/social-services-system"));
  return ProcurementName{std::move(id)};
}

std::string ProcurementName::ToString() const { return absl::StrCat("procurements/", id); }

absl::StatusOr<AgreementName> AgreementName::Parse(absl::string_view text,
                                                   absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(std::string id,
                          IdOf(text, "agreements/{id}", field,
                               "must be agreements/{id}, e.g. agreements/it-konsulter"));
  return AgreementName{std::move(id)};
}

std::string AgreementName::ToString() const { return absl::StrCat("agreements/", id); }

absl::StatusOr<ContractsReference> ContractsReference::Parse(absl::string_view text,
                                                             absl::string_view field) {
  constexpr char kShape[] = "must be //contracts/procurements/{id} or //contracts/agreements/{id}";
  absl::string_view rest = text;
  if (!absl::ConsumePrefix(&rest, "//contracts/")) return InvalidField(field, kShape);
  if (absl::StartsWith(rest, "procurements/")) {
    absl::StatusOr<ProcurementName> p = ProcurementName::Parse(rest, field);
    if (!p.ok()) return InvalidField(field, kShape);
    return ContractsReference{*std::move(p)};
  }
  absl::StatusOr<AgreementName> a = AgreementName::Parse(rest, field);
  if (!a.ok()) return InvalidField(field, kShape);
  return ContractsReference{*std::move(a)};
}

std::string ContractsReference::LocalName() const {
  return std::visit([](const auto& name) { return name.ToString(); }, target);
}

std::string ContractsReference::ToString() const {
  return absl::StrCat("//contracts/", LocalName());
}

}  // namespace enamnd::contracts
