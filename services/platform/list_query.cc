#include "services/platform/list_query.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/platform/listing.h"
#include "services/platform/status.h"

namespace enamnd::platform {
namespace {

std::string KeyText(const Row& row, int column, KeyType type) {
  return type == KeyType::kInt ? absl::StrCat(row.Int(column)) : row.Text(column);
}

}  // namespace

ListQuery::ListQuery(std::string scope, std::string select_from, std::vector<KeyColumn> key,
                     bool descending)
    : scope_(std::move(scope)),
      select_from_(std::move(select_from)),
      key_(std::move(key)),
      descending_(descending) {}

ListQuery& ListQuery::Where(std::string condition, std::vector<SqlValue> params) {
  conditions_.push_back(std::move(condition));
  for (SqlValue& p : params) params_.push_back(std::move(p));
  return *this;
}

ListQuery& ListQuery::WhereKeyIs(const std::string& expr, SqlValue value) {
  key_.erase(
      std::remove_if(key_.begin(), key_.end(), [&](const KeyColumn& k) { return k.expr == expr; }),
      key_.end());
  return Where(absl::StrCat(expr, " = ?"), {std::move(value)});
}

std::string ListQuery::Sql(bool with_after_key) const {
  std::vector<std::string> keys;
  std::vector<std::string> marks;
  for (const KeyColumn& k : key_) {
    keys.push_back(k.expr);
    marks.push_back("?");
  }
  // "SELECT a, b FROM t" -> "SELECT a, b, <key> FROM t": the key columns
  // follow the caller's own, so the last row of a page gives the token.
  std::string sql = select_from_;
  size_t from = sql.find(" FROM ");
  sql.insert(from, absl::StrCat(", ", absl::StrJoin(keys, ", ")));
  std::vector<std::string> where = conditions_;
  if (with_after_key) {
    where.push_back(absl::StrCat("(", absl::StrJoin(keys, ", "), ") ", descending_ ? "<" : ">",
                                 " (", absl::StrJoin(marks, ", "), ")"));
  }
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(where, " AND "));
  const char* direction = descending_ ? " DESC" : "";
  std::vector<std::string> order;
  for (const std::string& k : keys) order.push_back(absl::StrCat(k, direction));
  absl::StrAppend(&sql, " ORDER BY ", absl::StrJoin(order, ", "), " LIMIT ?");
  return sql;
}

std::vector<SqlValue> ListQuery::Params(const std::vector<std::string>& after_key,
                                        int limit) const {
  std::vector<SqlValue> params;
  params.reserve(params_.size() + after_key.size() + 1);
  for (const SqlValue& p : params_) params.push_back(p);
  for (size_t i = 0; i < after_key.size(); ++i) {
    int64_t number = 0;
    if (key_[i].type == KeyType::kInt && absl::SimpleAtoi(after_key[i], &number)) {
      params.emplace_back(std::in_place_type<int64_t>, number);
    } else {
      params.emplace_back(std::in_place_type<std::string>, after_key[i]);
    }
  }
  params.emplace_back(std::in_place_type<int64_t>, limit);
  return params;
}

absl::StatusOr<ListPage> ListQuery::Run(Transaction& tx, int page_size,
                                        absl::string_view page_token) const {
  ENAMND_ASSIGN_OR_RETURN(int size, EffectivePageSize(page_size));
  std::vector<std::string> after;
  if (!page_token.empty()) {
    ENAMND_ASSIGN_OR_RETURN(after, DecodePageToken(page_token, scope_));
    if (after.size() != key_.size()) return InvalidField("page_token", "malformed");
    for (size_t i = 0; i < after.size(); ++i) {
      int64_t unused = 0;
      if (key_[i].type == KeyType::kInt && !absl::SimpleAtoi(after[i], &unused)) {
        return InvalidField("page_token", "malformed");
      }
    }
  }
  ListPage page;
  ENAMND_ASSIGN_OR_RETURN(page.rows, tx.Query(Sql(!after.empty()), Params(after, size + 1)));
  if (static_cast<int>(page.rows.size()) > size) {
    page.rows.erase(page.rows.begin() + size, page.rows.end());
    const Row& last = page.rows.back();
    int first_key_column = static_cast<int>(last.size() - key_.size());
    std::vector<std::string> key;
    for (size_t i = 0; i < key_.size(); ++i) {
      key.push_back(KeyText(last, first_key_column + static_cast<int>(i), key_[i].type));
    }
    page.next_page_token = EncodePageToken(scope_, key);
  }
  return page;
}

absl::StatusOr<int64_t> ListQuery::Count(Transaction& tx) const {
  std::string sql =
      absl::StrCat("SELECT COUNT(*)", select_from_.substr(select_from_.find(" FROM ")));
  if (!conditions_.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions_, " AND "));
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row, tx.QueryOne(sql, params_));
  return row->Int(0);
}

absl::StatusOr<std::vector<std::string>> ListQuery::Explain(Transaction& tx,
                                                            bool with_after_key) const {
  std::vector<std::string> after;
  for (const KeyColumn& k : key_) after.push_back(k.type == KeyType::kInt ? "0" : "");
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query(absl::StrCat("EXPLAIN QUERY PLAN ", Sql(with_after_key)),
               Params(with_after_key ? after : std::vector<std::string>{}, kDefaultPageSize + 1)));
  std::vector<std::string> plan;
  for (const Row& row : rows) plan.push_back(row.Text(3));  // id, parent, notused, detail
  return plan;
}

bool PlanUsesIndexes(const std::vector<std::string>& plan, bool filtered) {
  for (const std::string& line : plan) {
    if (absl::StrContains(line, "USE TEMP B-TREE")) return false;
    if (absl::StartsWith(line, "SCAN ")) {
      // An unfiltered list may walk an index in key order; a filtered one
      // must seek (SEARCH), or it reads rows the filter then throws away.
      if (filtered || !absl::StrContains(line, " USING ")) return false;
    }
  }
  return true;
}

bool PlanSeeksAfterKey(const std::vector<std::string>& plan) {
  return !plan.empty() && absl::StartsWith(plan[0], "SEARCH ") &&
         (absl::StrContains(plan[0], ">") || absl::StrContains(plan[0], "<"));
}

}  // namespace enamnd::platform
