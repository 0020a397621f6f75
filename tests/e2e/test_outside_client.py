#!/usr/bin/python3
"""Outside-client end-to-end test of enamnd-meetings and enamnd-audits.

Runs as an external system would: Debian's /usr/bin/python3 with grpc,
protobuf and redis, the generated stubs, and nothing else. It starts a real
redis-server (unix socket in a temp dir) and the real enamnd-meetings and
enamnd-audits binaries (each with its own data dir) with their legal
calendar pinned to 2022-07-08 (ENAMND_TODAY, as tools/up does: a day inside
the appeal period of the 22 June 2022 protocol), loads the demo data with
tools/demo/load_demo.py (§ 8-16 of 22 June 2022, their justering on
2022-06-29 and the 14 members' notices, the last on 2022-07-04) and then
tools/demo/load_audits_demo.py (the 2021 reviews § 8-10 handled, their
recommendations, the reporting wheel and internal control plan of 2022),
The services run as tools/up runs them: with mTLS (ENAMND_TLS_CERT,
ENAMND_TLS_KEY, ENAMND_TLS_CLIENT_CA) and the demo's policy file
(ENAMND_POLICY), the demo's certificates made by tools/demo/demo_tls.py
(tools/tls, openssl) in the temp dir. The test calls as the secretary; the
loaders adjust as the chair and post Kiruna's notice and discharge as
Kiruna's municipal system.

It checks:

  a) paragraphs of 22 June 2022 by recipient and in § order; the event log of
     the load; loading twice changes nothing;
  b) WatchDecisions: replay, live delivery, resume after a disconnect without
     loss or repetition, audience filtering;
  c) every entry of the Redis stream enamnd:events:meetings decodes with the
     generated classes (CloudEvent envelope + payload named by `type`);
  d) bad input from outside: malformed case names, tampered page tokens;
  e) the adjusted protocol of 22 June 2022: its text and SHA-256, document
     verification, notices and appeal dates, the lock on its paragraphs,
     audience of the lifecycle events, a certified extract;
  f) the audits service: each review shows the committee's handling (§ 8,
     § 9, § 10, linked from the meetings stream) as the meetings service
     holds it; loading both demos again changes nothing in audits; every
     entry of enamnd:events:audits decodes with the generated classes; the
     missed control points; bad input (a recommendation given by a
     municipality that did not audit); WatchEvents on enamnd-audits replays
     its log as the Redis stream has it, filters by type and audience, and
     refuses a cursor beyond the log's head (OUT_OF_RANGE);
  g) mTLS and the demo principals: no client certificate -> the handshake
     fails (UNAVAILABLE); a certificate of another CA likewise; the public
     reader reads the adjusted protocol but may not record a decision
     (PERMISSION_DENIED); the audit trail, read as the operator, names the
     chair for the justering, Kiruna's system for Kiruna's notice and
     discharge, and the secretary for the rest.

The 22 June meeting is locked after its justering, so the decisions recorded
live by this test are made at the 12 October 2022 meeting.

Environment: ENAMND_BUILD_DIR (stubs in $ENAMND_BUILD_DIR/python, binaries in
$ENAMND_BUILD_DIR/services/meetings/enamnd-meetings and
$ENAMND_BUILD_DIR/services/audits/enamnd-audits), ENAMND_SOURCE_DIR (the
repository root). The last line printed is "N passed, M failed"; the exit
status is non-zero when anything failed.
"""

import hashlib
import signal
import subprocess
import sys
import time

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import (
    EVENT_TIMEOUT, TODAY, Processes, StreamReader, day, decode_entry, poll, scb_code,
    stop_process, tail)

import grpc  # noqa: E402
from google.protobuf import field_mask_pb2  # noqa: E402

from enamnd.audits.v1 import audits_pb2  # noqa: E402
from enamnd.auth.v1 import auth_pb2  # noqa: E402
from enamnd.common.v1 import watch_pb2  # noqa: E402
from enamnd.audits.v1 import audits_pb2_grpc  # noqa: E402
from enamnd.audits.v1 import events_pb2 as audits_events_pb2  # noqa: E402
from enamnd.events.v1 import cloudevent_pb2  # noqa: E402
from enamnd.meetings.v1 import events_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2_grpc  # noqa: E402

import demo_common  # noqa: E402
import demo_tls  # noqa: E402
import load_audits_demo  # noqa: E402
import load_demo  # noqa: E402

BINARY = e2e_harness.binary("meetings")
AUDITS_BINARY = e2e_harness.binary("audits")
M = meetings_pb2
A = audits_pb2
STREAM = "enamnd:events:meetings"
AUDITS_STREAM = "enamnd:events:audits"
BODY = "bodies/e-namnden"
JUNE = BODY + "/meetings/2022-06-22"
OCTOBER = BODY + "/meetings/2022-10-12"
KIRUNA = "municipalities/2584"
LULEA = "municipalities/2580"
OVERTORNEA = "municipalities/2518"
ADJUSTED_DATE = "2022-06-29"
NOTICE_DEADLINE = "2022-07-01"
APPEAL_DEADLINE = "2022-07-25"
LEGAL_FORCE_DATE = "2022-07-26"
RPC_TIMEOUT = 10
LINK_TIMEOUT = 20   # seconds for the audits service to link a decision
# The reviews of the demo and the § of 22 June 2022 that handled each.
REVIEW_PARAGRAPHS = {"reviews/2021-2584": 8, "reviews/2021-2505": 9, "reviews/2021-2560": 10}


# ------------------------------------------------------------------ watch

class Watch(StreamReader):
    """A WatchDecisions stream (or, given types, WatchEvents: [] for every
    type) read on a thread into a queue."""

    def __init__(self, stub, after_sequence, municipality="", types=None):
        if types is None:
            self.method = "WatchDecisions"
            self.call = stub.WatchDecisions(M.WatchDecisionsRequest(
                after_sequence=after_sequence, municipality=municipality))
        else:
            self.method = "WatchEvents"
            self.call = stub.WatchEvents(watch_pb2.WatchEventsRequest(
                after_sequence=after_sequence, types=types, municipality=municipality))
        self.start()


def decision_of(response):
    """Unpacks a WatchDecisionsResponse into DecisionRecorded."""
    event = response.event
    assert event.type == "enamnd.meetings.v1.DecisionRecorded", f"type {event.type}"
    assert event.WhichOneof("data") == "proto_data", "payload is not proto_data"
    decision = events_pb2.DecisionRecorded()
    assert event.proto_data.Unpack(decision), f"proto_data is {event.proto_data.type_url}"
    assert event.attributes["sequence"].ce_string == str(response.sequence), (
        f"sequence attribute {event.attributes['sequence']} != {response.sequence}")
    return decision


def audience(response):
    value = response.event.attributes.get("audience")
    return value.ce_string.split(",") if value is not None and value.ce_string else []


def short_type(response):
    """The event type without its package, e.g. "NoticePosted"."""
    return response.event.type.rpartition(".")[2]


def payload_of(response):
    """The event's payload, unpacked into the generated class its type names."""
    event = response.event
    package, _, message = event.type.rpartition(".")
    assert package == "enamnd.meetings.v1", f"type {event.type}"
    cls = getattr(events_pb2, message)
    payload = cls()
    assert event.proto_data.Unpack(payload), f"proto_data is {event.proto_data.type_url}"
    return payload


# ------------------------------------------------------------------ scenario

class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.service = None
        self.channel = None
        self.stub = None
        self.service_log = None
        self.first_load = None
        # The event log of the demo load as WatchDecisions replays it (every
        # decision event, no filter) and the sequence of its last event: the
        # NoticePosted that completed the notices of 22 June's justering.
        self.demo_events = None
        self.demo_last_sequence = None
        self.adjustment = None          # the justering of 22 June (GetAdjustment)
        self.protocol_text = None       # its adjusted text (RenderProtocol)
        self.max_sequence = 0           # highest sequence seen over WatchDecisions
        self.last_kiruna_sequence = 0   # the last decision to Kiruna
        self.extra_case = 29            # case numbers 2022/30.. for new decisions
        self.audits = None              # the enamnd-audits process
        self.audits_channel = None
        self.audits_stub = None
        self.audits_log = None
        self.first_audits_load = None
        self.callers = None             # channels to meetings per demo principal
        self.audits_callers = None      # the same to audits
        self.address = None
        self.audits_address = None

    # ------------------------------------------------------------ processes

    def make_demo_certificates(self):
        self.make_certificates(["meetings", "audits"])

    def start_service(self):
        self.service, address, self.service_log = self.launch(BINARY, "meetings")
        self.address = address
        self.callers = demo_common.Callers(address, self.tls)
        self.channel = demo_common.secure_channel(address, self.tls, "secretary")
        self.stub = meetings_pb2_grpc.MeetingsServiceStub(self.channel)
        self.await_serving(self.service, "meetings", self.service_log,
                           lambda timeout: load_demo.wait_until_serving(self.channel, timeout))

    def start_audits(self):
        self.audits, address, self.audits_log = self.launch(AUDITS_BINARY, "audits")
        self.audits_address = address
        self.audits_callers = demo_common.Callers(address, self.tls)
        self.audits_channel = demo_common.secure_channel(address, self.tls, "secretary")
        self.audits_stub = audits_pb2_grpc.AuditsServiceStub(self.audits_channel)
        self.await_serving(self.audits, "audits", self.audits_log,
                           lambda timeout: load_audits_demo.wait_until_serving(
                               self.audits_channel, timeout))

    def close_channels(self, service):
        """Closes every channel of this test to `service` ("meetings" or
        "audits"): the server lets open connections drain gracefully at
        shutdown, which would only add seconds."""
        if service == "audits":
            if self.audits_channel is not None:
                self.audits_channel.close()
                self.audits_channel = None
            if self.audits_callers is not None:
                self.audits_callers.close()
        else:
            if self.channel is not None:
                self.channel.close()
                self.channel = None
            if self.callers is not None:
                self.callers.close()

    def stop(self):
        # The consumer (audits) first, then meetings, then Redis.
        self.close_channels("audits")
        stop_process(self.audits, "enamnd-audits")
        self.audits = None
        self.close_channels("meetings")
        code = stop_process(self.service, "enamnd-meetings")
        self.service = None
        self.stop_redis()
        return code

    # ------------------------------------------------------------ helpers

    def paragraphs(self, parent, filter_=""):
        out, token = [], ""
        while True:
            r = self.stub.ListParagraphs(M.ListParagraphsRequest(
                parent=parent, filter=filter_, page_size=100, page_token=token),
                timeout=RPC_TIMEOUT)
            out.extend(r.paragraphs)
            token = r.next_page_token
            if not token:
                return out

    def replay(self, until_sequence, municipality=""):
        """WatchDecisions from the start up to and including until_sequence."""
        w = Watch(self.stub, 0, municipality)
        out = []
        try:
            while not out or out[-1].sequence < until_sequence:
                out.append(self.see(w.next()))
        finally:
            w.close()
        assert out[-1].sequence == until_sequence, (out[-1].sequence, until_sequence)
        return out

    def record_october_attendance(self):
        body = self.stub.GetBody(M.GetBodyRequest(name=BODY), timeout=RPC_TIMEOUT)
        self.stub.RecordAttendance(M.RecordAttendanceRequest(
            meeting=OCTOBER,
            attendance=M.Attendance(
                seats=[M.SeatAttendance(municipality=s.municipality, member_present=True)
                       for s in body.seats],
                chair=M.Person(display_name="Ordförande (e2e)"),
                secretary=M.Person(display_name="Nämndsekreterare (e2e)"))),
            timeout=RPC_TIMEOUT)

    def new_decision(self, recipients):
        """A new case 2022/N-1.1.1.1 decided at 12 October, sent to recipients."""
        self.extra_case += 1
        number = f"2022/{self.extra_case}-1.1.1.1"
        case = self.stub.CreateCase(M.CreateCaseRequest(
            case=M.Case(case_number=number, title=f"E2e-ärende {self.extra_case}"),
            request_id=f"e2e-case-{self.extra_case}"), timeout=RPC_TIMEOUT)
        assert case.case_number == number, case.case_number
        return self.stub.RecordDecision(M.RecordDecisionRequest(
            parent=OCTOBER,
            paragraph=M.Paragraph(
                case=case.name,
                decision=M.Decision(kind=M.DECISION_KIND_NOTE_AND_FILE,
                                    text="Nämnden beslutar att lägga informationen till "
                                         "handlingarna."),
                recipients=[M.Recipient(municipality=r) for r in recipients]),
            request_id=f"e2e-decision-{self.extra_case}"), timeout=RPC_TIMEOUT)

    def see(self, response):
        self.max_sequence = max(self.max_sequence, response.sequence)
        return response

    # ------------------------------------------------------------ a) listing

    def check_first_load(self):
        result = load_demo.load(self.channel, callers=self.callers)
        self.first_load = result
        numbers = [d["number"] for d in result["decisions"]]
        assert numbers == list(range(8, 17)), f"decisions § {numbers}"
        assert result["counts"] == dict(municipalities=14, bodies=2, meetings=15, cases=9,
                                        paragraphs=9, adjustments=1), result["counts"]
        created = result["created"]
        assert (created["paragraphs"], created["adjustments"], created["notices"]) == (9, 1, 14), (
            created)
        a = result["adjustment"]
        assert a is not None, f"no justering; notes {result['notes']}"
        assert not result["notes"], result["notes"]
        assert (a["adjusted_date"], a["notice_deadline"], a["appeal_deadline"],
                a["legal_force_date"]) == (ADJUSTED_DATE, NOTICE_DEADLINE, APPEAL_DEADLINE,
                                           LEGAL_FORCE_DATE), a
        assert len(a["notices"]) == 14, a["notices"]
        assert result["legal_states"] == {n: "LEGAL_STATE_ADJUSTED" for n in range(8, 17)}, (
            result["legal_states"])
        self.check_demo_log()

    def check_demo_log(self):
        """The demo's decision events as WatchDecisions replays them: § 8-16,
        the justering, then the notices; the one that completed them (the last
        member to post) ends the log. The deadline job may also have raised
        NoticeOverdue for members whose (backdated) notice was not recorded
        yet when it ran: how many depends on timing, so only their shape is
        checked."""
        w = Watch(self.stub, 0)
        events = []
        try:
            while True:
                r = self.see(w.next())
                events.append(r)
                if short_type(r) == "NoticePosted" and payload_of(r).all_posted:
                    break
        finally:
            w.close()
        self.demo_events = events
        self.demo_last_sequence = events[-1].sequence
        types = [short_type(r) for r in events]
        assert types[:10] == ["DecisionRecorded"] * 9 + ["ProtocolAdjusted"], types
        assert [decision_of(r).paragraph.number for r in events[:9]] == list(range(8, 17))
        rest = events[10:]
        assert {short_type(r) for r in rest} <= {"NoticePosted", "NoticeOverdue"}, types
        posted = [payload_of(r) for r in rest if short_type(r) == "NoticePosted"]
        assert len(posted) == 14, f"{len(posted)} NoticePosted"
        assert len({p.municipality for p in posted}) == 14, [p.municipality for p in posted]
        assert [p.all_posted for p in posted] == [False] * 13 + [True]
        last = posted[-1]
        assert last.municipality == OVERTORNEA and last.late, last
        assert (day(last.posted_date), day(last.appeal_deadline), day(last.legal_force_date)) == (
            "2022-07-04", APPEAL_DEADLINE, LEGAL_FORCE_DATE), last
        assert not any(p.late for p in posted[:-1]), "only Övertorneå posted late"
        # Each overdue member is reported once, before its own posting.
        where_posted = {payload_of(r).municipality: r.sequence
                        for r in rest if short_type(r) == "NoticePosted"}
        overdue = [(r.sequence, payload_of(r)) for r in rest if short_type(r) == "NoticeOverdue"]
        assert len({o.municipality for _, o in overdue}) == len(overdue), "overdue twice"
        for sequence, o in overdue:
            assert day(o.notice_deadline) == NOTICE_DEADLINE, o
            assert sequence < where_posted[o.municipality], (sequence, o.municipality)
        print(f"     (demo log: {len(events)} decision events up to sequence "
              f"{self.demo_last_sequence}; the deadline job raised {len(overdue)} NoticeOverdue "
              "while the notices were being recorded)", flush=True)
        # The audience: every member for the justering, only the member
        # concerned for its notice.
        adjusted = events[9]
        assert len(audience(adjusted)) == 14 and KIRUNA[-4:] in audience(adjusted), (
            audience(adjusted))
        for r in rest:
            assert audience(r) == [scb_code(payload_of(r).municipality)], (
                short_type(r), audience(r))

    def check_recipient(self, municipality, number, case_number):
        found = self.paragraphs(JUNE, f'recipient = "{municipality}"')
        got = [(p.number, p.case_number) for p in found]
        assert got == [(number, case_number)], f"{municipality}: {got}"
        assert municipality in [r.municipality for r in found[0].recipients]

    def check_june_paragraphs(self):
        found = self.paragraphs(JUNE)
        assert [p.number for p in found] == list(range(8, 17)), [p.number for p in found]
        expected_cases = [f"2022/{n}-2.2.0.1" for n in range(9, 17)] + ["2022/17-1.1.1.2"]
        assert [p.case_number for p in found] == expected_cases, [p.case_number for p in found]
        for p in found:
            assert p.name == f"{JUNE}/paragraphs/{p.number}", p.name
            assert p.decision.text and p.title, p.name
        kinds = {p.number: M.DecisionKind.Name(p.decision.kind) for p in found}
        assert kinds[12] == "DECISION_KIND_APPROVE" and kinds[16] == "DECISION_KIND_APPROVE", kinds
        assert all(kinds[n] == "DECISION_KIND_NOTE_AND_FILE" for n in (10, 11, 13, 14, 15)), kinds
        assert found[4].meeting_notes and found[4].procedure.order_put, "§ 12 notes/procedure"
        # The service holds the protocol's texts as the demo data gives them
        # (verbatim from the sample; tests/demo checks the data against it).
        for p, data in zip(found, load_demo.PARAGRAPHS):
            f = load_demo.paragraph_fields(data)
            got = (p.title, p.decision.text, p.summary, p.description, p.meeting_notes,
                   p.procedure.order_put, [d.title for d in p.documents],
                   [r.municipality for r in p.recipients])
            assert got == (f["title"], f["decision_text"], f["summary"], f["description"],
                           f["meeting_notes"], f["order_put"], f["documents"],
                           [m for m, _ in f["recipients"]]), (p.name, got)
        case9 = self.stub.GetCase(M.GetCaseRequest(name="cases/2022-9"), timeout=RPC_TIMEOUT)
        assert case9.subject == "//audits/reviews/2021-2584", case9.subject

    def check_second_load(self):
        # The demo's last event is the last of the whole log (the relay has
        # put every event on the Redis stream once XLEN reaches it).
        poll(lambda: self.redis.xlen(STREAM) >= self.demo_last_sequence, EVENT_TIMEOUT,
             f"XLEN {STREAM} >= {self.demo_last_sequence}")
        assert self.redis.xlen(STREAM) == self.demo_last_sequence, (
            self.redis.xlen(STREAM), self.demo_last_sequence)
        before = load_demo.count_resources(self.stub)
        result = load_demo.load(self.channel, callers=self.callers)
        after = load_demo.count_resources(self.stub)
        assert before == after == result["counts"] == self.first_load["counts"], (
            before, after, result["counts"])
        assert not any(result["created"].values()), f"second load created {result['created']}"
        assert result["decisions"] == self.first_load["decisions"]
        assert result["adjustment"] == self.first_load["adjustment"], result["adjustment"]
        # The log up to the demo's end is unchanged; that nothing came after
        # it is checked in b) (the next events are the test's own).
        again = self.replay(self.demo_last_sequence)
        assert [(r.sequence, r.event.id) for r in again] == [
            (r.sequence, r.event.id) for r in self.demo_events], "the replay changed"

    # ------------------------------------------------------------ b) watch

    def check_watch(self):
        # Kiruna's share of the demo log: § 8, the justering, its own notice
        # (and its NoticeOverdue if the deadline job raised one).
        for_kiruna = [r.sequence for r in self.demo_events if "2584" in audience(r)]
        w = Watch(self.stub, 0, KIRUNA)
        try:
            # Replay: § 8 (to Gällivare and Kiruna) is the first decision for Kiruna.
            first = self.see(w.next())
            d = decision_of(first)
            assert d.paragraph.number == 8, d.paragraph.number
            assert d.paragraph.case_number == "2022/9-2.2.0.1", d.paragraph.case_number
            assert d.body == BODY and d.body_display_name == "Norrbottens e-nämnd", d.body
            assert (d.meeting_date.year, d.meeting_date.month, d.meeting_date.day) == (
                2022, 6, 22), d.meeting_date
            assert d.meeting == JUNE, d.meeting
            assert d.case_subject == "//audits/reviews/2021-2584", d.case_subject
            assert "2584" in audience(first), audience(first)
            assert first.event.source == "//enamnd/meetings", first.event.source
            replayed = [first.sequence] + [self.see(w.next()).sequence
                                           for _ in range(len(for_kiruna) - 1)]
            assert replayed == for_kiruna, (replayed, for_kiruna)

            # Live: a new decision to Kiruna arrives on the open stream.
            self.record_october_attendance()
            live = self.new_decision([KIRUNA])
            got = self.see(w.next())
            d = decision_of(got)
            assert d.paragraph.name == live.name, (d.paragraph.name, live.name)
            assert d.meeting == OCTOBER, d.meeting
            assert got.sequence > replayed[-1]
            # The second load published nothing: after the demo's last notice
            # came only the October attendance (AttendanceRecorded, and
            # MeetingUpdated as the meeting became HELD), then this decision.
            assert got.sequence == self.demo_last_sequence + 3, (
                f"live decision has sequence {got.sequence}, expected "
                f"{self.demo_last_sequence + 3}: something was published in between")
            cursor = got.sequence
        finally:
            w.close()

        # Disconnected: two decisions to Kiruna with one to Luleå between them.
        a = self.new_decision([KIRUNA])
        lulea = self.new_decision([LULEA])
        b = self.new_decision([KIRUNA])
        assert a.number < lulea.number < b.number, (a.number, lulea.number, b.number)

        w = Watch(self.stub, cursor, KIRUNA)
        try:
            r1 = self.see(w.next())
            r2 = self.see(w.next())
            got = [decision_of(r).paragraph.name for r in (r1, r2)]
            assert got == [a.name, b.name], f"after reconnect got {got}"
            assert cursor < r1.sequence < r2.sequence, (cursor, r1.sequence, r2.sequence)
            # Nothing else is queued: the next event is a marker recorded now.
            marker = self.new_decision([KIRUNA])
            r3 = self.see(w.next())
            assert decision_of(r3).paragraph.name == marker.name, (
                f"expected the marker {marker.name}, got {decision_of(r3).paragraph.name}")
            assert r3.sequence > r2.sequence
            self.last_kiruna_sequence = r3.sequence
        finally:
            w.close()

        # Without a filter the Luleå decision is there, between a and b.
        w = Watch(self.stub, cursor)
        try:
            names = [decision_of(self.see(w.next())).paragraph.name for _ in range(4)]
            assert names == [a.name, lulea.name, b.name, marker.name], names
        finally:
            w.close()

    # ------------------------------------------------------------ c) redis

    def check_stream(self):
        assert self.max_sequence > 0, "no sequence seen over WatchDecisions"
        poll(lambda: self.redis.xlen(STREAM) >= self.max_sequence, EVENT_TIMEOUT,
             f"XLEN {STREAM} >= {self.max_sequence}")
        entries = self.redis.xrange(STREAM, "-", "+")
        assert entries, "empty stream"
        sequences, types = [], set()
        for entry_id, fields in entries:
            payload, message, attrs, where = decode_entry(
                entry_id, fields, "//enamnd/meetings", "enamnd.meetings.v1", events_pb2)
            sequence = int(attrs["sequence"].ce_string)
            got = attrs["audience"].ce_string if "audience" in attrs else ""
            if message == "DecisionRecorded":
                codes = [r.municipality.split("/")[1] for r in payload.paragraph.recipients
                         if r.municipality]
                assert got == ",".join(codes), f"{where}: audience {got!r}, recipients {codes}"
            elif message == "ProtocolAdjusted":
                codes = [scb_code(m) for m in payload.adjustment.required_municipalities]
                assert len(codes) == 14 and got == ",".join(codes), f"{where}: audience {got!r}"
                assert not payload.adjustment.text, f"{where}: carries the protocol text"
            elif message in ("NoticePosted", "NoticeOverdue"):
                assert got == scb_code(payload.municipality), f"{where}: audience {got!r}"
            sequences.append(sequence)
            types.add(message)
        assert all(x < y for x, y in zip(sequences, sequences[1:])), (
            f"sequences not strictly increasing: {sequences}")
        assert sequences == list(range(1, len(sequences) + 1)), f"gaps: {sequences}"
        assert sequences[-1] >= self.max_sequence, (sequences[-1], self.max_sequence)
        missing = {"MeetingScheduled", "AttendanceRecorded", "DecisionRecorded",
                   "ProtocolAdjusted", "NoticePosted"} - types
        assert not missing, f"missing event types {missing}"
        # Today is pinned inside the appeal period: nothing is final yet.
        assert "DecisionFinal" not in types, "DecisionFinal before the appeal deadline"

    # ------------------------------------------------------------ d) bad input

    def expect_invalid(self, fn, mention):
        try:
            fn()
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, (
                f"expected INVALID_ARGUMENT, got {e.code().name}: {e.details()}")
            assert mention in (e.details() or ""), f"{e.details()!r} does not mention {mention}"
            return e.details()
        raise AssertionError("the call succeeded")

    def check_reflection(self):
        # grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo with
        # list_services (field 7) = "*", encoded by hand: python3-grpcio on
        # Debian has no reflection client. The reply's list_services_response
        # (field 6) holds ServiceResponse messages whose field 1 is the name.
        call = self.channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        replies = list(call(iter([b"\x3a\x01*"]), timeout=10))
        assert len(replies) == 1, replies
        names = []
        data = replies[0]

        def fields(buf):
            i = 0
            while i < len(buf):
                key = buf[i]
                i += 1
                assert key & 7 == 2, f"unexpected wire type in {buf!r}"
                length, shift = 0, 0
                while True:
                    byte = buf[i]
                    i += 1
                    length |= (byte & 0x7F) << shift
                    shift += 7
                    if byte < 0x80:
                        break
                yield key >> 3, buf[i:i + length]
                i += length

        for number, value in fields(data):
            if number == 6:  # ListServiceResponse
                for inner_number, service in fields(value):
                    if inner_number == 1:  # ServiceResponse
                        for n, name in fields(service):
                            if n == 1:
                                names.append(name.decode())
        assert "enamnd.meetings.v1.MeetingsService" in names, names
        assert "grpc.health.v1.Health" in names, names

    def check_bad_case_name(self):
        before = len(self.paragraphs(OCTOBER))
        for bad in ["case/2022-9", "cases/2022", "2022/9-2.2.0.1", "cases/2022-0", ""]:
            self.expect_invalid(lambda: self.stub.RecordDecision(M.RecordDecisionRequest(
                parent=OCTOBER,
                paragraph=M.Paragraph(
                    case=bad, title="Felaktigt ärende",
                    decision=M.Decision(kind=M.DECISION_KIND_APPROVE, text="Godkänns."),
                    recipients=[M.Recipient(municipality=KIRUNA)])),
                timeout=RPC_TIMEOUT), "paragraph.case")
        assert len(self.paragraphs(OCTOBER)) == before, "a rejected decision left a paragraph"

    def check_tampered_page_token(self):
        first = self.stub.ListParagraphs(M.ListParagraphsRequest(parent=JUNE, page_size=2),
                                         timeout=RPC_TIMEOUT)
        assert [p.number for p in first.paragraphs] == [8, 9], [p.number for p in first.paragraphs]
        token = first.next_page_token
        assert token, "no next_page_token"
        # The real token continues where the page ended.
        second = self.stub.ListParagraphs(M.ListParagraphsRequest(
            parent=JUNE, page_size=2, page_token=token), timeout=RPC_TIMEOUT)
        assert [p.number for p in second.paragraphs] == [10, 11]
        # A flipped character in the middle of the token is rejected.
        i = len(token) // 2
        flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
        self.expect_invalid(lambda: self.stub.ListParagraphs(M.ListParagraphsRequest(
            parent=JUNE, page_size=2, page_token=flipped), timeout=RPC_TIMEOUT), "page_token")
        # So is a real token used with another filter.
        self.expect_invalid(lambda: self.stub.ListParagraphs(M.ListParagraphsRequest(
            parent=JUNE, page_size=2, page_token=token, filter="year = 2022"),
            timeout=RPC_TIMEOUT), "page_token")

    def check_bad_watch(self):
        for bad in ["municipalities/25", "kommun/2584", "municipalities/9999"]:
            w = Watch(self.stub, 0, bad)
            try:
                e = w.error()
                assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, (
                    f"{bad}: {e.code().name}: {e.details()}")
                assert "municipality" in e.details(), e.details()
            finally:
                w.close()

    # ------------------------------------------------------------ e) protocol

    def check_protocol_text(self):
        adjustments = self.stub.ListAdjustments(M.ListAdjustmentsRequest(parent=JUNE),
                                                timeout=RPC_TIMEOUT).adjustments
        protocol = [a for a in adjustments if a.kind == M.Adjustment.KIND_PROTOCOL]
        assert len(protocol) == 1, [a.name for a in adjustments]
        a = protocol[0]
        assert a.name == JUNE + "/adjustments/1", a.name
        assert a.name == self.first_load["adjustment"]["name"], a.name
        rendered = self.stub.RenderProtocol(M.RenderProtocolRequest(meeting=JUNE),
                                            timeout=RPC_TIMEOUT)
        text = rendered.text
        sha = hashlib.sha256(text.encode()).hexdigest()
        assert rendered.sha256 == sha, (rendered.sha256, sha)
        assert a.sha256 == sha, (a.sha256, sha)
        assert a.text == text, "the adjustment's text is not the rendered protocol"
        assert rendered.adjustment == a.name, rendered.adjustment
        assert self.first_load["adjustment"]["sha256"] == sha, "loader summary SHA-256"
        for needle in ("§ 8–16", "Ordförande: Ledamot Luleå", "Justerare: Ledamot Kiruna",
                       "Ärendenr 2022/9-2.2.0.1", "Ärendenr 2022/17-1.1.1.2"):
            assert needle in text, f"{needle!r} not in the protocol"
        for p in load_demo.PARAGRAPHS:
            for needle in [f"§ {p['number']} {p['title']}\n", p["decision"]] + p["recipients"]:
                assert needle in text, f"§ {p['number']}: {needle!r} not in the protocol"
        assert (a.previous_sha256, a.chain_position) == ("", 1), (a.previous_sha256,
                                                                 a.chain_position)
        chain = self.stub.VerifyChain(M.VerifyChainRequest(body=BODY), timeout=RPC_TIMEOUT)
        assert chain.intact and chain.links_checked == 1, chain
        self.adjustment = a
        self.protocol_text = text

    def check_verify_protocol(self):
        assert self.adjustment is not None, "no adjustment (the previous check failed)"
        a, text = self.adjustment, self.protocol_text
        v = self.stub.VerifyDocument(M.VerifyDocumentRequest(text=text), timeout=RPC_TIMEOUT)
        assert (v.match, v.name, v.sha256, day(v.date)) == (
            M.VerifyDocumentResponse.MATCH_PROTOCOL, a.name, a.sha256, ADJUSTED_DATE), v
        v = self.stub.VerifyDocument(M.VerifyDocumentRequest(sha256=a.sha256.upper()),
                                     timeout=RPC_TIMEOUT)
        assert (v.match, v.name) == (M.VerifyDocumentResponse.MATCH_PROTOCOL, a.name), v
        # One character changed: "Beslut" -> "beslut" in § 8.
        i = text.index("\nBeslut\n") + 1
        changed = text[:i] + "b" + text[i + 1:]
        assert len(changed) == len(text) and changed != text
        v = self.stub.VerifyDocument(M.VerifyDocumentRequest(text=changed), timeout=RPC_TIMEOUT)
        assert v.match == M.VerifyDocumentResponse.MATCH_NONE and not v.name, v
        assert v.sha256 == hashlib.sha256(changed.encode()).hexdigest(), v.sha256

    def check_adjustment_dates(self):
        assert self.adjustment is not None, "no adjustment (an earlier check failed)"
        a = self.stub.GetAdjustment(M.GetAdjustmentRequest(name=self.adjustment.name),
                                    timeout=RPC_TIMEOUT)
        assert a.kind == M.Adjustment.KIND_PROTOCOL, a.kind
        assert list(a.paragraph_numbers) == list(range(8, 17)), list(a.paragraph_numbers)
        assert a.chair.display_name == "Ledamot Luleå", a.chair
        assert [p.display_name for p in a.adjusters] == ["Ledamot Kiruna"], a.adjusters
        assert (day(a.adjusted_date), day(a.notice_deadline), day(a.appeal_period_start),
                day(a.appeal_deadline), day(a.legal_force_date)) == (
            ADJUSTED_DATE, NOTICE_DEADLINE, "2022-07-04", APPEAL_DEADLINE, LEGAL_FORCE_DATE), a
        assert not a.finalized, "finalized before the appeal deadline"
        assert len(a.required_municipalities) == 14, list(a.required_municipalities)
        assert len(a.notices) == 14, [n.municipality for n in a.notices]
        assert {n.municipality for n in a.notices} == set(a.required_municipalities)
        late = {n.municipality: day(n.posted_date) for n in a.notices if n.late}
        assert late == {OVERTORNEA: "2022-07-04"}, late
        for n in a.notices:
            assert ADJUSTED_DATE <= day(n.posted_date) <= TODAY, (n.municipality, n.posted_date)
        # The loader's summary (what tools/up prints) agrees.
        summary = self.first_load["adjustment"]
        assert (summary["appeal_deadline"], summary["legal_force_date"]) == (
            day(a.appeal_deadline), day(a.legal_force_date)), summary

    def check_june_locked(self):
        assert self.adjustment is not None, "no adjustment (an earlier check failed)"
        found = self.paragraphs(JUNE)
        states = {p.number: M.Paragraph.LegalState.Name(p.legal_state) for p in found}
        # ADJUSTED, not FINAL: today is pinned to 2022-07-08, inside the
        # appeal period.
        assert states == {n: "LEGAL_STATE_ADJUSTED" for n in range(8, 17)}, states
        assert all(p.adjustment == self.adjustment.name for p in found), (
            [p.adjustment for p in found])
        assert not any(p.HasField("legal_force_date") for p in found), "legal_force_date set"
        p8 = found[0]
        details = self.expect_code(grpc.StatusCode.FAILED_PRECONDITION,
                                   lambda: self.stub.UpdateParagraph(M.UpdateParagraphRequest(
                                       paragraph=M.Paragraph(name=p8.name, title="Ändrad rubrik"),
                                       update_mask=field_mask_pb2.FieldMask(paths=["title"])),
                                       timeout=RPC_TIMEOUT))
        assert "RecordCorrection" in details, details
        self.expect_code(grpc.StatusCode.FAILED_PRECONDITION,
                         lambda: self.stub.RecordDecision(M.RecordDecisionRequest(
                             parent=JUNE,
                             paragraph=M.Paragraph(
                                 case="cases/2022-9",
                                 decision=M.Decision(kind=M.DECISION_KIND_NOTE_AND_FILE,
                                                     text="Nämnden lägger informationen till "
                                                          "handlingarna."),
                                 recipients=[M.Recipient(municipality=KIRUNA)]),
                             request_id="e2e-june-after-justering"), timeout=RPC_TIMEOUT))
        after = self.paragraphs(JUNE)
        assert [(p.number, p.title, p.etag) for p in after] == [
            (p.number, p.title, p.etag) for p in found], "a locked paragraph changed"

    def check_watch_lifecycle_audience(self):
        assert self.demo_last_sequence, "no demo log (a) failed)"
        # A marker after the demo's events, so the replay can stop at it.
        self.record_october_attendance_once()
        marker = self.new_decision([KIRUNA])
        w = Watch(self.stub, 0, KIRUNA)
        got = []
        try:
            while True:
                r = self.see(w.next())
                if r.sequence > self.demo_last_sequence:
                    if decision_of(r).paragraph.name == marker.name:
                        self.last_kiruna_sequence = r.sequence
                        break
                    continue  # a decision of b) to Kiruna
                got.append(r)
        finally:
            w.close()
        for r in got:
            assert "2584" in audience(r), (short_type(r), audience(r))
        adjusted = [payload_of(r) for r in got if short_type(r) == "ProtocolAdjusted"]
        assert [p.adjustment.name for p in adjusted] == [self.adjustment.name], adjusted
        assert adjusted[0].meeting == JUNE and day(adjusted[0].adjustment.adjusted_date) == (
            ADJUSTED_DATE), adjusted[0]
        posted = [payload_of(r) for r in got if short_type(r) == "NoticePosted"]
        assert [(p.municipality, day(p.posted_date), p.late) for p in posted] == [
            (KIRUNA, "2022-06-29", False)], f"NoticePosted seen by Kiruna: {posted}"
        overdue = [payload_of(r) for r in got if short_type(r) == "NoticeOverdue"]
        assert all(o.municipality == KIRUNA for o in overdue), overdue
        # Unfiltered, the same range holds every member's notice.
        everyone = [payload_of(r).municipality for r in self.demo_events
                    if short_type(r) == "NoticePosted"]
        assert len(everyone) == 14 and OVERTORNEA in everyone, everyone

    def record_october_attendance_once(self):
        meeting = self.stub.GetMeeting(M.GetMeetingRequest(name=OCTOBER), timeout=RPC_TIMEOUT)
        if not meeting.HasField("attendance"):
            self.record_october_attendance()

    def check_extract(self):
        assert self.adjustment is not None, "no adjustment (an earlier check failed)"
        paragraph = JUNE + "/paragraphs/8"
        e = self.stub.CreateExtract(M.CreateExtractRequest(
            paragraph=paragraph, certified_by=M.Person(display_name=load_demo.SECRETARY),
            request_id="e2e-extract-p8"), timeout=RPC_TIMEOUT)
        assert e.paragraph == paragraph and e.name.startswith(paragraph + "/extracts/"), e.name
        assert (e.adjustment, e.protocol_sha256) == (self.adjustment.name,
                                                     self.adjustment.sha256), e
        assert self.adjustment.sha256 in e.text, "the extract does not name the protocol SHA-256"
        assert "§ 8 " in e.text and "§ 9 " not in e.text, "not an extract of § 8 alone"
        assert load_demo.SECRETARY in e.text, "the certifier is not in the extract"
        assert day(e.certified_date) == TODAY, f"certified {day(e.certified_date)} (today {TODAY})"
        assert e.sha256 == hashlib.sha256(e.text.encode()).hexdigest(), e.sha256
        v = self.stub.VerifyDocument(M.VerifyDocumentRequest(text=e.text), timeout=RPC_TIMEOUT)
        assert (v.match, v.name, v.sha256) == (M.VerifyDocumentResponse.MATCH_EXTRACT, e.name,
                                               e.sha256), v
        # The same certification again is the same document.
        again = self.stub.CreateExtract(M.CreateExtractRequest(
            paragraph=paragraph, certified_by=M.Person(display_name=load_demo.SECRETARY)),
            timeout=RPC_TIMEOUT)
        assert (again.name, again.sha256) == (e.name, e.sha256), (again.name, e.name)

    # ------------------------------------------------------------ f) audits

    def audits_entries(self):
        return self.redis.xrange(AUDITS_STREAM, "-", "+")

    def settled_audits_stream(self):
        """The audits stream once nothing more is being published: the same
        last entry for 1.5 s (the relay publishes committed outbox rows and
        the deadline job runs after every commit). Returns (XLEN, last id)."""
        last, since = None, time.monotonic()
        deadline = since + EVENT_TIMEOUT
        while True:
            entries = self.redis.xrevrange(AUDITS_STREAM, "+", "-", count=1)
            now = (self.redis.xlen(AUDITS_STREAM), entries[0][0] if entries else None)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= 1.5:
                return now
            assert time.monotonic() < deadline, f"{AUDITS_STREAM} still growing: {now}"
            time.sleep(0.1)

    def check_first_audits_load(self):
        assert self.audits_stub is not None, "enamnd-audits is not running"
        result = load_audits_demo.load(self.audits_channel, handlings_timeout=LINK_TIMEOUT,
                                       callers=self.audits_callers)
        self.first_audits_load = result
        assert result["counts"] == dict(reviews=3, discharges=4, recommendations=2,
                                        reporting_years=2, control_points=6), result["counts"]
        assert result["created"] == dict(
            reviews=3, discharges=4, recommendations=2, recommendation_updates=2,
            reporting_years=2, moments_reported=0, control_plans=1, control_points=6,
            follow_ups=0), result["created"]
        assert result["handlings_complete"] and not result["notes"], result["notes"]
        reviews = {r["name"]: r for r in result["reviews"]}
        assert list(reviews) == list(REVIEW_PARAGRAPHS), list(reviews)
        for name, number in REVIEW_PARAGRAPHS.items():
            got = [h["number"] for h in reviews[name]["handlings"]]
            assert got == [number], f"{name}: handlings § {got}"
        shared = reviews["reviews/2021-2584"]["recommendations"]
        assert [r["given_by"] for r in shared] == [[KIRUNA, "municipalities/2523"]], shared
        assert not reviews["reviews/2021-2560"]["recommendations"], "Älvsbyn gave none"
        for r in shared + reviews["reviews/2021-2505"]["recommendations"]:
            assert (r["status"], r["responsible"], bool(r["actions"]), r["overdue"]) == (
                "STATUS_IN_PROGRESS", "Samordnaren", True, False), r
        assert [m["point"] for m in result["missed"]] == [
            "control-plans/2022/points/fakturering-per-kommun"], result["missed"]
        assert [m["name"] for m in result["overdue"]] == [
            "reporting-years/2022/moments/intern-kontroll-1"], result["overdue"]
        years = result["reporting_years"]
        assert years["reporting-years/2023"]["copied_from"] == "reporting-years/2022", years
        assert len(years["reporting-years/2023"]["moments"]) == len(
            years["reporting-years/2022"]["moments"]), years

    def check_review_handling(self, review, number):
        assert self.audits_stub is not None, "enamnd-audits is not running"
        paragraph = self.stub.GetParagraph(M.GetParagraphRequest(
            name=f"{JUNE}/paragraphs/{number}"), timeout=RPC_TIMEOUT)
        case = self.stub.GetCase(M.GetCaseRequest(name=paragraph.case), timeout=RPC_TIMEOUT)
        assert case.subject == "//audits/" + review, case.subject

        def linked():
            r = self.audits_stub.GetReview(A.GetReviewRequest(name=review), timeout=RPC_TIMEOUT)
            return r if any(h.paragraph == paragraph.name for h in r.handlings) else None

        r = poll(linked, LINK_TIMEOUT, f"{review} to show § {number}")
        assert [h.paragraph for h in r.handlings] == [paragraph.name], (
            [h.paragraph for h in r.handlings])
        h = r.handlings[0]
        assert (h.paragraph_number, h.meeting, day(h.meeting_date), h.case_number) == (
            number, JUNE, "2022-06-22", paragraph.case_number), h
        assert h.decision_kind == M.DecisionKind.Name(paragraph.decision.kind), (
            h.decision_kind, paragraph.decision.kind)
        assert h.decision_text == paragraph.decision.text, h.decision_text
        # Today is inside the appeal period: no legal force yet.
        assert not h.HasField("legal_force_date"), h.legal_force_date
        # It names the meetings event it came from: § number's DecisionRecorded.
        assert h.event_source == "//enamnd/meetings", h.event_source
        found = [fields for _, fields in self.redis.xrange(STREAM, "-", "+")
                 if fields[b"id"].decode() == h.event_id]
        assert len(found) == 1, f"event {h.event_id} is not on {STREAM}"
        assert found[0][b"type"] == b"enamnd.meetings.v1.DecisionRecorded", found[0][b"type"]
        event = cloudevent_pb2.CloudEvent.FromString(found[0][b"event"])
        decision = events_pb2.DecisionRecorded()
        assert event.proto_data.Unpack(decision) and decision.paragraph.name == paragraph.name

    def check_audits_second_load(self):
        assert self.first_audits_load is not None, "the first audits load failed"
        before = self.settled_audits_stream()
        meetings = load_demo.load(self.channel, callers=self.callers)
        assert not any(meetings["created"].values()), f"meetings load created {meetings['created']}"
        result = load_audits_demo.load(self.audits_channel, handlings_timeout=LINK_TIMEOUT,
                                       callers=self.audits_callers)
        assert not any(result["created"].values()), f"audits load created {result['created']}"
        first = self.first_audits_load
        for key in ("counts", "reviews", "missed", "overdue", "reporting_years"):
            assert result[key] == first[key], (key, result[key], first[key])
        assert result["handlings_complete"] and not result["notes"], result["notes"]
        after = self.settled_audits_stream()
        assert after == before, f"XLEN {AUDITS_STREAM} (and last id) {before} -> {after}"

    def check_audits_stream(self):
        xlen, _ = self.settled_audits_stream()
        entries = self.audits_entries()
        assert len(entries) == xlen and entries, f"{len(entries)} entries, XLEN {xlen}"
        sequences, counts, handled, raised = [], {}, {}, {}
        for entry_id, fields in entries:
            payload, message, attrs, where = decode_entry(
                entry_id, fields, "//enamnd/audits", "enamnd.audits.v1", audits_events_pb2)
            subject = fields[b"subject"].decode()
            sequences.append(int(attrs["sequence"].ce_string))
            counts[message] = counts.get(message, 0) + 1
            if message == "DischargeRecorded":
                got = attrs["audience"].ce_string if "audience" in attrs else ""
                assert got == scb_code(payload.discharge.municipality), (
                    f"{where}: audience {got!r}")
                assert subject == payload.review, f"{where}: subject {subject}"
            elif message == "ReviewHandled":
                assert subject == payload.review, f"{where}: subject {subject}"
                handled.setdefault(payload.review, []).append(payload.handling.paragraph_number)
            elif message == "MomentOverdue":
                assert day(payload.moment.due_date) < TODAY and subject == payload.moment.name, (
                    where, payload.moment)
                raised.setdefault((message, subject), 0)
                raised[(message, subject)] += 1
            elif message == "ControlPointMissed":
                assert day(payload.moment.due_date) < TODAY and subject == payload.point.name, (
                    where, payload.point.name)
                raised.setdefault((message, subject), 0)
                raised[(message, subject)] += 1
        assert sequences == list(range(1, len(sequences) + 1)), f"gaps: {sequences}"
        assert handled == {r: [n] for r, n in REVIEW_PARAGRAPHS.items()}, handled
        expected = dict(ReviewCreated=3, DischargeRecorded=4, ReviewHandled=3,
                        RecommendationCreated=2, RecommendationUpdated=2,
                        ReportingYearCreated=2, ControlPlanCreated=1, ControlPointCreated=6)
        assert {k: counts.get(k, 0) for k in expected} == expected, counts
        # Moments and points are created with their reports and follow-ups,
        # so exactly the genuine alarms are raised, once each.
        assert raised == {
            ("ControlPointMissed", "control-plans/2022/points/fakturering-per-kommun"): 1,
            ("MomentOverdue", "reporting-years/2022/moments/intern-kontroll-1"): 1}, raised
        print(f"     ({len(entries)} audits events: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ")", flush=True)

    def check_audits_watch_events(self):
        self.settled_audits_stream()  # the relay has published the whole log
        entries = self.audits_entries()
        assert entries, f"{AUDITS_STREAM} is empty"
        events = [cloudevent_pb2.CloudEvent.FromString(f[b"event"]) for _, f in entries]
        # The whole log, replayed: the events of the stream, in order.
        w = Watch(self.audits_stub, 0, types=[])
        try:
            got = [w.next() for _ in events]
        finally:
            w.close()
        assert [r.sequence for r in got] == list(range(1, len(events) + 1)), [
            r.sequence for r in got]
        assert [r.event.id for r in got] == [e.id for e in events], "ids differ from the stream"
        assert all(r.event == e for r, e in zip(got, events)), "envelopes differ from the stream"
        # Kiruna's discharges only; resuming after the first gives the rest.
        kiruna = [int(e.attributes["sequence"].ce_string) for e in events
                  if e.type == "enamnd.audits.v1.DischargeRecorded"
                  and "2584" in e.attributes["audience"].ce_string.split(",")]
        assert kiruna, "no DischargeRecorded for Kiruna in the demo"
        for after, expected in ((0, kiruna), (kiruna[0], kiruna[1:])):
            w = Watch(self.audits_stub, after, KIRUNA,
                      types=["enamnd.audits.v1.DischargeRecorded"])
            try:
                got = [w.next().sequence for _ in expected]
                assert got == expected, (after, got, expected)
            finally:
                w.close()
        # A cursor beyond the head (a restored database) is refused.
        w = Watch(self.audits_stub, len(events) + 10, types=[])
        try:
            error = w.error()
        finally:
            w.close()
        assert error.code() == grpc.StatusCode.OUT_OF_RANGE, error.code()
        assert error.details() == (f"after_sequence {len(events) + 10} is beyond the log's head "
                                   f"{len(events)}"), error.details()

    def check_missed_control_points(self):
        plan = "control-plans/2022"
        r = self.audits_stub.ListMissedControlPoints(A.ListMissedControlPointsRequest(plan=plan),
                                                     timeout=RPC_TIMEOUT)
        assert r.missed, "no missed control points"
        assert [m.point.name for m in r.missed] == [plan + "/points/fakturering-per-kommun"], (
            [m.point.name for m in r.missed])
        m = r.missed[0]
        assert (m.moment.name, day(m.moment.due_date)) == (
            "reporting-years/2022/moments/intern-kontroll-1", "2022-06-22"), m.moment
        assert not m.point.follow_ups, m.point.follow_ups
        points = self.audits_stub.ListControlPoints(A.ListControlPointsRequest(
            plan=plan, page_size=100), timeout=RPC_TIMEOUT).points
        year = self.audits_stub.GetReportingYear(A.GetReportingYearRequest(
            name="reporting-years/2022"), timeout=RPC_TIMEOUT)
        due = {x.name: day(x.due_date) for x in year.moments}
        followed = sorted(p.name.rpartition("/")[2] for p in points if p.follow_ups)
        assert followed == ["attest", "avtalsuppfoljning", "budgetuppfoljning"], followed
        for p in points:
            for f in p.follow_ups:
                assert day(f.date) <= due[p.reporting_moment] and day(f.date) <= TODAY, (
                    p.name, day(f.date))
        deviations = [f for p in points for f in p.follow_ups
                      if f.outcome == A.ControlFollowUp.OUTCOME_DEVIATION]
        assert len(deviations) == 1 and deviations[0].deviations, deviations

    def check_bad_recommendation(self):
        before = self.settled_audits_stream()
        review = "reviews/2021-2560"  # audited by Älvsbyn alone

        def recommendations(name):
            return [r.name for r in self.audits_stub.ListRecommendations(
                A.ListRecommendationsRequest(parent=name, page_size=100),
                timeout=RPC_TIMEOUT).recommendations]

        details = self.expect_invalid(lambda: self.audits_stub.CreateRecommendation(
            A.CreateRecommendationRequest(
                review=review,
                recommendation=A.Recommendation(
                    text="Ta fram tillämpningsanvisningar till attestreglementet.",
                    given_by=[KIRUNA]),
                request_id="e2e-bad-given-by"), timeout=RPC_TIMEOUT), "recommendation.given_by")
        assert KIRUNA in details, details
        # One auditor of a shared review and one that is not.
        shared = "reviews/2021-2584"
        before_shared = recommendations(shared)
        self.expect_invalid(lambda: self.audits_stub.CreateRecommendation(
            A.CreateRecommendationRequest(
                review=shared,
                recommendation=A.Recommendation(
                    text="Följ upp årshjulet.",
                    given_by=[KIRUNA, "municipalities/2505"])), timeout=RPC_TIMEOUT),
            "recommendation.given_by")
        assert recommendations(review) == [], "a rejected recommendation was stored"
        assert recommendations(shared) == before_shared, "a rejected recommendation was stored"
        assert not self.audits_stub.GetReview(A.GetReviewRequest(name=review),
                                              timeout=RPC_TIMEOUT).recommendations
        assert self.settled_audits_stream() == before, "a rejected request published an event"

    def check_audits_clean_stop(self):
        assert self.audits is not None, "enamnd-audits is not running"
        self.close_channels("audits")
        code = stop_process(self.audits, "enamnd-audits")
        self.audits = None
        assert code == 0, f"enamnd-audits exited with {code} on SIGTERM:\n{tail(self.audits_log)}"

    def check_clean_stop(self):
        # A subscriber still connected at shutdown is told to reconnect.
        assert self.last_kiruna_sequence, "no decision to Kiruna seen"
        w = Watch(self.stub, self.last_kiruna_sequence - 1, KIRUNA)
        assert w.next().sequence == self.last_kiruna_sequence
        self.service.send_signal(signal.SIGTERM)
        e = w.error()
        assert e.code() == grpc.StatusCode.UNAVAILABLE, f"{e.code().name}: {e.details()}"
        assert "reconnect" in e.details(), e.details()
        w.thread.join(timeout=EVENT_TIMEOUT)
        self.close_channels("meetings")
        code = stop_process(self.service, "enamnd-meetings")
        self.service = None
        assert code == 0, f"enamnd-meetings exited with {code} on SIGTERM:\n{tail(self.service_log)}"


# ------------------------------------------------------------------ g) mTLS

def audit_records(stub, filter_=""):
    """Every audit record of a service (ListAuditRecords, paged)."""
    out, token = [], ""
    while True:
        r = stub.ListAuditRecords(auth_pb2.ListAuditRecordsRequest(
            filter=filter_, page_size=1000, page_token=token), timeout=RPC_TIMEOUT)
        out.extend(r.audit_records)
        token = r.next_page_token
        if not token:
            return out


def principal_counts(records):
    counts = {}
    for r in records:
        counts[r.principal] = counts.get(r.principal, 0) + 1
    return counts


class MtlsChecks:
    """g) The services as an outside client with the wrong or no
    certificate, and the demo principals' parts in the audit trail."""

    def __init__(self, scenario):
        self.s = scenario
        self.uri = {p["name"]: p["uri"] for p in demo_tls.principals()}

    def expect_handshake_failure(self, credentials):
        with grpc.secure_channel(self.s.address, credentials) as channel:
            stub = meetings_pb2_grpc.MeetingsServiceStub(channel)
            details = self.s.expect_code(grpc.StatusCode.UNAVAILABLE, lambda: stub.GetBody(
                M.GetBodyRequest(name=BODY), timeout=RPC_TIMEOUT))
        return details

    def check_no_client_certificate(self):
        root = (self.s.tls / "ca.pem").read_bytes()
        self.expect_handshake_failure(grpc.ssl_channel_credentials(root))

    def check_other_ca(self):
        other = self.s.tmp / "other-ca"
        for args in (["init", str(other)],
                     ["issue", str(other), "secretary", self.uri["secretary"]]):
            subprocess.run([str(demo_tls.TLS_TOOL), *args], check=True, capture_output=True)
        root = (self.s.tls / "ca.pem").read_bytes()
        self.expect_handshake_failure(grpc.ssl_channel_credentials(
            root, (other / "secretary.key").read_bytes(), (other / "secretary.pem").read_bytes()))

    def check_public_reader(self):
        stub = meetings_pb2_grpc.MeetingsServiceStub(self.s.callers["public-reader"])
        rendered = stub.RenderProtocol(M.RenderProtocolRequest(meeting=JUNE), timeout=RPC_TIMEOUT)
        assert self.s.protocol_text and rendered.text == self.s.protocol_text, (
            "the public reader's protocol differs from the secretary's")
        before = len(self.s.paragraphs(OCTOBER))
        details = self.s.expect_code(grpc.StatusCode.PERMISSION_DENIED, lambda: stub.RecordDecision(
            M.RecordDecisionRequest(parent=OCTOBER, paragraph=M.Paragraph(
                case="cases/2022-9", decision=M.Decision(
                    kind=M.DECISION_KIND_NOTE_AND_FILE, text="Obehörigt beslut."))),
            timeout=RPC_TIMEOUT))
        assert "secretary" in details and self.uri["public-reader"] in details, details
        assert len(self.s.paragraphs(OCTOBER)) == before, "a denied call wrote a paragraph"
        self.s.expect_code(grpc.StatusCode.PERMISSION_DENIED, lambda: audit_records(stub))

    def check_meetings_audit_trail(self):
        operator = meetings_pb2_grpc.MeetingsServiceStub(self.s.callers["operator"])
        records = audit_records(operator)
        assert records, "no audit records"
        method = "/enamnd.meetings.v1.MeetingsService/"
        by_method = {}
        for r in records:
            by_method.setdefault(r.method[len(method):], []).append(r)
        adjust = by_method.get("AdjustProtocol", [])
        assert principal_counts(adjust) == {self.uri["chair"]: 1}, principal_counts(adjust)
        notices = by_method.get("RecordNoticePosting", [])
        assert principal_counts(notices) == {self.uri["secretary"]: 13,
                                             self.uri["kiruna-system"]: 1}, (
            principal_counts(notices))
        others = [r for r in records if r.method[len(method):] not in (
            "AdjustProtocol", "RecordNoticePosting")]
        assert principal_counts(others) == {self.uri["secretary"]: len(others)}, (
            principal_counts(others))
        # The filter of ListAuditRecords: the records of one principal.
        mine = audit_records(operator, f'principal = "{self.uri["kiruna-system"]}"')
        assert [r.method for r in mine] == [method + "RecordNoticePosting"], mine
        assert all(r.sequence for r in records) and all(r.peer for r in records)

    def check_audits_audit_trail(self):
        operator = audits_pb2_grpc.AuditsServiceStub(self.s.audits_callers["operator"])
        records = audit_records(operator)
        discharges = [r for r in records if r.method.endswith("/RecordDischarge")]
        kiruna = sum(1 for d in load_audits_demo.DISCHARGES if d["municipality"] == "2584")
        assert kiruna >= 1, "the demo has no discharge of Kiruna"
        assert principal_counts(discharges) == {
            self.uri["kiruna-system"]: kiruna,
            self.uri["secretary"]: len(load_audits_demo.DISCHARGES) - kiruna}, (
            principal_counts(discharges))
        others = [r for r in records if not r.method.endswith("/RecordDischarge")]
        assert others and principal_counts(others) == {self.uri["secretary"]: len(others)}, (
            principal_counts(others))


def run_checks(results, scenario):
    # Without redis, the service or the demo data nothing else can run.
    for name, fn in [("make the demo certificates and policy (tools/tls)",
                      scenario.make_demo_certificates),
                     ("start redis-server on a unix socket", scenario.start_redis),
                     ("start enamnd-meetings and wait for SERVING", scenario.start_service),
                     ("a) load the demo data", scenario.check_first_load)]:
        results.check(name, fn)
        if results.failed:
            return
    # The audits service (consumer group audits on the meetings stream) and
    # its demo, after the meetings demo as tools/up loads them.
    failed = results.failed
    results.check("start enamnd-audits and wait for SERVING", scenario.start_audits)
    audits_up = results.failed == failed
    if audits_up:
        results.check("f) load the audits demo data (waits for § 8-10 to be linked)",
                      scenario.check_first_audits_load)
    results.check("a) recipient Kiruna 2584 -> § 8 only", scenario.check_recipient,
                  KIRUNA, 8, "2022/9-2.2.0.1")
    results.check("a) recipient Arvidsjaur 2505 -> § 9 only", scenario.check_recipient,
                  "municipalities/2505", 9, "2022/10-2.2.0.1")
    results.check("a) recipient Luleå 2580 -> § 16 only", scenario.check_recipient,
                  LULEA, 16, "2022/17-1.1.1.2")
    results.check("a) 22 June holds § 8-16 consecutive", scenario.check_june_paragraphs)
    results.check("a) loading again changes nothing", scenario.check_second_load)
    results.check("reflection lists the meetings and health services", scenario.check_reflection)
    results.check("b) WatchDecisions replay, live, resume without loss or repeat",
                  scenario.check_watch)
    results.check("c) every stream entry decodes with the generated classes",
                  scenario.check_stream)
    results.check("d) malformed case name -> INVALID_ARGUMENT paragraph.case",
                  scenario.check_bad_case_name)
    results.check("d) tampered page_token -> INVALID_ARGUMENT page_token",
                  scenario.check_tampered_page_token)
    results.check("d) bad WatchDecisions municipality -> INVALID_ARGUMENT",
                  scenario.check_bad_watch)
    results.check("e) RenderProtocol of 22 June is the adjusted text; SHA-256 matches; "
                  "chain intact", scenario.check_protocol_text)
    results.check("e) VerifyDocument: adjusted text -> PROTOCOL, one character changed -> NONE",
                  scenario.check_verify_protocol)
    results.check(f"e) GetAdjustment: 14 notices, appeal deadline {APPEAL_DEADLINE}, "
                  f"legal force {LEGAL_FORCE_DATE}", scenario.check_adjustment_dates)
    results.check("e) 22 June § 8-16 ADJUSTED and locked: UpdateParagraph, RecordDecision "
                  "-> FAILED_PRECONDITION", scenario.check_june_locked)
    results.check("e) WatchDecisions for Kiruna: ProtocolAdjusted and its own NoticePosted only",
                  scenario.check_watch_lifecycle_audience)
    results.check("e) CreateExtract § 8 names the protocol SHA-256; VerifyDocument -> EXTRACT",
                  scenario.check_extract)
    if audits_up:
        for review, number in REVIEW_PARAGRAPHS.items():
            results.check(f"f) GetReview {review} shows § {number} as the meetings service "
                          "holds it", scenario.check_review_handling, review, number)
        results.check(f"f) loading both demos again changes nothing in audits (XLEN "
                      f"{AUDITS_STREAM})", scenario.check_audits_second_load)
        results.check(f"f) every {AUDITS_STREAM} entry decodes with the generated classes",
                      scenario.check_audits_stream)
        results.check("f) WatchEvents on enamnd-audits: the log as on Redis; Kiruna's "
                      "discharges; beyond the head -> OUT_OF_RANGE",
                      scenario.check_audits_watch_events)
        results.check("f) ListMissedControlPoints(control-plans/2022): the point not followed "
                      "up by 22 June", scenario.check_missed_control_points)
        results.check("f) CreateRecommendation given by a non-auditor -> INVALID_ARGUMENT "
                      "recommendation.given_by, nothing stored", scenario.check_bad_recommendation)
    mtls = MtlsChecks(scenario)
    results.check("g) no client certificate -> handshake fails (UNAVAILABLE)",
                  mtls.check_no_client_certificate)
    results.check("g) a certificate of another CA -> handshake fails (UNAVAILABLE)",
                  mtls.check_other_ca)
    results.check("g) public reader: reads the adjusted protocol; RecordDecision and "
                  "ListAuditRecords -> PERMISSION_DENIED, nothing written",
                  mtls.check_public_reader)
    results.check("g) meetings audit trail (as the operator): the chair adjusted, Kiruna's "
                  "system posted Kiruna's notice, the secretary did the rest",
                  mtls.check_meetings_audit_trail)
    if audits_up:
        results.check("g) audits audit trail: Kiruna's system recorded Kiruna's discharge",
                      mtls.check_audits_audit_trail)
        results.check("SIGTERM: enamnd-audits exits 0", scenario.check_audits_clean_stop)
    results.check("SIGTERM: open watch gets UNAVAILABLE, service exits 0",
                  scenario.check_clean_stop)


def main():
    return e2e_harness.main(Scenario, run_checks)


if __name__ == "__main__":
    sys.exit(main())
