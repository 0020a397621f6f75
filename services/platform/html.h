// HTML output every rendered document shares (the protocol, the portfolio):
// text made safe to place between tags or in an attribute.
#ifndef ENAMND_PLATFORM_HTML_H_
#define ENAMND_PLATFORM_HTML_H_

#include <string>

#include "absl/strings/string_view.h"

namespace enamnd::platform {

// & < > " and ' as character references; everything else unchanged.
std::string HtmlEscape(absl::string_view text);

}  // namespace enamnd::platform

#endif  // ENAMND_PLATFORM_HTML_H_
