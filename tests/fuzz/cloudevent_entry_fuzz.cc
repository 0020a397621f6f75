// A Redis stream entry as a subscriber reads it (platform::DecodeStreamEntry,
// services/platform/subscriber.h), then what the audits service makes of a
// meetings event (ReadMeetingsEvent, services/audits/domain/meetings_events.h).
// Input: one byte choosing the entry's shape, then the `event` field's bytes
// (seeds are 0x00 + a serialized io.cloudevents.v1.CloudEvent).
#include <cstdint>
#include <string>
#include <variant>

#include "google/protobuf/util/message_differencer.h"
#include "services/audits/domain/meetings_events.h"
#include "services/platform/redis.h"
#include "services/platform/subscriber.h"
#include "tests/fuzz/fuzz_check.h"

namespace enamnd::fuzz {
namespace {

using platform::RedisReply;

RedisReply Str(std::string s) {
  RedisReply r;
  r.kind = RedisReply::Kind::kString;
  r.str = std::move(s);
  return r;
}

// The entry's fields. The shape bits add what producers and XADD from
// outside may write: the tool fields before `event` (bit 0), a field name
// without value after it (bit 1), a nil in place of the tool fields (bit 2),
// and a second, empty `event` field last (bit 3: then nothing decodes).
RedisReply Entry(uint8_t shape, const std::string& event_bytes) {
  RedisReply fields;
  fields.kind = RedisReply::Kind::kArray;
  if (shape & 1) {
    for (const char* name : {"id", "type", "subject"}) {
      fields.elements.push_back(Str(name));
      fields.elements.push_back(Str(event_bytes.substr(0, 8)));
    }
  }
  if (shape & 4) {
    fields.elements.push_back(RedisReply());
    fields.elements.push_back(RedisReply());
  }
  fields.elements.push_back(Str("event"));
  fields.elements.push_back(Str(event_bytes));
  if (shape & 8) {
    fields.elements.push_back(Str("event"));
    fields.elements.push_back(Str(""));
  }
  if (shape & 2) fields.elements.push_back(Str("event"));
  return fields;
}

void CheckEffect(const io::cloudevents::v1::CloudEvent& event) {
  absl::StatusOr<audits::MeetingsEffect> effect = audits::ReadMeetingsEvent(event);
  if (!effect.ok()) {
    ENAMND_FUZZ_CHECK(effect.status().code() == absl::StatusCode::kDataLoss ||
                      IsInvalidField(effect.status(), "case_subject"));
    return;
  }
  if (const auto* d = std::get_if<audits::ReviewDecision>(&effect->what)) {
    // The review it links to is a review name, and the handling names the event.
    ENAMND_FUZZ_CHECK(audits::ReviewName::Parse(d->review.ToString(), "r").ok());
    ENAMND_FUZZ_CHECK(d->handling.event_id() == event.id() &&
                      d->handling.event_source() == event.source());
  }
  if (const auto* f = std::get_if<audits::ReviewDecisionFinal>(&effect->what)) {
    ENAMND_FUZZ_CHECK(audits::ReviewName::Parse(f->review.ToString(), "r").ok());
  }
}

}  // namespace
}  // namespace enamnd::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t shape = data[0];
  std::string event_bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<io::cloudevents::v1::CloudEvent> event =
      enamnd::platform::DecodeStreamEntry(enamnd::fuzz::Entry(shape, event_bytes));
  if (!event.ok()) {
    ENAMND_FUZZ_CHECK(event.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  ENAMND_FUZZ_CHECK(!(shape & 8));  // the last `event` field wins, and it was empty
  ENAMND_FUZZ_CHECK(!event->id().empty() && !event->source().empty());
  // What was decoded survives a round trip through its wire form.
  io::cloudevents::v1::CloudEvent again;
  ENAMND_FUZZ_CHECK(again.ParseFromString(event->SerializeAsString()));
  ENAMND_FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*event, again));
  enamnd::fuzz::CheckEffect(*event);
  return 0;
}
