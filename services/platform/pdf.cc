#include "services/platform/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "services/platform/sha256.h"

namespace enamnd::platform {
namespace {

// ------------------------------------------------------------ page geometry
// Points (1/72 inch); y grows downwards from the top of the page.
constexpr double kPageWidth = 595.28;  // A4 portrait
constexpr double kPageHeight = 841.89;
constexpr double kSideMargin = 56;
constexpr double kTextWidth = kPageWidth - 2 * kSideMargin;
constexpr double kHeaderTop = 36;
constexpr double kFooterBottom = kPageHeight - 30;
// Between the header's rule and the body, and the body and the footer.
constexpr double kBodyGapTop = 16;
constexpr double kBodyGapBottom = 14;
constexpr double kSignatureRoom = 28;
constexpr double kBoxPadding = 3;
constexpr double kBulletIndent = 14;
constexpr double kCellPaddingX = 4;
constexpr double kCellPaddingY = 3;
// The first column of a table is the row's label; the others share the rest.
constexpr double kFirstColumnShare = 0.4;

constexpr char kFontFamily[] = "DejaVu Sans";
// The files the renderer cannot do without (the rest of the folder is optional).
constexpr const char* kRequiredFontFiles[] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"};

struct TextStyle {
  double size;
  bool bold = false;
};
constexpr TextStyle kBodyStyle{10};
constexpr TextStyle kTitleStyle{16, true};
constexpr TextStyle kHeadingStyle{12.5, true};
constexpr TextStyle kSubheadingStyle{10.5, true};
constexpr TextStyle kHeaderStyle{9};
constexpr TextStyle kHeaderFirstStyle{9, true};
constexpr TextStyle kFooterStyle{8.5};
constexpr TextStyle kSmallStyle{7};

// ------------------------------------------------------------ owned C objects
// A unique_ptr deleter that calls the C library's own free function.
template <auto kFree>
struct FreeWith {
  template <typename T>
  void operator()(T* object) const {
    kFree(object);
  }
};

using FontMapPtr = std::unique_ptr<PangoFontMap, FreeWith<g_object_unref>>;
using ContextPtr = std::unique_ptr<PangoContext, FreeWith<g_object_unref>>;
using LayoutPtr = std::unique_ptr<PangoLayout, FreeWith<g_object_unref>>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, FreeWith<cairo_surface_destroy>>;
using CairoPtr = std::unique_ptr<cairo_t, FreeWith<cairo_destroy>>;
using FontOptionsPtr = std::unique_ptr<cairo_font_options_t, FreeWith<cairo_font_options_destroy>>;
using FcConfigPtr = std::unique_ptr<FcConfig, FreeWith<FcConfigDestroy>>;
using FontDescriptionPtr =
    std::unique_ptr<PangoFontDescription, FreeWith<pango_font_description_free>>;
using LayoutIterPtr = std::unique_ptr<PangoLayoutIter, FreeWith<pango_layout_iter_free>>;
using GStringPtr = std::unique_ptr<gchar, FreeWith<g_free>>;

// ------------------------------------------------------------ fonts
// A font map that knows the DejaVu files and nothing else: an empty
// fontconfig configuration (no system rules, no system fonts) with the
// folder added, so that the layout cannot change with what else is installed.
absl::StatusOr<FontMapPtr> BuildFontMap() {
  for (const char* file : kRequiredFontFiles) {
    std::filesystem::path path = std::filesystem::path(kDejaVuFontDir) / file;
    if (std::error_code error; !std::filesystem::is_regular_file(path, error)) {
      return absl::FailedPreconditionError(absl::StrCat("RenderPdf: font file ", path.string(),
                                                        " is missing (install fonts-dejavu-core)"));
    }
  }
  // File by file, in name order, rather than FcConfigAppFontAddDir: that
  // one also writes a fontconfig cache, and with no cache folder configured
  // prints "Fontconfig error: No writable cache directories" on every start.
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(kDejaVuFontDir, error)) {
    if (entry.path().extension() == ".ttf") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  FcConfigPtr config(FcConfigCreate());
  if (config == nullptr) return absl::InternalError("RenderPdf: FcConfigCreate failed");
  for (const std::string& file : files) {
    if (!FcConfigAppFontAddFile(config.get(), reinterpret_cast<const FcChar8*>(file.c_str()))) {
      return absl::FailedPreconditionError(
          absl::StrCat("RenderPdf: cannot read the font ", file, " (reinstall fonts-dejavu-core)"));
    }
  }
  FontMapPtr font_map(pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT));
  if (font_map == nullptr) return absl::InternalError("RenderPdf: pango has no FreeType font map");
  // The font map takes its own reference to the configuration.
  pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(font_map.get()), config.get());
  return font_map;
}

// The process's one font map, built on first use. Pango 1.50's font maps
// (and their font caches) are not safe to use from two threads at once, so a
// render holds the mutex from start to end: one document at a time.
class SharedFonts {
 public:
  static SharedFonts& Instance() {
    static SharedFonts* const fonts = new SharedFonts;  // never destroyed
    return *fonts;
  }
  absl::Mutex& mutex() ABSL_LOCK_RETURNED(mutex_) { return mutex_; }

  absl::StatusOr<PangoFontMap*> FontMap() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (font_map_ == nullptr) {
      // Not kept on failure: the next render tries again (fonts installed since).
      absl::StatusOr<FontMapPtr> built = BuildFontMap();
      if (!built.ok()) return built.status();
      font_map_ = *std::move(built);
    }
    return font_map_.get();
  }

 private:
  absl::Mutex mutex_;
  FontMapPtr font_map_ ABSL_GUARDED_BY(mutex_);
};

// A context whose layout depends on nothing but the text: no hinting, no
// rounding to device pixels, Swedish and left-to-right whatever the locale.
ContextPtr NewContext(PangoFontMap* font_map) {
  ContextPtr context(pango_font_map_create_context(font_map));
  FontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(context.get(), options.get());  // copies them
  pango_context_set_round_glyph_positions(context.get(), FALSE);
  pango_context_set_language(context.get(), pango_language_from_string("sv"));
  pango_context_set_base_dir(context.get(), PANGO_DIRECTION_LTR);
  return context;
}

double FromPango(int units) { return pango_units_to_double(units); }

// ------------------------------------------------------------ layout
// One line to draw: `line` belongs to a layout the renderer keeps alive.
struct PlacedLine {
  PangoLayoutLine* line;
  double x;
  double baseline;
};
struct Rule {
  double x0, x1, y;
  double width;
  double gray;  // 0 black .. 1 white
};

// The smallest piece of body that pagination moves: a line of text, a
// heading's line, a table row. Coordinates are relative to its top.
struct Unit {
  double space_before = 0;  // dropped at the top of a page
  double height = 0;
  // A heading's lines stay on the page of the first line after them.
  bool keep_with_next = false;
  // Starts a new page unless the page is still empty (Block::kPageBreak).
  bool break_before = false;
  std::vector<PlacedLine> lines;
  std::vector<Rule> rules;
};

struct Page {
  std::vector<PlacedLine> lines;
  std::vector<Rule> rules;
};

// A layout's logical extents, line by line, in points relative to its top.
struct LineBox {
  PangoLayoutLine* line;
  double x, top, height, baseline;
};
std::vector<LineBox> LinesOf(PangoLayout* layout) {
  std::vector<LineBox> boxes;
  LayoutIterPtr iter(pango_layout_get_iter(layout));
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(iter.get(), nullptr, &logical);
    boxes.push_back({pango_layout_iter_get_line_readonly(iter.get()), FromPango(logical.x),
                     FromPango(logical.y), FromPango(logical.height),
                     FromPango(pango_layout_iter_get_baseline(iter.get()))});
  } while (pango_layout_iter_next_line(iter.get()));
  return boxes;
}

double HeightOf(PangoLayout* layout) {
  int width = 0, height = 0;
  pango_layout_get_size(layout, &width, &height);
  return FromPango(height);
}

// Space above and below each kind of block; between two blocks the larger
// of the two applies.
struct Spacing {
  double before;
  double after;
};
Spacing SpacingOf(Block::Kind kind) {
  switch (kind) {
    case Block::kTitle:
      return {0, 10};
    case Block::kHeading:
      return {14, 4};
    case Block::kSubheading:
      return {8, 3};
    case Block::kText:
      return {4, 6};
    case Block::kLine:
    case Block::kItem:
      return {2, 2};
    case Block::kRow:
    case Block::kHeaderRow:
    case Block::kPageBreak:
      return {0, 0};
  }
  return {0, 0};
}

bool IsHeadingKind(Block::Kind kind) {
  return kind == Block::kTitle || kind == Block::kHeading || kind == Block::kSubheading;
}

bool IsRow(Block::Kind kind) { return kind == Block::kRow || kind == Block::kHeaderRow; }
constexpr double kSpaceAroundTable = 8;

// Lays out the blocks and the page frame of one document, and keeps the
// layouts alive until the pages are drawn.
class DocumentLayout {
 public:
  explicit DocumentLayout(PangoContext* context) : context_(context) {}

  // A layout of `text` (made valid UTF-8), wrapping at `width`.
  PangoLayout* NewLayout(absl::string_view text, TextStyle style, double width,
                         PangoAlignment alignment = PANGO_ALIGN_LEFT) {
    LayoutPtr layout(pango_layout_new(context_));
    FontDescriptionPtr font(pango_font_description_new());
    pango_font_description_set_family_static(font.get(), kFontFamily);
    pango_font_description_set_weight(font.get(),
                                      style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    // Absolute size: points on the page whatever the resolution.
    pango_font_description_set_absolute_size(font.get(), style.size * PANGO_SCALE);
    pango_layout_set_font_description(layout.get(), font.get());  // copies it
    pango_layout_set_width(layout.get(), pango_units_from_double(width));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), alignment);
    // Pango warns about and garbles invalid UTF-8; records should never
    // hold any, but a replacement character is the better failure.
    GStringPtr valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
    pango_layout_set_text(layout.get(), valid.get(), -1);
    layouts_.push_back(std::move(layout));
    return layouts_.back().get();
  }

  // The body as units, in order, for pages with `body_height` for them.
  std::vector<Unit> BodyUnits(const std::vector<Block>& blocks, double body_height) {
    std::vector<Unit> units;
    const Block* previous = nullptr;
    for (const Block& block : blocks) {
      double space = 0;
      if (previous != nullptr) {
        space = std::max(SpacingOf(previous->kind).after, SpacingOf(block.kind).before);
        if (IsRow(previous->kind) != IsRow(block.kind)) space = std::max(space, kSpaceAroundTable);
      }
      const size_t first = units.size();
      AppendBlock(block, previous == nullptr || !IsRow(previous->kind), body_height, units);
      if (units.size() > first) units[first].space_before = space;
      // A line right under a heading (a protocol's "Ärendenr ...") belongs
      // to it: it stays with what follows too, so a heading never ends a page
      // with only that line under it.
      if (previous != nullptr && IsHeadingKind(previous->kind) && block.kind == Block::kLine &&
          units.size() > first) {
        units.back().keep_with_next = true;
      }
      previous = &block;
    }
    return units;
  }

 private:
  void AppendBlock(const Block& block, bool starts_table, double body_height,
                   std::vector<Unit>& units) {
    switch (block.kind) {
      case Block::kTitle:
        AppendLines(NewLayout(block.text, kTitleStyle, kTextWidth), 0, true, units);
        return;
      case Block::kHeading:
        AppendLines(NewLayout(block.text, kHeadingStyle, kTextWidth), 0, true, units);
        return;
      case Block::kSubheading:
        AppendLines(NewLayout(block.text, kSubheadingStyle, kTextWidth), 0, true, units);
        return;
      case Block::kLine:
      case Block::kText:
        AppendLines(NewLayout(block.text, kBodyStyle, kTextWidth), 0, false, units);
        return;
      case Block::kItem: {
        const size_t first = units.size();
        AppendLines(NewLayout(block.text, kBodyStyle, kTextWidth - kBulletIndent), kBulletIndent,
                    false, units);
        // The bullet hangs left of the first line, on its baseline.
        LineBox bullet = LinesOf(NewLayout("•", kBodyStyle, kBulletIndent)).front();
        const double baseline = units[first].lines.front().baseline;
        // Drawn first, so that text extraction reads "• text".
        units[first].lines.insert(units[first].lines.begin(),
                                  {bullet.line, 2 + bullet.x, baseline});
        return;
      }
      case Block::kRow:
      case Block::kHeaderRow:
        AppendRow(block, starts_table, body_height, units);
        return;
      case Block::kPageBreak: {
        Unit unit;
        unit.break_before = true;
        units.push_back(std::move(unit));
        return;
      }
    }
  }

  // One unit per line of `layout`, drawn `indent` points in.
  static void AppendLines(PangoLayout* layout, double indent, bool keep_with_next,
                          std::vector<Unit>& units) {
    for (const LineBox& box : LinesOf(layout)) {
      Unit unit;
      unit.height = box.height;
      unit.keep_with_next = keep_with_next;
      unit.lines.push_back({box.line, indent + box.x, box.baseline - box.top});
      units.push_back(std::move(unit));
    }
  }

  // A table row: the first cell takes kFirstColumnShare of the width, the
  // others share the rest; every cell wraps in its column. One unit (kept
  // on one page, drawn cell by cell), unless it is taller than a page.
  void AppendRow(const Block& block, bool starts_table, double body_height,
                 std::vector<Unit>& units) {
    const bool header = block.kind == Block::kHeaderRow;
    std::vector<absl::string_view> cells = absl::StrSplit(block.text, '\t');
    const double rest = cells.size() == 1 ? 0 : kTextWidth * (1 - kFirstColumnShare);
    struct CellLine {
      PlacedLine placed;  // baseline relative to the row's top
      double top, bottom;
    };
    std::vector<CellLine> lines;  // cell by cell: the reading order
    double x = 0;
    double tallest = 0;
    for (size_t i = 0; i < cells.size(); ++i) {
      const double column = cells.size() == 1 ? kTextWidth
                            : i == 0          ? kTextWidth * kFirstColumnShare
                                              : rest / static_cast<double>(cells.size() - 1);
      PangoLayout* layout =
          NewLayout(cells[i], header ? TextStyle{kBodyStyle.size, true} : kBodyStyle,
                    column - 2 * kCellPaddingX);
      for (const LineBox& box : LinesOf(layout)) {
        const double top = kCellPaddingY + box.top;
        lines.push_back({{box.line, x + kCellPaddingX + box.x, kCellPaddingY + box.baseline},
                         top,
                         top + box.height});
      }
      tallest = std::max(tallest, HeightOf(layout));
      x += column;
    }
    const double height = tallest + 2 * kCellPaddingY;

    // A row taller than a page is cut into bands, each a unit: a band ends
    // above a line that starts below every line so far.
    std::vector<double> cuts;  // band tops after the first
    if (height > body_height) {
      std::vector<std::pair<double, double>> spans;
      for (const CellLine& line : lines) spans.emplace_back(line.top, line.bottom);
      std::sort(spans.begin(), spans.end());
      double lowest = 0;
      for (const auto& [top, bottom] : spans) {
        if (top >= lowest && lowest > 0) cuts.push_back(top);
        lowest = std::max(lowest, bottom);
      }
    }
    const size_t first = units.size();
    double band_top = 0;
    for (size_t band = 0; band <= cuts.size(); ++band) {
      Unit unit;
      const double band_bottom = band < cuts.size() ? cuts[band] : height;
      unit.height = band_bottom - band_top;
      for (const CellLine& line : lines) {
        if (line.top >= band_top && line.top < band_bottom) {
          unit.lines.push_back({line.placed.line, line.placed.x, line.placed.baseline - band_top});
        }
      }
      units.push_back(std::move(unit));
      band_top = band_bottom;
    }
    if (starts_table) units[first].rules.push_back({0, kTextWidth, 0, 0.8, 0});
    Unit& last = units.back();
    last.rules.push_back(header ? Rule{0, kTextWidth, last.height, 0.8, 0}
                                : Rule{0, kTextWidth, last.height, 0.4, 0.55});
  }

  PangoContext* context_;
  std::vector<LayoutPtr> layouts_;
};

// Fills pages from `top` to `bottom` with the units; a unit moves to the
// next page when it (with what it is kept with) does not fit.
std::vector<Page> Paginate(const std::vector<Unit>& units, double top, double bottom) {
  std::vector<Page> pages(1);
  double y = top;
  bool page_empty = true;
  for (size_t i = 0; i < units.size(); ++i) {
    double needed = units[i].height;
    for (size_t j = i; j + 1 < units.size() && units[j].keep_with_next; ++j) {
      needed += units[j + 1].space_before + units[j + 1].height;
    }
    double space = page_empty ? 0 : units[i].space_before;
    // On an empty page the unit stays even if it does not fit: a later page
    // would be no roomier.
    if (!page_empty && (units[i].break_before || y + space + needed > bottom)) {
      pages.emplace_back();
      y = top;
      space = 0;
      page_empty = true;
    }
    if (units[i].break_before) continue;  // the next unit opens the page
    y += space;
    Page& page = pages.back();
    for (const PlacedLine& line : units[i].lines) {
      page.lines.push_back({line.line, kSideMargin + line.x, y + line.baseline});
    }
    for (const Rule& rule : units[i].rules) {
      page.rules.push_back(
          {kSideMargin + rule.x0, kSideMargin + rule.x1, y + rule.y, rule.width, rule.gray});
    }
    y += units[i].height;
    page_empty = false;
  }
  return pages;
}

// What every page carries: laid out once (its height decides where the body
// ends); only the page number is made per page.
struct FrameLayout {
  struct Placed {
    PangoLayout* layout;
    double x, y;
  };
  std::vector<Placed> texts;
  std::vector<Rule> rules;
  struct Box {
    double x, y, width, height;
  };
  std::vector<Box> boxes;
  double page_number_y = 0;
  double body_top = 0;
  double body_bottom = 0;
};

FrameLayout LayOutFrame(const PageFrame& frame, DocumentLayout& document) {
  FrameLayout out;
  // Header: left and right halves, stacked lines.
  const double half = kTextWidth / 2;
  double left_y = kHeaderTop;
  for (size_t i = 0; i < frame.header_left.size(); ++i) {
    PangoLayout* layout =
        document.NewLayout(frame.header_left[i], i == 0 ? kHeaderFirstStyle : kHeaderStyle, half);
    out.texts.push_back({layout, kSideMargin, left_y});
    left_y += HeightOf(layout);
  }
  double right_y = kHeaderTop;
  for (const std::string& line : frame.header_right) {
    PangoLayout* layout = document.NewLayout(line, kHeaderStyle, half, PANGO_ALIGN_RIGHT);
    out.texts.push_back({layout, kSideMargin + half, right_y});
    right_y += HeightOf(layout);
  }
  const double rule_y = std::max(left_y, right_y) + 4;
  out.rules.push_back({kSideMargin, kSideMargin + kTextWidth, rule_y, 0.6, 0});
  out.body_top = rule_y + kBodyGapTop;

  // Footer, bottom up: the note, the line with the page number, the boxes.
  double y = kFooterBottom;
  if (!frame.footer_note.empty()) {
    PangoLayout* note = document.NewLayout(frame.footer_note, kSmallStyle, kTextWidth);
    y -= HeightOf(note);
    out.texts.push_back({note, kSideMargin, y});
    y -= 1;
  }
  PangoLayout* left = document.NewLayout(frame.footer_left, kFooterStyle, kTextWidth * 0.75);
  y -= HeightOf(left);
  out.texts.push_back({left, kSideMargin, y});
  out.page_number_y = y;
  if (!frame.footer_boxes.empty()) {
    y -= 5;
    const double width = kTextWidth / static_cast<double>(frame.footer_boxes.size());
    std::vector<PangoLayout*> labels;
    double label_height = 0;
    for (const std::string& label : frame.footer_boxes) {
      labels.push_back(document.NewLayout(label, kSmallStyle, width - 2 * kBoxPadding));
      label_height = std::max(label_height, HeightOf(labels.back()));
    }
    const double height = kBoxPadding + label_height + kSignatureRoom;
    y -= height;
    for (size_t i = 0; i < labels.size(); ++i) {
      const double x = kSideMargin + width * static_cast<double>(i);
      out.boxes.push_back({x, y, width, height});
      out.texts.push_back({labels[i], x + kBoxPadding, y + kBoxPadding});
    }
  }
  out.body_bottom = y - kBodyGapBottom;
  return out;
}

// ------------------------------------------------------------ drawing
cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void DrawRule(cairo_t* cr, const Rule& rule) {
  cairo_set_source_rgb(cr, rule.gray, rule.gray, rule.gray);
  cairo_set_line_width(cr, rule.width);
  cairo_move_to(cr, rule.x0, rule.y);
  cairo_line_to(cr, rule.x1, rule.y);
  cairo_stroke(cr);
}

void DrawPage(cairo_t* cr, const Page& page, const FrameLayout& frame, PangoLayout* page_number) {
  for (const Rule& rule : frame.rules) DrawRule(cr, rule);
  cairo_set_line_width(cr, 0.5);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (const FrameLayout::Box& box : frame.boxes) {
    cairo_rectangle(cr, box.x, box.y, box.width, box.height);
    cairo_stroke(cr);
  }
  for (const FrameLayout::Placed& text : frame.texts) {
    cairo_move_to(cr, text.x, text.y);
    pango_cairo_show_layout(cr, text.layout);
  }
  cairo_move_to(cr, kSideMargin, frame.page_number_y);
  pango_cairo_show_layout(cr, page_number);
  for (const Rule& rule : page.rules) DrawRule(cr, rule);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (const PlacedLine& line : page.lines) {
    cairo_move_to(cr, line.x, line.baseline);
    pango_cairo_show_layout_line(cr, line.line);
  }
}

void SetMetadata(cairo_surface_t* surface, const PdfInfo& info) {
  const std::string date = absl::FormatCivilTime(info.created);  // YYYY-MM-DDTHH:MM:SS
  const std::pair<cairo_pdf_metadata_t, const std::string*> fields[] = {
      {CAIRO_PDF_METADATA_TITLE, &info.title},
      {CAIRO_PDF_METADATA_AUTHOR, &info.author},
      {CAIRO_PDF_METADATA_SUBJECT, &info.subject},
      {CAIRO_PDF_METADATA_CREATOR, &info.creator},
      // Set, or cairo writes the clock's time as the creation date.
      {CAIRO_PDF_METADATA_CREATE_DATE, &date},
      {CAIRO_PDF_METADATA_MOD_DATE, &date},
  };
  for (const auto& [field, value] : fields) {
    GStringPtr valid(g_utf8_make_valid(value->data(), static_cast<gssize>(value->size())));
    cairo_pdf_surface_set_metadata(surface, field, valid.get());
  }
}

}  // namespace

absl::StatusOr<std::string> RenderPdf(const PdfDocument& document) {
  SharedFonts& fonts = SharedFonts::Instance();
  absl::MutexLock lock(&fonts.mutex());
  absl::StatusOr<PangoFontMap*> font_map = fonts.FontMap();
  if (!font_map.ok()) return font_map.status();
  ContextPtr context = NewContext(*font_map);

  // Pass 1: everything laid out and paginated, so that the page count is
  // known when the first footer is drawn.
  DocumentLayout layout(context.get());
  const FrameLayout frame = LayOutFrame(document.frame, layout);
  const std::vector<Page> pages =
      Paginate(layout.BodyUnits(document.blocks, frame.body_bottom - frame.body_top),
               frame.body_top, frame.body_bottom);

  // Pass 2: drawing.
  std::string pdf;
  SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight));
  SetMetadata(surface.get(), document.info);
  CairoPtr cr(cairo_create(surface.get()));
  for (size_t i = 0; i < pages.size(); ++i) {
    PangoLayout* page_number = layout.NewLayout(absl::StrCat("Sida ", i + 1, " av ", pages.size()),
                                                kFooterStyle, kTextWidth, PANGO_ALIGN_RIGHT);
    DrawPage(cr.get(), pages[i], frame, page_number);
    cairo_show_page(cr.get());
  }
  const cairo_status_t drawing = cairo_status(cr.get());
  cr.reset();
  cairo_surface_finish(surface.get());
  const cairo_status_t status =
      drawing != CAIRO_STATUS_SUCCESS ? drawing : cairo_surface_status(surface.get());
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(
        absl::StrCat("RenderPdf: cairo failed: ", cairo_status_to_string(status)));
  }
  return pdf;
}

absl::StatusOr<enamnd::common::v1::RenderedFile> RenderPdfFile(const PdfDocument& document,
                                                               std::string file_name) {
  absl::StatusOr<std::string> bytes = RenderPdf(document);
  if (!bytes.ok()) return bytes.status();
  enamnd::common::v1::RenderedFile file;
  file.set_media_type("application/pdf");
  file.set_sha256(Sha256Hex(*bytes));
  file.set_file_name(std::move(file_name));
  file.set_content(std::move(*bytes));
  return file;
}

}  // namespace enamnd::platform
