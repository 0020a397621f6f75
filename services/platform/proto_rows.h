// Resources stored as serialized protos: every service keeps a resource's
// proto in a `data` column next to the columns it queries, and counts its
// revisions in a column that becomes the etag (AIP-154). These read and
// write such rows, and pages of them.
#ifndef ENAMND_PLATFORM_PROTO_ROWS_H_
#define ENAMND_PLATFORM_PROTO_ROWS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "services/platform/database.h"
#include "services/platform/list_query.h"
#include "services/platform/status.h"

namespace enamnd::platform {

// One page of a List.
template <typename Proto>
struct Page {
  std::vector<Proto> items;
  std::string next_page_token;
};

// Where a row keeps the proto and its revision; kNoRevision for resources
// without an etag.
struct ProtoColumns {
  static constexpr int kNoRevision = -1;
  int data = 0;
  int revision = 1;
};
// A row of the proto alone (no revision column).
inline constexpr ProtoColumns kDataOnly{0, ProtoColumns::kNoRevision};

// The proto of `row`, with its etag set from the revision column when the
// resource has an etag. DATA_LOSS when the stored bytes do not parse.
template <typename Proto>
absl::StatusOr<Proto> DecodeProto(const Row& row, ProtoColumns columns = {}) {
  Proto proto;
  if (!proto.ParseFromString(row.Text(columns.data))) {
    return absl::DataLossError(
        absl::StrCat("stored ", Proto::descriptor()->name(), " does not parse"));
  }
  if constexpr (requires(Proto p) { p.set_etag(std::string()); }) {
    if (columns.revision != ProtoColumns::kNoRevision) {
      proto.set_etag(absl::StrCat(row.Int(columns.revision)));
    }
  }
  return proto;
}

// The bytes to store: the proto without its etag (the revision column is
// the etag's truth).
template <typename Proto>
Blob EncodeProto(const Proto& proto) {
  if constexpr (requires(Proto p) { p.clear_etag(); }) {
    Proto copy = proto;
    copy.clear_etag();
    return Blob{copy.SerializeAsString()};
  } else {
    return Blob{proto.SerializeAsString()};
  }
}

template <typename Proto>
absl::StatusOr<std::vector<Proto>> DecodeProtos(const std::vector<Row>& rows,
                                                ProtoColumns columns = {}) {
  std::vector<Proto> out;
  out.reserve(rows.size());
  for (const Row& row : rows) {
    ENAMND_ASSIGN_OR_RETURN(Proto proto, DecodeProto<Proto>(row, columns));
    out.push_back(std::move(proto));
  }
  return out;
}

// The resource of the first row of `sql`, or nullopt.
template <typename Proto>
absl::StatusOr<std::optional<Proto>> QueryProto(Transaction& tx, absl::string_view sql,
                                                const std::vector<SqlValue>& params,
                                                ProtoColumns columns = {}) {
  ENAMND_ASSIGN_OR_RETURN(std::optional<Row> row, tx.QueryOne(sql, params));
  if (!row.has_value()) return std::optional<Proto>();
  ENAMND_ASSIGN_OR_RETURN(Proto proto, DecodeProto<Proto>(*row, columns));
  return std::optional<Proto>(std::move(proto));
}

template <typename Proto>
absl::StatusOr<std::vector<Proto>> QueryProtos(Transaction& tx, absl::string_view sql,
                                               const std::vector<SqlValue>& params,
                                               ProtoColumns columns = {}) {
  ENAMND_ASSIGN_OR_RETURN(std::vector<Row> rows, tx.Query(sql, params));
  return DecodeProtos<Proto>(rows, columns);
}

// One page of `query` as protos.
template <typename Proto>
absl::StatusOr<Page<Proto>> ListProtos(Transaction& tx, const ListQuery& query, int page_size,
                                       absl::string_view page_token, ProtoColumns columns = {}) {
  ENAMND_ASSIGN_OR_RETURN(ListPage page, query.Run(tx, page_size, page_token));
  Page<Proto> out;
  ENAMND_ASSIGN_OR_RETURN(out.items, DecodeProtos<Proto>(page.rows, columns));
  out.next_page_token = std::move(page.next_page_token);
  return out;
}

// NOT_FOUND "<what> <name> does not exist".
inline absl::Status NotFound(absl::string_view what, absl::string_view name) {
  return absl::NotFoundError(absl::StrCat(what, " ", name, " does not exist"));
}

// The resource a Get* found, or NOT_FOUND naming it.
template <typename Proto>
absl::StatusOr<Proto> Required(absl::StatusOr<std::optional<Proto>> found, absl::string_view what,
                               absl::string_view name) {
  if (!found.ok()) return found.status();
  if (!found->has_value()) return NotFound(what, name);
  return **std::move(found);
}

// Moves a page into a List response, e.g.
//   FillPage(std::move(page), &v1::ListBodiesResponse::mutable_bodies, response);
template <typename Proto, typename Response>
void FillPage(Page<Proto> page, google::protobuf::RepeatedPtrField<Proto>* (Response::*items)(),
              Response* response) {
  for (Proto& item : page.items) *(response->*items)()->Add() = std::move(item);
  response->set_next_page_token(std::move(page.next_page_token));
}

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_PROTO_ROWS_H_
