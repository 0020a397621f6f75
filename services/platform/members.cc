#include "services/platform/members.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/platform/status.h"
#include "services/platform/validation.h"

namespace enamnd::platform {

MigrationSet MembersMigrations() {
  return MigrationSet{
      "members",
      {
          // 1: the register.
          "CREATE TABLE members ("
          "  code TEXT PRIMARY KEY, display_name TEXT NOT NULL, population INTEGER NOT NULL,"
          "  population_day TEXT NOT NULL) WITHOUT ROWID;",
      }};
}

absl::Status RememberMember(Transaction& tx, const MemberRegistered& member) {
  ENAMND_ASSIGN_OR_RETURN(std::string code,
                          ParseMunicipalityName(member.municipality, "municipality"));
  const common::v1::Date& d = member.population_date;
  return tx.Exec(
      "INSERT INTO members (code, display_name, population, population_day)"
      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(code) DO UPDATE SET display_name = ?2,"
      " population = ?3, population_day = ?4",
      {code, member.display_name, member.population,
       absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day())});
}

absl::StatusOr<std::string> RequireMember(Transaction& tx, absl::string_view name,
                                          absl::string_view field) {
  ENAMND_ASSIGN_OR_RETURN(std::string code, ParseMunicipalityName(name, field));
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT 1 FROM members WHERE code = ?1", {code}));
  if (row.has_value()) return code;
  ENAMND_ASSIGN_OR_RETURN(int64_t known, CountMembers(tx));
  return InvalidField(field, absl::StrCat(name, " is not a member municipality (", known,
                                          " members are registered with the meetings service)"));
}

absl::StatusOr<int64_t> CountMembers(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row, tx.QueryOne("SELECT COUNT(*) FROM members", {}));
  return row->Int(0);
}

absl::StatusOr<std::vector<Member>> ListMembers(Transaction& tx) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT code, display_name, population FROM members ORDER BY code", {}));
  std::vector<Member> members;
  members.reserve(rows.size());
  for (const Row& row : rows) members.push_back({row.Text(0), row.Text(1), row.Int(2)});
  return members;
}

}  // namespace enamnd::platform
