// The log lines of calls: text and JSON formats (JSON checked by Python's
// json module), the W3C traceparent a client sends in the lines of its
// call, request values cut and escaped (a 1 MB field gives a short line),
// and requests with invalid UTF-8 answered INVALID_ARGUMENT naming the
// field, through real services in-process.
#include <grpcpp/generic/generic_stub.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "services/platform/call_context.h"
#include "services/platform/log.h"
#include "services/platform/request_parsing.h"
#include "tests/audits/fixture.h"

namespace enamnd::audits {
namespace {

using enamnd::testing::PollUntil;
namespace mv1 = ::enamnd::meetings::v1;

constexpr char kTrace[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kMeetings[] = "/enamnd.meetings.v1.MeetingsService/";
constexpr char kAudits[] = "/enamnd.audits.v1.AuditsService/";

// ------------------------------------------------------------ LogSafe

TEST(LogSafeTest, EscapesControlCharactersAndBytesThatAreNotUtf8) {
  EXPECT_EQ(platform::LogSafe("a\nb\r\tc\x01\x7f"), "a\\nb\\r\\tc\\x01\\x7f");
  EXPECT_EQ(platform::LogSafe("Nämnden"), "Nämnden");
  EXPECT_EQ(platform::LogSafe("bad \xff\xc3"), "bad \\xff\\xc3");
  EXPECT_EQ(platform::LogSafe("\xc0\xaf"), "\\xc0\\xaf");  // overlong '/'
  EXPECT_EQ(platform::LogSafe("line\u2028sep\u0085"), "line\\u2028sep\\u0085");
}

TEST(LogSafeTest, CutsLongValuesOnACharacterBoundaryAndSaysHowLong) {
  std::string long_value(300, 'x');
  std::string safe = platform::LogSafe(long_value);
  EXPECT_EQ(safe, std::string(256, 'x') + "...[truncated, 300 bytes in all]");
  // "ä" is two bytes: a cut at 5 keeps two of them, not half of the third.
  EXPECT_EQ(platform::LogSafe("äääää", 5), "ää...[truncated, 10 bytes in all]");
  // Already safe: LogLine's own pass leaves it as it is.
  EXPECT_EQ(platform::LogSafe(safe, platform::kLogMessageMaxBytes), safe);
}

// ------------------------------------------------------------ FieldPathIn

TEST(FieldPathTest, NamesTheFieldFromTheRequest) {
  const auto* create_case = mv1::CreateCaseRequest::descriptor();
  EXPECT_EQ(platform::FieldPathIn(*create_case, "enamnd.meetings.v1.Case.title"), "case.title");
  EXPECT_EQ(platform::FieldPathIn(*create_case, "enamnd.meetings.v1.CreateCaseRequest.request_id"),
            "request_id");
  EXPECT_EQ(platform::FieldPathIn(*v1::CreateReviewRequest::descriptor(),
                                  "enamnd.audits.v1.Review.auditing_municipalities"),
            "review.auditing_municipalities");
  EXPECT_EQ(platform::FieldPathIn(*create_case, "other.Type.text"), "text");
}

// ------------------------------------------------------------ in-process

// Lines the services write, captured; text format unless a test says.
class CallLogTest : public AuditsFixture {
 protected:
  void SetUp() override {
    platform::SetLogSink([this](absl::string_view line) {
      absl::MutexLock lock(&mutex_);
      lines_.emplace_back(line);
    });
    AuditsFixture::SetUp();
  }
  void TearDown() override {
    AuditsFixture::TearDown();
    platform::SetLogSink(nullptr);
    platform::SetLogFormat(platform::LogFormat::kText);
  }

  // The first captured line that contains every one of `parts`; "" when
  // none does within 10 s (the access line is written as the status goes
  // out, so it is there by the time the client has it).
  std::string LineWith(const std::vector<std::string>& parts) {
    std::string found;
    PollUntil(
        [&] {
          absl::MutexLock lock(&mutex_);
          for (const std::string& line : lines_) {
            bool all = true;
            for (const std::string& part : parts) all = all && absl::StrContains(line, part);
            if (all) {
              found = line;
              return true;
            }
          }
          return false;
        },
        absl::Seconds(10));
    return found;
  }
  void ClearLines() {
    absl::MutexLock lock(&mutex_);
    lines_.clear();
  }
  std::vector<std::string> Lines() {
    absl::MutexLock lock(&mutex_);
    return lines_;
  }

  template <typename Stub, typename Request, typename Response, typename Method>
  grpc::Status CallWithTrace(Stub* stub, Method method, const Request& request, Response* response,
                             const std::string& traceparent) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("traceparent", traceparent);
    return (stub->*method)(&context, request, response);
  }

  absl::Mutex mutex_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mutex_);
};

// Parses each line with Python's json module (Debian's interpreter) and
// returns its members: strings as they are, other values as JSON text.
std::vector<std::map<std::string, std::string>> ParseJsonLines(
    const std::vector<std::string>& lines, const std::string& dir) {
  std::string path = dir + "/lines.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    for (const std::string& line : lines) out << line << "\n";
  }
  std::string command = absl::StrCat(
      "/usr/bin/python3 -c '"
      "import json, sys\n"
      "for line in open(sys.argv[1], encoding=\"utf-8\"):\n"
      "    record = json.loads(line)\n"
      "    assert isinstance(record, dict), line\n"
      "    for key, value in record.items():\n"
      "        print(key + \"\\t\" + (value if isinstance(value, str) else json.dumps(value)))\n"
      "    print(\"--\")\n"
      "' ",
      path, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t n;
  while (pipe != nullptr && (n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    output.append(buffer, n);
  int status = pipe != nullptr ? pclose(pipe) : -1;
  EXPECT_EQ(status, 0) << "a line is not a JSON object; python said:\n" << output;
  std::vector<std::map<std::string, std::string>> records(1);
  for (absl::string_view row : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    if (row == "--") {
      records.emplace_back();
      continue;
    }
    std::vector<std::string> kv = absl::StrSplit(row, absl::MaxSplits('\t', 1));
    if (kv.size() == 2) records.back()[kv[0]] = kv[1];
  }
  records.pop_back();
  return records;
}

TEST_F(CallLogTest, TextAccessLineCarriesPrincipalRequestIdAndTraceparent) {
  mv1::CreateMunicipalityRequest request;
  request.set_municipality_id("2506");
  request.mutable_municipality()->set_display_name("Arjeplog");
  request.set_request_id("req-trace");
  mv1::Municipality out;
  ASSERT_TRUE(
      CallWithTrace(meetings_stub_, &MeetingsStub::CreateMunicipality, request, &out, kTrace).ok());
  std::string line = LineWith({"access:", "CreateMunicipality"});
  ASSERT_FALSE(line.empty());
  EXPECT_TRUE(std::regex_search(
      line, std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO access: "
                       "/enamnd\\.meetings\\.v1\\.MeetingsService/CreateMunicipality code=OK "
                       "duration_ms=[0-9.]+ peer=ipv4:127\\.0\\.0\\.1:\\d+ ")))
      << line;
  EXPECT_THAT(line, ::testing::HasSubstr(" principal=spiffe://enamnd/test/clerk"));
  EXPECT_THAT(line, ::testing::HasSubstr(" request_id=req-trace"));
  EXPECT_THAT(line, ::testing::HasSubstr(absl::StrCat(" traceparent=", kTrace)));

  // A malformed traceparent is ignored, not an error.
  mv1::GetMunicipalityRequest get;
  get.set_name("municipalities/2506");
  ASSERT_TRUE(
      CallWithTrace(meetings_stub_, &MeetingsStub::GetMunicipality, get, &out, "00-not-a-trace")
          .ok());
  line = LineWith({"access:", "GetMunicipality"});
  EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr("traceparent")));
  EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr("00-not-a-trace")));
}

TEST_F(CallLogTest, EveryLineOfTheCallCarriesItsTraceparent) {
  // A stranger is denied: the warning is logged while the call is current.
  auto stub = audits_service_.StubAs(enamnd::testing::kStranger);
  v1::Review out;
  grpc::Status status = CallWithTrace(stub.get(), &AuditsStub::CreateReview,
                                      ReviewRequest(2021, {"2584"}), &out, kTrace);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  std::string denied = LineWith({"WARN auth: denied", "CreateReview"});
  EXPECT_THAT(denied, ::testing::HasSubstr(absl::StrCat(" traceparent=", kTrace)));
  std::string access = LineWith({"access:", "CreateReview", "PERMISSION_DENIED"});
  EXPECT_THAT(access, ::testing::HasSubstr(absl::StrCat(" traceparent=", kTrace)));
  EXPECT_THAT(access, ::testing::HasSubstr(" principal=spiffe://enamnd/person/stranger"));
  // Lines outside any call have none.
  {
    platform::ScopedCallContext call(platform::CallContext{kTrace, ""});
    platform::LogInfo("test", "inside");
  }
  platform::LogInfo("test", "outside");
  EXPECT_THAT(LineWith({"test: inside"}),
              ::testing::EndsWith(absl::StrCat(" traceparent=", kTrace)));
  EXPECT_THAT(LineWith({"test: outside"}), ::testing::EndsWith("test: outside"));
}

TEST_F(CallLogTest, JsonLinesParseAndCarryTheAccessFields) {
  platform::SetLogFormat(platform::LogFormat::kJson);
  ClearLines();  // the text lines of the start
  v1::CreateReviewRequest request = ReviewRequest(2021, {"2584"});
  request.set_request_id("review-\"json\"");
  v1::Review out;
  ASSERT_TRUE(CallWithTrace(audits_stub_, &AuditsStub::CreateReview, request, &out, kTrace).ok());
  auto stranger = audits_service_.StubAs(enamnd::testing::kStranger);
  EXPECT_FALSE(
      CallWithTrace(stranger.get(), &AuditsStub::CreateReview, request, &out, kTrace).ok());
  ASSERT_FALSE(LineWith({"\"component\":\"access\"", "PERMISSION_DENIED"}).empty());
  platform::LogWarning("test", "a \"quoted\"\nmultiline \\ message");

  auto records = ParseJsonLines(Lines(), dir_.path());
  ASSERT_FALSE(records.empty());
  const std::map<std::string, std::string>* access = nullptr;
  const std::map<std::string, std::string>* denied = nullptr;
  const std::map<std::string, std::string>* ours = nullptr;
  for (const auto& record : records) {
    for (const char* key : {"time", "level", "component", "message"}) {
      EXPECT_EQ(record.count(key), 1u) << key << " missing";
    }
    EXPECT_TRUE(std::regex_match(record.at("time"),
                                 std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")))
        << record.at("time");
    if (record.at("component") == "access" && record.count("method") &&
        record.at("method") == absl::StrCat(kAudits, "CreateReview") && record.at("code") == "OK") {
      access = &record;
    }
    if (record.at("component") == "auth") denied = &record;
    if (record.at("component") == "test") ours = &record;
  }
  ASSERT_NE(access, nullptr);
  EXPECT_EQ(access->at("level"), "INFO");
  EXPECT_EQ(access->at("request_id"), "review-\"json\"");
  EXPECT_EQ(access->at("principal"), enamnd::testing::kClerk);
  EXPECT_EQ(access->at("traceparent"), kTrace);
  EXPECT_TRUE(absl::StartsWith(access->at("peer"), "ipv4:127.0.0.1:")) << access->at("peer");
  double duration = -1;
  EXPECT_TRUE(absl::SimpleAtod(access->at("duration_ms"), &duration));
  EXPECT_GE(duration, 0);
  EXPECT_EQ(access->count("error"), 0u);
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(denied->at("level"), "WARN");
  EXPECT_EQ(denied->at("traceparent"), kTrace);
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->at("message"), "a \"quoted\"\\nmultiline \\ message");
  EXPECT_EQ(ours->count("traceparent"), 0u);
}

// A 1 MB value with newlines, in a field an error message quotes and in
// the request_id: the line stays short and one line, in both formats.
TEST_F(CallLogTest, AMegabyteFieldGivesAShortLine) {
  std::string huge;
  while (huge.size() < (1 << 20)) huge += "line\nbreak\r\x1b[31m";
  mv1::CreateMunicipalityRequest request;
  request.set_municipality_id(huge);
  request.set_request_id(huge);
  mv1::Municipality out;
  for (platform::LogFormat format : {platform::LogFormat::kText, platform::LogFormat::kJson}) {
    platform::SetLogFormat(format);
    grpc::Status status =
        enamnd::testing::Call(meetings_stub_, &MeetingsStub::CreateMunicipality, request, &out);
    EXPECT_INVALID_FIELD(status, "municipality_id");
    EXPECT_LT(status.error_message().size(), 4096u);
  }
  std::vector<std::string> access;
  for (const std::string& line : Lines()) {
    if (absl::StrContains(line, "CreateMunicipality")) access.push_back(line);
  }
  ASSERT_EQ(access.size(), 2u);
  for (const std::string& line : access) {
    EXPECT_LT(line.size(), 2500u) << line;
    EXPECT_EQ(line.find_first_of("\n\r\x1b"), std::string::npos) << line;
    EXPECT_THAT(line, ::testing::HasSubstr("...[truncated, 1048576 bytes in all]"));
  }
  EXPECT_THAT(access[0], ::testing::HasSubstr("request_id=\"line\\nbreak\\r\\x1b[31mline"));
  EXPECT_THAT(access[0], ::testing::HasSubstr(" error=\"municipality_id: \\\"line\\nbreak"));
  auto records = ParseJsonLines({access[1]}, dir_.path());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(records[0]["request_id"], "line\\nbreak\\r\\x1b[31mline"))
      << records[0]["request_id"];
  EXPECT_TRUE(absl::StartsWith(records[0]["error"], "municipality_id: \"line\\nbreak"))
      << records[0]["error"];
}

// ------------------------------------------------------------ invalid UTF-8

// A unary call with hand-made request bytes; returns its status.
grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareUnaryCall(&context, method, request, &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  EXPECT_TRUE(cq.Next(&tag, &ok));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

// A server-streaming call with hand-made request bytes (a generic call is
// bidirectional on the wire; one message, then half-close); returns its
// status once the server ends it.
grpc::Status RawStreamCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                           const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  auto await = [&cq] {
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    return ok;
  };
  auto call = stub.PrepareCall(&context, method, &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  await();
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  await();
  call->WritesDone(reinterpret_cast<void*>(3));
  await();
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(4));
  EXPECT_FALSE(await()) << "the stream sent a message";
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  await();
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

// `message` serialized with `marker` (in one of its strings) replaced by
// bytes of the same length that are not UTF-8.
std::string WithInvalidUtf8(const google::protobuf::Message& message, const std::string& marker) {
  std::string bytes = message.SerializeAsString();
  size_t at = bytes.find(marker);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) bytes[at + 1] = '\xff';
  return bytes;
}

TEST_F(CallLogTest, InvalidUtf8IsInvalidArgumentNamingTheField) {
  mv1::CreateCaseRequest create_case;
  create_case.mutable_case_()->set_case_number("2022/9-2.2.0.1");
  create_case.mutable_case_()->set_title("MARKER");
  grpc::Status status =
      RawCall(meetings_service_.ChannelAs(enamnd::testing::kClerk),
              absl::StrCat(kMeetings, "CreateCase"), WithInvalidUtf8(create_case, "MARKER"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(status.error_message(), "case.title: not valid UTF-8 (a string field must be UTF-8)");

  v1::CreateReviewRequest review = ReviewRequest(2021, {"2584"});
  review.mutable_review()->set_title("MARKER");
  status = RawCall(audits_service_.ChannelAs(enamnd::testing::kClerk),
                   absl::StrCat(kAudits, "CreateReview"), WithInvalidUtf8(review, "MARKER"));
  EXPECT_INVALID_FIELD(status, "review.title: not valid UTF-8");
  review = ReviewRequest(2021, {"2584"});
  review.set_request_id("MARKER");
  status = RawCall(audits_service_.ChannelAs(enamnd::testing::kClerk),
                   absl::StrCat(kAudits, "CreateReview"), WithInvalidUtf8(review, "MARKER"));
  EXPECT_INVALID_FIELD(status, "request_id: not valid UTF-8");

  // A server-streaming method too.
  mv1::WatchDecisionsRequest watch;
  watch.set_municipality("MARKER");
  status =
      RawStreamCall(meetings_service_.ChannelAs(enamnd::testing::kClerk),
                    absl::StrCat(kMeetings, "WatchDecisions"), WithInvalidUtf8(watch, "MARKER"));
  EXPECT_INVALID_FIELD(status, "municipality: not valid UTF-8");

  // Bytes that are no message at all.
  status = RawCall(audits_service_.ChannelAs(enamnd::testing::kClerk),
                   absl::StrCat(kAudits, "GetReview"), std::string("\x0a\xff\xff\xff", 4));
  EXPECT_INVALID_FIELD(status, "request: not a valid enamnd.audits.v1.GetReviewRequest");

  // Nothing was made, and the access lines say INVALID_ARGUMENT.
  v1::Review out;
  v1::GetReviewRequest get;
  get.set_name("reviews/2021-2584");
  EXPECT_EQ(enamnd::testing::Call(audits_stub_, &AuditsStub::GetReview, get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_FALSE(LineWith({"access:", "CreateCase code=INVALID_ARGUMENT", "case.title"}).empty());
  // protobuf's own complaint is no ERROR line: the client's mistake.
  for (const std::string& line : Lines())
    EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr("ERROR")));
}

TEST(LogFormatConfigTest, UnknownFormatRefusesToStart) {
  setenv("ENAMND_LOG_FORMAT", "xml", 1);
  auto config = platform::LoadConfig("meetings");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(config.status().message()), ::testing::HasSubstr("ENAMND_LOG_FORMAT"));
  setenv("ENAMND_LOG_FORMAT", "json", 1);
  config = platform::LoadConfig("meetings");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->log_format, "json");
  unsetenv("ENAMND_LOG_FORMAT");
  config = platform::LoadConfig("meetings");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->log_format, "text");
}

}  // namespace
}  // namespace enamnd::audits
