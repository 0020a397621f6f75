// pdf_render_sample <sections> <out.pdf>: renders SampleProtocol(sections)
// to a file. pdf_test.cc runs it to compare a render made in another
// process (other addresses, another time, another time zone) with its own.
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "services/platform/pdf.h"
#include "tests/platform/pdf_sample.h"

int main(int argc, char** argv) {
  int sections = 0;
  if (argc != 3 || !absl::SimpleAtoi(argv[1], &sections)) {
    std::cerr << "usage: pdf_render_sample <sections> <out.pdf>\n";
    return 2;
  }
  absl::StatusOr<std::string> pdf =
      enamnd::platform::RenderPdf(enamnd::testing::SampleProtocol(sections));
  if (!pdf.ok()) {
    std::cerr << pdf.status() << "\n";
    return 1;
  }
  std::ofstream out(argv[2], std::ios::binary);
  out << *pdf;
  return out.good() ? 0 : 1;
}
