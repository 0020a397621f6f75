// Replies spliced from stored bytes. A resource is stored serialized, without
// its etag (proto_rows.h). A reply that carries it unchanged can be built
// from those bytes without parsing them into a message and serializing that
// again: a message's encoding is the concatenation of its fields, in any
// order, and an embedded message is a length-delimited field holding its
// encoding. Parsing and serializing a page of 50 paragraphs costs several
// times what reading the rows does, most of it in allocating and freeing
// the strings of every field.
//
// Whatever must change the stored message (redaction) goes the slow way: a
// handler looks at the fields that decide it with ScanStoredFields and
// parses only the rows that need it.
#ifndef ENAMND_PLATFORM_STORED_REPLY_H_
#define ENAMND_PLATFORM_STORED_REPLY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace enamnd::platform {

// Appends `stored` and then string field `etag_field` set to `revision`:
// the encoding of the resource with its etag, as DecodeProto gives it.
void AppendStoredWithEtag(absl::string_view stored, int etag_field, int64_t revision,
                          std::string* out);

// Appends field `field` of a reply: an embedded message whose encoding is
// what AppendStoredWithEtag appends.
void AppendEmbeddedStored(int field, absl::string_view stored, int etag_field, int64_t revision,
                          std::string* out);

// Appends field `field` as an embedded message whose encoding is `encoded`.
void AppendEmbedded(int field, absl::string_view encoded, std::string* out);

// Appends string field `field` set to `value`; nothing when it is empty (a
// proto3 string at its default is not encoded).
void AppendStringField(int field, absl::string_view value, std::string* out);

// A top-level field of an encoded message, as ScanStoredFields found it.
struct StoredField {
  bool present = false;
  // The last occurrence's bytes when the field is length-delimited (a
  // string or an embedded message); empty otherwise.
  absl::string_view value;
};

// Looks up the top-level fields numbered `wanted` in `encoded`, skipping
// every other field without decoding it: found[i] is field wanted[i].
// DATA_LOSS when `encoded` is not a well-formed encoding.
absl::Status ScanStoredFields(absl::string_view encoded, absl::Span<const int> wanted,
                              absl::Span<StoredField> found);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_STORED_REPLY_H_
