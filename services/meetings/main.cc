// enamnd-meetings: meetings, cases, paragraphs and decisions.
#include "services/meetings/api/service.h"
#include "services/platform/server.h"

int main(int argc, char** argv) {
  return enamnd::platform::RunServiceMain(argc, argv, "meetings",
                                          enamnd::meetings::NewMeetingsService());
}
