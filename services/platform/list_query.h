// One helper for every List method (AIP-132/158): SQL built from the filters
// actually given, keyset pagination on a unique sort key, LIMIT page + 1,
// and an integrity-checked page token.
//
// A store describes its query once:
//
//   ListQuery q("ListParagraphs|" + parent + "|" + filter,
//               "SELECT p.data, p.revision FROM paragraphs p",
//               {{"p.body_id", KeyType::kText}, {"p.year", KeyType::kInt},
//                {"p.number", KeyType::kInt}});
//   if (meeting) q.Where("p.meeting = ?", {*meeting});
//   ENAMND_ASSIGN_OR_RETURN(ListPage page, q.Run(tx, request.page_size(),
//                                                request.page_token()));
//
// Only the conditions of given filters reach SQLite, so its planner can pick
// the index of that filter (a `(? IS NULL OR col = ?)` term defeats it).
// Each service declares one index per filter it offers; a test per List
// checks the plan with Explain().
#ifndef ENAMND_PLATFORM_LIST_QUERY_H_
#define ENAMND_PLATFORM_LIST_QUERY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/platform/database.h"

namespace enamnd::platform {

enum class KeyType { kInt, kText };

// One column of the sort key, as an SQL expression of the FROM clause.
struct KeyColumn {
  std::string expr;
  KeyType type;
};

// The rows of one page (the SELECT's own columns first, then the key
// columns) and the token of the next page, empty on the last page.
struct ListPage {
  std::vector<Row> rows;
  std::string next_page_token;
};

class ListQuery {
 public:
  // `scope` binds page tokens to one request shape (method, parent,
  // filter). `select_from` is "SELECT <columns> FROM <tables and joins>";
  // `key` must be unique per row and NOT NULL (add the primary key last).
  ListQuery(std::string scope, std::string select_from, std::vector<KeyColumn> key,
            bool descending = false);

  // Adds `condition` (with `?` placeholders for `params`) to the WHERE
  // clause, joined by AND. Call only for filters that are given.
  ListQuery& Where(std::string condition, std::vector<SqlValue> params = {});

  // Adds `expr = ?` for a filter that fixes a column of the sort key (the
  // body of bodies/{body}/meetings, a case year). The column leaves the
  // key: it cannot vary within the list, and comparing it on a later page
  // would keep SQLite from seeking straight to the page's first row.
  ListQuery& WhereKeyIs(const std::string& expr, SqlValue value);

  // Reads one page. page_size 0 is the default; negative is
  // INVALID_ARGUMENT (page_size); a bad token is INVALID_ARGUMENT
  // (page_token).
  absl::StatusOr<ListPage> Run(Transaction& tx, int page_size, absl::string_view page_token) const;

  // How many rows the whole list has (every page; AIP-132 total_size).
  absl::StatusOr<int64_t> Count(Transaction& tx) const;

  // The statement and parameters Run executes for a first page (or, with
  // `after_key`, for a later page); for EXPLAIN QUERY PLAN tests.
  std::string Sql(bool with_after_key) const;
  std::vector<SqlValue> Params(const std::vector<std::string>& after_key, int limit) const;

  // The EXPLAIN QUERY PLAN lines of the first-page (and, when
  // `with_after_key`, a later-page) statement.
  absl::StatusOr<std::vector<std::string>> Explain(Transaction& tx, bool with_after_key) const;

 private:
  std::string scope_;
  std::string select_from_;
  std::vector<KeyColumn> key_;
  bool descending_;
  std::vector<std::string> conditions_;
  std::vector<SqlValue> params_;
};

// True when the cost of a page does not grow with the table: nothing is
// sorted in a temporary B-tree, no table is scanned, and, when `filtered`,
// every access seeks an index (SEARCH) rather than walking one (SCAN).
bool PlanUsesIndexes(const std::vector<std::string>& plan, bool filtered);

// True when a later page's plan (Explain(tx, true)) starts by seeking the
// key range after the token (SEARCH ... (key>?)), so that page n costs what
// page 1 costs instead of walking past the n-1 pages before it.
bool PlanSeeksAfterKey(const std::vector<std::string>& plan);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_LIST_QUERY_H_
