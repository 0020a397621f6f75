// Stored document blocks (services/platform/document.h): DecodeBlocks on
// bytes from outside, and EncodeBlocks/DecodeBlocks as inverses on blocks
// made from the input.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/platform/document.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using enamnd::platform::Block;
  using enamnd::platform::DecodeBlocks;
  using enamnd::platform::EncodeBlocks;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  // Bytes from the store: rejected with INVALID_ARGUMENT naming the field,
  // or a list whose one encoding is exactly those bytes.
  absl::StatusOr<std::vector<Block>> decoded = DecodeBlocks(input, "blocks");
  if (!decoded.ok()) {
    ENAMND_FUZZ_CHECK(enamnd::fuzz::IsInvalidField(decoded.status(), "blocks"));
  } else {
    ENAMND_FUZZ_CHECK(EncodeBlocks(*decoded) == input);
  }

  // Any texts, of any kind (from their length), survive the round trip; the
  // text and HTML renderings take them too.
  std::vector<Block> blocks;
  for (absl::string_view text : absl::StrSplit(input, absl::MaxSplits('\x1e', 15))) {
    blocks.push_back(Block{static_cast<Block::Kind>(1 + text.size() % 8), std::string(text)});
  }
  absl::StatusOr<std::vector<Block>> back = DecodeBlocks(EncodeBlocks(blocks));
  ENAMND_FUZZ_CHECK(back.ok() && *back == blocks);
  enamnd::platform::RenderBlocksAsText(blocks);
  enamnd::platform::RenderBlocksAsHtml(blocks, input);
  return 0;
}
