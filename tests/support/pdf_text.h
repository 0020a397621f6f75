// A rendered PDF read back as text (poppler-utils' pdftotext), for the
// service tests that check what their PDFs say.
#ifndef ENAMND_TESTS_SUPPORT_PDF_TEXT_H_
#define ENAMND_TESTS_SUPPORT_PDF_TEXT_H_

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "tests/support/process.h"

namespace enamnd::testing {

// Whitespace runs made one space: pdftotext breaks lines where the renderer
// wrapped them and spaces table cells apart, which the tests cannot know.
inline std::string OneSpaced(const std::string& text) {
  return absl::StrJoin(absl::StrSplit(text, absl::ByAnyChar(" \n\t\f\r"), absl::SkipEmpty()), " ");
}

// The text of `pdf`, OneSpaced; "<pdftotext failed>" if it could not be read.
inline std::string PdfText(const std::string& pdf) {
  TempDir dir;
  const std::string in = dir.path() + "/doc.pdf";
  const std::string out = dir.path() + "/doc.txt";
  std::ofstream(in, std::ios::binary) << pdf;
  ChildProcess pdftotext({"/usr/bin/pdftotext", "-enc", "UTF-8", in, out}, {});
  if (pdftotext.Wait(absl::Seconds(30)) != 0) return "<pdftotext failed>";
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  return OneSpaced(text.str());
}

}  // namespace enamnd::testing

#endif  // ENAMND_TESTS_SUPPORT_PDF_TEXT_H_
