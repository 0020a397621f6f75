#include "services/platform/pdf.h"

#include "absl/status/status.h"

namespace enamnd::platform {

absl::StatusOr<std::string> RenderPdf(const PdfDocument& /*document*/) {
  return absl::UnimplementedError("RenderPdf: being written");
}

}  // namespace enamnd::platform
