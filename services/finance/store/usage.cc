#include "services/finance/store/usage.h"

#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/platform/proto_rows.h"
#include "services/platform/status.h"

namespace enamnd::finance::store {
namespace {

using platform::Row;
using platform::SqlInt;
using platform::SqlText;
using platform::Transaction;

// The stored row of `transaction_id` (which exists).
absl::StatusOr<UsageRow> StoredRow(Transaction& tx, const std::string& transaction_id) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT municipality, kind, time_micros, year, e_service FROM usage_records"
                  " WHERE transaction_id = ?1",
                  {transaction_id}));
  if (!row.has_value()) return absl::InternalError("a usage record vanished in its transaction");
  return UsageRow{transaction_id,
                  row->Text(0),
                  static_cast<int>(row->Int(1)),
                  row->Int(2),
                  static_cast<int>(row->Int(3)),
                  row->Text(4)};
}

// Rows are inserted kChunkRows to a statement: one statement per record
// (the SQL copied, looked up in the statement cache, stepped and reset for
// each) made IngestUsage about 12% slower (tools/benchmarks/ingest; figures in
// docs/operations.md).
constexpr size_t kChunkRows = 100;

// The INSERT of `rows` rows (6 parameters each) that skips the rows whose
// transaction id is stored.
std::string InsertSql(size_t rows) {
  std::string sql =
      "INSERT INTO usage_records (transaction_id, municipality, kind, time_micros, year,"
      " e_service) VALUES ";
  for (size_t i = 0; i < rows; ++i) {
    const size_t p = 6 * i;
    absl::StrAppend(&sql, i == 0 ? "" : ", ", "(?", p + 1, ", ?", p + 2, ", ?", p + 3, ", ?", p + 4,
                    ", ?", p + 5, ", ?", p + 6, ")");
  }
  return sql + " ON CONFLICT(transaction_id) DO NOTHING";
}

void AppendParams(const UsageRow& row, std::vector<platform::SqlValue>* params) {
  params->push_back(row.transaction_id);
  params->push_back(row.municipality);
  params->push_back(SqlInt(row.kind));
  params->push_back(SqlInt(row.time_micros));
  params->push_back(SqlInt(row.year));
  params->push_back(row.e_service);
}

// Counts a row whose transaction id is stored: a duplicate if the stored
// row has its content, a conflict otherwise (the stored row stands).
absl::Status CountStored(Transaction& tx, const UsageRow& row, IngestCounts* counts) {
  ENAMND_ASSIGN_OR_RETURN(UsageRow stored, StoredRow(tx, row.transaction_id));
  if (stored == row) {
    ++counts->duplicates;
  } else {
    ++counts->conflicts;
    if (counts->conflict_ids.size() < kMaxConflictIds) {
      counts->conflict_ids.push_back(row.transaction_id);
    }
  }
  return absl::OkStatus();
}

// Inserts one row unless its transaction id is stored; counts it.
absl::Status InsertOne(Transaction& tx, const UsageRow& row, IngestCounts* counts,
                       std::map<std::tuple<int, std::string, int>, int64_t>* added) {
  std::vector<platform::SqlValue> params;
  AppendParams(row, &params);
  static const std::string* const kInsertOne = new std::string(InsertSql(1));
  ENAMND_RETURN_IF_ERROR(tx.Exec(*kInsertOne, params));
  if (tx.Changes() == 1) {
    ++counts->added;
    ++(*added)[{row.year, row.municipality, row.kind}];
    return absl::OkStatus();
  }
  return CountStored(tx, row, counts);
}

// What inserting a chunk in one statement came to.
enum class Chunk {
  kAllNew,     // every row inserted
  kAllStored,  // no row inserted: every transaction id was stored already
  kMixed,      // some were stored (or repeated in the chunk): nothing kept; row by row
};

// Inserts rows[first, first + kChunkRows) in one statement. A chunk only
// partly inserted is rolled back to a savepoint, so that its rows can be
// told apart one by one.
absl::StatusOr<Chunk> InsertChunk(Transaction& tx, const std::vector<UsageRow>& rows,
                                  size_t first) {
  std::vector<platform::SqlValue> params;
  params.reserve(6 * kChunkRows);
  for (size_t i = first; i < first + kChunkRows; ++i) AppendParams(rows[i], &params);
  ENAMND_RETURN_IF_ERROR(tx.Exec("SAVEPOINT usage_chunk"));
  static const std::string* const kInsertChunk = new std::string(InsertSql(kChunkRows));
  ENAMND_RETURN_IF_ERROR(tx.Exec(*kInsertChunk, params));
  const int64_t inserted = tx.Changes();
  Chunk chunk = Chunk::kMixed;
  if (inserted == static_cast<int64_t>(kChunkRows)) {
    chunk = Chunk::kAllNew;
  } else if (inserted == 0) {
    chunk = Chunk::kAllStored;
  } else {
    ENAMND_RETURN_IF_ERROR(tx.Exec("ROLLBACK TO usage_chunk"));
  }
  ENAMND_RETURN_IF_ERROR(tx.Exec("RELEASE usage_chunk"));
  return chunk;
}

}  // namespace

absl::Status InsertUsage(Transaction& tx, const std::vector<UsageRow>& rows, IngestCounts* counts) {
  // (year, municipality, kind) -> records added by this batch.
  std::map<std::tuple<int, std::string, int>, int64_t> added;
  size_t next = 0;
  for (; next + kChunkRows <= rows.size(); next += kChunkRows) {
    ENAMND_ASSIGN_OR_RETURN(Chunk chunk, InsertChunk(tx, rows, next));
    for (size_t i = next; i < next + kChunkRows; ++i) {
      const UsageRow& row = rows[i];
      if (chunk == Chunk::kAllNew) {
        ++counts->added;
        ++added[{row.year, row.municipality, row.kind}];
      } else if (chunk == Chunk::kAllStored) {
        ENAMND_RETURN_IF_ERROR(CountStored(tx, row, counts));
      } else {
        ENAMND_RETURN_IF_ERROR(InsertOne(tx, row, counts, &added));
      }
    }
  }
  for (; next < rows.size(); ++next) {
    ENAMND_RETURN_IF_ERROR(InsertOne(tx, rows[next], counts, &added));
  }
  for (const auto& [key, n] : added) {
    const auto& [year, municipality, kind] = key;
    ENAMND_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO usage_counts (year, municipality, kind, count) VALUES (?1, ?2, ?3, ?4)"
                " ON CONFLICT(year, municipality, kind) DO UPDATE SET count = count + ?4",
                {SqlInt(year), municipality, SqlInt(kind), SqlInt(n)}));
  }
  return absl::OkStatus();
}

absl::StatusOr<UsageCounts> CountsOfYear(Transaction& tx, int year,
                                         const std::string& municipality) {
  ENAMND_ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      tx.Query("SELECT municipality, kind, count FROM usage_counts WHERE year = ?1"
               " AND (?2 = '' OR municipality = ?2)",
               {SqlInt(year), municipality}));
  UsageCounts counts;
  for (const Row& row : rows) counts[{row.Text(0), static_cast<int>(row.Int(1))}] = row.Int(2);
  return counts;
}

absl::StatusOr<int64_t> RecordsOfYear(Transaction& tx, int year) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> row,
      tx.QueryOne("SELECT COALESCE(SUM(count), 0) FROM usage_counts WHERE year = ?1",
                  {SqlInt(year)}));
  return row->Int(0);
}

absl::StatusOr<std::optional<v1::PriceList>> GetPriceList(Transaction& tx,
                                                          const PriceListName& name) {
  return platform::QueryProto<v1::PriceList>(
      tx, "SELECT data, revision FROM price_lists WHERE year = ?1", {SqlInt(name.year)});
}

absl::Status InsertPriceList(Transaction& tx, v1::PriceList* price_list) {
  ENAMND_ASSIGN_OR_RETURN(
      std::optional<Row> existing,
      tx.QueryOne("SELECT 1 FROM price_lists WHERE year = ?1", {SqlInt(price_list->year())}));
  if (existing.has_value()) {
    return absl::AlreadyExistsError(absl::StrCat(price_list->name(), " exists"));
  }
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("INSERT INTO price_lists (year, data, revision) VALUES (?1, ?2, 1)",
              {SqlInt(price_list->year()), platform::EncodeProto(*price_list)}));
  price_list->set_etag("1");
  return absl::OkStatus();
}

absl::Status ReplacePriceList(Transaction& tx, v1::PriceList* price_list) {
  ENAMND_RETURN_IF_ERROR(
      tx.Exec("UPDATE price_lists SET data = ?2, revision = revision + 1 WHERE year = ?1",
              {SqlInt(price_list->year()), platform::EncodeProto(*price_list)}));
  if (tx.Changes() != 1) return platform::NotFound("price list", price_list->name());
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row,
                          tx.QueryOne("SELECT revision FROM price_lists WHERE year = ?1",
                                      {SqlInt(price_list->year())}));
  price_list->set_etag(absl::StrCat(row->Int(0)));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::InvoiceBasis>> GetInvoiceBasis(Transaction& tx,
                                                                const InvoiceBasisName& name) {
  return platform::QueryProto<v1::InvoiceBasis>(
      tx, "SELECT data FROM invoice_bases WHERE year = ?1 ORDER BY revision DESC LIMIT 1",
      {SqlInt(name.year)}, platform::kDataOnly);
}

absl::StatusOr<std::optional<v1::InvoiceBasis>> GetInvoiceBasisRevision(
    Transaction& tx, const InvoiceBasisName& name, int revision) {
  return platform::QueryProto<v1::InvoiceBasis>(
      tx, "SELECT data FROM invoice_bases WHERE year = ?1 AND revision = ?2",
      {SqlInt(name.year), SqlInt(revision)}, platform::kDataOnly);
}

absl::Status InsertInvoiceBasis(Transaction& tx, const v1::InvoiceBasis& basis) {
  return tx.Exec("INSERT INTO invoice_bases (year, revision, data) VALUES (?1, ?2, ?3)",
                 {SqlInt(basis.year()), SqlInt(basis.revision()), platform::EncodeProto(basis)});
}

}  // namespace enamnd::finance::store
