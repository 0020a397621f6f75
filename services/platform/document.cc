#include "services/platform/document.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/platform/html.h"

namespace enamnd::platform {
namespace {

// The first line of an encoded block list; a new layout gets a new version.
constexpr absl::string_view kMagic = "enamnd-blocks 1\n";

bool KnownKind(size_t kind) { return kind >= Block::kTitle && kind <= Block::kPageBreak; }

// A number as EncodeBlocks writes it: digits only (SimpleAtoi alone would
// take a sign, spaces and leading zeros), so that a list has one encoding.
bool ParseEncodedNumber(absl::string_view digits, size_t* value) {
  if (digits.empty() || digits.size() > 10 || (digits.size() > 1 && digits[0] == '0')) return false;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(digits, value);
}

std::string Indent(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (auto& line : lines) line = line.empty() ? line : absl::StrCat("  ", line);
  return absl::StrJoin(lines, "\n");
}

std::string Cells(const std::string& row) {
  return absl::StrJoin(absl::StrSplit(row, '\t'), " | ");
}

std::string HtmlCells(const std::string& row, absl::string_view tag) {
  std::string out = "<tr>";
  for (absl::string_view cell : absl::StrSplit(row, '\t')) {
    absl::StrAppend(&out, "<", tag, ">", HtmlEscape(cell), "</", tag, ">");
  }
  return out + "</tr>\n";
}

}  // namespace

std::string RenderBlocksAsText(const std::vector<Block>& blocks) {
  std::string out;
  for (const Block& b : blocks) {
    switch (b.kind) {
      case Block::kTitle:
        absl::StrAppend(&out, b.text, "\n", std::string(b.text.size(), '='), "\n");
        break;
      case Block::kHeading:
      case Block::kSubheading:
        absl::StrAppend(&out, "\n", b.text, "\n");
        break;
      case Block::kLine:
        absl::StrAppend(&out, b.text, "\n");
        break;
      case Block::kText:
        absl::StrAppend(&out, Indent(b.text), "\n");
        break;
      case Block::kItem:
        absl::StrAppend(&out, "  - ", b.text, "\n");
        break;
      case Block::kRow:
      case Block::kHeaderRow:
        absl::StrAppend(&out, "  ", Cells(b.text), "\n");
        break;
      case Block::kPageBreak:  // pages are the PDF's
        break;
    }
  }
  return out;
}

std::string RenderBlocksAsHtml(const std::vector<Block>& blocks, absl::string_view title) {
  std::string out =
      absl::StrCat("<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
                   HtmlEscape(title), "</title>\n</head>\n<body>\n");
  enum class Open { kNone, kList, kTable } open = Open::kNone;
  auto close = [&] {
    if (open == Open::kList) out += "</ul>\n";
    if (open == Open::kTable) out += "</table>\n";
    open = Open::kNone;
  };
  for (const Block& b : blocks) {
    const bool row = b.kind == Block::kRow || b.kind == Block::kHeaderRow;
    if ((open == Open::kList && b.kind != Block::kItem) || (open == Open::kTable && !row)) close();
    switch (b.kind) {
      case Block::kTitle:
        absl::StrAppend(&out, "<h1>", HtmlEscape(b.text), "</h1>\n");
        break;
      case Block::kHeading:
        absl::StrAppend(&out, "<h2>", HtmlEscape(b.text), "</h2>\n");
        break;
      case Block::kSubheading:
        absl::StrAppend(&out, "<h3>", HtmlEscape(b.text), "</h3>\n");
        break;
      case Block::kLine:
        absl::StrAppend(&out, "<p>", HtmlEscape(b.text), "</p>\n");
        break;
      case Block::kText: {
        std::vector<std::string> lines = absl::StrSplit(b.text, '\n');
        for (auto& l : lines) l = HtmlEscape(l);
        absl::StrAppend(&out, "<p>", absl::StrJoin(lines, "<br>\n"), "</p>\n");
        break;
      }
      case Block::kItem:
        if (open == Open::kNone) out += "<ul>\n";
        open = Open::kList;
        absl::StrAppend(&out, "<li>", HtmlEscape(b.text), "</li>\n");
        break;
      case Block::kRow:
      case Block::kHeaderRow:
        if (open == Open::kNone) out += "<table>\n";
        open = Open::kTable;
        out += HtmlCells(b.text, b.kind == Block::kHeaderRow ? "th" : "td");
        break;
      case Block::kPageBreak:
        break;
    }
  }
  close();
  out += "</body>\n</html>\n";
  return out;
}

std::string EncodeBlocks(const std::vector<Block>& blocks) {
  std::string out(kMagic);
  for (const Block& b : blocks) {
    absl::StrAppend(&out, static_cast<int>(b.kind), ":", b.text.size(), ":", b.text);
  }
  return out;
}

absl::StatusOr<std::vector<Block>> DecodeBlocks(absl::string_view encoded,
                                                absl::string_view field) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
  };
  if (!absl::ConsumePrefix(&encoded, kMagic)) return bad("not an encoded block list");
  std::vector<Block> blocks;
  while (!encoded.empty()) {
    size_t colon = encoded.find(':');
    size_t kind = 0;
    if (colon == absl::string_view::npos || !ParseEncodedNumber(encoded.substr(0, colon), &kind) ||
        !KnownKind(kind)) {
      return bad(absl::StrCat("block ", blocks.size(), " has no known kind"));
    }
    encoded.remove_prefix(colon + 1);
    colon = encoded.find(':');
    size_t size = 0;
    if (colon == absl::string_view::npos || !ParseEncodedNumber(encoded.substr(0, colon), &size) ||
        size > encoded.size() - colon - 1) {
      return bad(absl::StrCat("block ", blocks.size(), " has no valid length"));
    }
    encoded.remove_prefix(colon + 1);
    blocks.push_back(Block{static_cast<Block::Kind>(kind), std::string(encoded.substr(0, size))});
    encoded.remove_prefix(size);
  }
  return blocks;
}

}  // namespace enamnd::platform
