// DecodeStreamEntry: what a subscriber accepts from a stream entry's fields.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/platform/redis.h"
#include "services/platform/subscriber.h"

namespace enamnd::platform {
namespace {

RedisReply Fields(const std::vector<std::string>& values) {
  RedisReply fields;
  fields.kind = RedisReply::Kind::kArray;
  for (const std::string& value : values) {
    RedisReply r;
    r.kind = RedisReply::Kind::kString;
    r.str = value;
    fields.elements.push_back(std::move(r));
  }
  return fields;
}

std::string Event(const std::string& id, const std::string& source) {
  io::cloudevents::v1::CloudEvent event;
  event.set_id(id);
  event.set_source(source);
  event.set_spec_version("1.0");
  event.set_type("enamnd.meetings.v1.DecisionRecorded");
  return event.SerializeAsString();
}

TEST(DecodeStreamEntry, ReadsTheEventFieldAmongTheToolFields) {
  auto event = DecodeStreamEntry(
      Fields({"id", "41", "type", "enamnd.meetings.v1.DecisionRecorded", "subject",
              "bodies/e-namnden/meetings/2022-06-22", "event", Event("41", "//enamnd/meetings")}));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->id(), "41");
  EXPECT_EQ(event->source(), "//enamnd/meetings");
  EXPECT_EQ(event->type(), "enamnd.meetings.v1.DecisionRecorded");
}

TEST(DecodeStreamEntry, TheLastEventFieldWins) {
  auto event = DecodeStreamEntry(
      Fields({"event", Event("1", "//enamnd/meetings"), "event", Event("2", "//enamnd/meetings")}));
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->id(), "2");
  EXPECT_FALSE(
      DecodeStreamEntry(Fields({"event", Event("1", "//enamnd/meetings"), "event", ""})).ok());
}

TEST(DecodeStreamEntry, RefusesWhatNoRetryCanProcess) {
  for (const RedisReply& fields : {
           Fields({}),                                         // no fields
           Fields({"id", "41"}),                               // no event field
           Fields({"event"}),                                  // a name without value
           Fields({"event", ""}),                              // empty
           Fields({"event", "\xff\xff\xff"}),                  // not a CloudEvent
           Fields({"event", Event("", "//enamnd/meetings")}),  // no id
           Fields({"event", Event("41", "")}),                 // no source
       }) {
    absl::StatusOr<io::cloudevents::v1::CloudEvent> event = DecodeStreamEntry(fields);
    EXPECT_EQ(event.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(DecodeStreamEntry, IgnoresFieldsThatAreNotStrings) {
  RedisReply fields = Fields({"event", Event("7", "//enamnd/audits")});
  fields.elements.insert(fields.elements.begin(), {RedisReply(), RedisReply()});  // nil, nil
  auto event = DecodeStreamEntry(fields);
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->id(), "7");
}

}  // namespace
}  // namespace enamnd::platform
