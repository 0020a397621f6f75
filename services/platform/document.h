// A rendered document as a neutral list of blocks, written alike as text,
// HTML and PDF (pdf.h) so that the formats cannot drift apart. The protocol,
// its extracts, the portfolio overview and the plan reports are built as
// blocks by their services' domain code and rendered here.
//
// Blocks are also stored (EncodeBlocks/DecodeBlocks) next to an adjusted
// document, so that its PDF is made from what was adjusted, not from the
// records as they stand later.
#ifndef ENAMND_PLATFORM_DOCUMENT_H_
#define ENAMND_PLATFORM_DOCUMENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enamnd::platform {

struct Block {
  enum Kind {
    kTitle = 1,       // the document's title, once, first
    kHeading = 2,     // a section (e.g. "§ 8 Grundläggande granskning ...")
    kSubheading = 3,  // a part of a section (e.g. "Beslut")
    kLine = 4,        // one short line (e.g. "Ärendenr 2022/9-2.2.0.1")
    kText = 5,        // running text; "\n" separates its lines
    kItem = 6,        // one item of a bullet list
    kRow = 7,         // one row of a table: cells separated by '\t'
    kHeaderRow = 8,   // a table's header row, cells as for kRow
    kPageBreak = 9,   // PDF: what follows starts a new page; text is empty
  };
  Kind kind = kLine;
  std::string text;

  friend bool operator==(const Block& a, const Block& b) {
    return a.kind == b.kind && a.text == b.text;
  }
};

// UTF-8 text with "\n" line ends, ending with a newline. Titles are
// underlined with '='; headings and subheadings follow a blank line; text is
// indented by two spaces; items are "  - item"; rows are cells joined by
// " | ".
std::string RenderBlocksAsText(const std::vector<Block>& blocks);

// A complete HTML page (lang="sv", UTF-8) titled `title`.
std::string RenderBlocksAsHtml(const std::vector<Block>& blocks, absl::string_view title);

// A compact, versioned binary form of `blocks`, and its parser: Decode
// returns exactly what was encoded, and INVALID_ARGUMENT (naming `field`) for
// anything else.
std::string EncodeBlocks(const std::vector<Block>& blocks);
absl::StatusOr<std::vector<Block>> DecodeBlocks(absl::string_view encoded,
                                                absl::string_view field = "blocks");

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_DOCUMENT_H_
