#include "services/platform/stored_reply.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace enamnd::platform {
namespace {

using google::protobuf::internal::WireFormatLite;

void AppendVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

size_t VarintSize(uint64_t value) {
  size_t size = 1;
  for (; value >= 0x80; value >>= 7) ++size;
  return size;
}

uint32_t LengthDelimitedTag(int field) {
  return WireFormatLite::MakeTag(field, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
}

void AppendLengthDelimitedTag(int field, std::string* out) {
  AppendVarint(LengthDelimitedTag(field), out);
}

// Bytes of the decimal `revision` (the etag's text) in `buffer`.
absl::string_view EtagText(int64_t revision,
                           char (&buffer)[absl::numbers_internal::kFastToBufferSize]) {
  char* end = absl::numbers_internal::FastIntToBuffer(revision, buffer);
  return absl::string_view(buffer, static_cast<size_t>(end - buffer));
}

}  // namespace

void AppendStringField(int field, absl::string_view value, std::string* out) {
  if (value.empty()) return;
  AppendLengthDelimitedTag(field, out);
  AppendVarint(value.size(), out);
  out->append(value.data(), value.size());
}

void AppendStoredWithEtag(absl::string_view stored, int etag_field, int64_t revision,
                          std::string* out) {
  char buffer[absl::numbers_internal::kFastToBufferSize];
  out->append(stored.data(), stored.size());
  AppendStringField(etag_field, EtagText(revision, buffer), out);
}

void AppendEmbeddedStored(int field, absl::string_view stored, int etag_field, int64_t revision,
                          std::string* out) {
  char buffer[absl::numbers_internal::kFastToBufferSize];
  absl::string_view etag = EtagText(revision, buffer);
  const size_t etag_bytes =
      VarintSize(LengthDelimitedTag(etag_field)) + VarintSize(etag.size()) + etag.size();
  AppendLengthDelimitedTag(field, out);
  AppendVarint(stored.size() + etag_bytes, out);
  out->append(stored.data(), stored.size());
  AppendStringField(etag_field, etag, out);
}

void AppendEmbedded(int field, absl::string_view encoded, std::string* out) {
  AppendLengthDelimitedTag(field, out);
  AppendVarint(encoded.size(), out);
  out->append(encoded.data(), encoded.size());
}

absl::Status ScanStoredFields(absl::string_view encoded, absl::Span<const int> wanted,
                              absl::Span<StoredField> found) {
  for (StoredField& f : found) f = StoredField{};
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(encoded.data()),
                                               static_cast<int>(encoded.size()));
  const absl::Status malformed = absl::DataLossError("stored message is not a valid encoding");
  const int size = static_cast<int>(encoded.size());
  while (input.CurrentPosition() < size) {
    const uint32_t tag = input.ReadTag();
    if (tag == 0) return malformed;  // field number 0, or a tag cut short
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    int index = -1;
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (wanted[i] == number) index = static_cast<int>(i);
    }
    if (WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length = 0;
      if (!input.ReadVarint32(&length)) return malformed;
      const int at = input.CurrentPosition();
      if (!input.Skip(static_cast<int>(length))) return malformed;
      if (index >= 0) {
        found[index].present = true;
        found[index].value = encoded.substr(static_cast<size_t>(at), length);
      }
    } else {
      if (!WireFormatLite::SkipField(&input, tag)) return malformed;
      if (index >= 0) found[index] = StoredField{true, absl::string_view()};
    }
  }
  return absl::OkStatus();
}

}  // namespace enamnd::platform
