// Blocks (document.h) as a PDF: A4, DejaVu fonts embedded, a header and a
// footer on every page with "Sida x av y". Made with cairo and pango.
//
// Deterministic: the same PdfDocument gives byte-identical PDF in every
// process and on every machine with the same Debian packages. Nothing is read
// from the clock or the system's font configuration: the metadata dates are
// PdfInfo::created, and the fonts come from the DejaVu files only
// (kDejaVuFontDir), never from fontconfig's own search.
#ifndef ENAMND_PLATFORM_PDF_H_
#define ENAMND_PLATFORM_PDF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "enamnd/common/v1/common.pb.h"
#include "services/platform/document.h"

namespace enamnd::platform {

// Where Debian's fonts-dejavu-core puts its files.
inline constexpr char kDejaVuFontDir[] = "/usr/share/fonts/truetype/dejavu";

// What every page carries besides its share of the blocks.
struct PageFrame {
  // Top left, first line bold: e.g. {"LULEÅ KOMMUN"}.
  std::vector<std::string> header_left;
  // Top right: e.g. {"SAMMANTRÄDESPROTOKOLL", "Norrbottens e-nämnd 2022-06-22"}.
  std::vector<std::string> header_right;
  // Labelled boxes across the foot of the page, left to right, each with room
  // for a signature: e.g. {"Justerandes signatur", "Utdragsbestyrkande"}.
  std::vector<std::string> footer_boxes;
  // A line under the boxes, e.g. "Protokoll Norrbottens e-nämnd 2022-06-22".
  std::string footer_left;
  // A line under that, e.g. "(Signerat, SHA-256 A43C…)"; empty for none.
  std::string footer_note;
  // "Sida x av y" is always printed at the right of the footer.
};

// The PDF's document information. `created` is written as both CreationDate
// and ModDate (Europe/Stockholm wall time, no offset): give a day from the
// records (the justering, the certification), never now.
struct PdfInfo {
  std::string title;
  std::string author;
  std::string subject;
  std::string creator = "enamnd";
  absl::CivilSecond created;
};

struct PdfDocument {
  std::vector<Block> blocks;
  PageFrame frame;
  PdfInfo info;
};

// The PDF bytes. INTERNAL if cairo fails, FAILED_PRECONDITION if the DejaVu
// fonts are missing (install fonts-dejavu-core). Thread-safe; renders one
// document at a time (the font map is shared).
absl::StatusOr<std::string> RenderPdf(const PdfDocument& document);

// RenderPdf as a file to return: "application/pdf", the bytes, their
// SHA-256 and `file_name`.
absl::StatusOr<enamnd::common::v1::RenderedFile> RenderPdfFile(const PdfDocument& document,
                                                               std::string file_name);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_PDF_H_
