#!/usr/bin/python3
"""Outside-client end-to-end test of enamnd-projects with the demo (issue 10).

§ 11 and § 13 of the demo meeting (22 June 2022) reach their initiatives,
also while the projects service is down when they are recorded. Runs as an
external system would: Debian's /usr/bin/python3 with grpc, protobuf and
redis, the generated stubs, and nothing else. It starts a real redis-server
(unix socket in a temp dir) and the real enamnd-meetings and enamnd-projects
binaries as tools/up runs them (e2e_harness: mTLS with the demo's
certificates and policy file, today pinned to 2022-07-08, each with its own
data dir), loads tools/demo/load_demo.py and tools/demo/load_projects_demo.py
and calls as the coordinator (projects), the secretary (meetings) and the
public reader.

It checks:

  1. with only redis and meetings running, the meetings demo records § 11
     (case subject //projects/initiatives/hr-payroll) and § 13
     (//projects/initiatives/e-learning) on enamnd:events:meetings; there is
     no projects consumer group and no projects stream yet;
  2. projects starts and the projects demo loads; initiatives/hr-payroll
     shows § 11 and initiatives/e-learning § 13 as the meetings service
     holds them (paragraph, number, case number, title, kind, decision text,
     the DecisionRecorded it came from), each once;
  3. projects stops on SIGTERM (exit 0) and starts again with nothing new
     recorded: still one decision each and one DecisionLinked per paragraph
     (WatchEvents and the Redis stream agree); the projects demo loaded again
     changes nothing (no creates, the same etags, the same log head);
  4. the portfolio of 2022-06-22 (GetPortfolio, RenderPortfolio as
     Markdown) lists the initiatives of the sample's
     structured.activity_status in its order with exactly its status lines;
  5. ListInitiatives `municipality = "municipalities/2582" AND date =
     2022-06-22` gives the initiatives Boden takes part in on that day;
     hr-payroll's directive is at Rev B with Rev A in its history (and Rev A
     in force in the portfolio of 2022-04-01); e-learning has its six
     participants and a final report with continuation pending;
  6. every entry of enamnd:events:projects decodes with the generated
     classes; ParticipationChanged carries its municipality as audience;
     the counts per type are those of the demo;
  7. bad input from outside (a forbidden transition, a skipped revision
     letter, a municipality that is not a member) is refused and writes
     nothing: the log head, the stream and the initiative's etag stay;
  8. the public reader reads the portfolio but may not create an initiative.

Environment: ENAMND_BUILD_DIR (stubs in $ENAMND_BUILD_DIR/python, binaries in
$ENAMND_BUILD_DIR/services/<service>/enamnd-<service>), ENAMND_SOURCE_DIR
(the repository root), ENAMND_SAMPLE (the sample transcription of 22 June
2022; default ../shared/samples/e-namnd-2022-06-22.json next to the source
dir). The last line printed is "N passed, M failed"; the exit status is
non-zero when anything failed.
"""

import json
import os
import re
import sys

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import (
    SOURCE_DIR, Processes, day, decode_entry, poll, scb_code, stop_process, tail)

import grpc  # noqa: E402

from enamnd.common.v1 import common_pb2  # noqa: E402
from enamnd.events.v1 import cloudevent_pb2  # noqa: E402
from enamnd.meetings.v1 import events_pb2 as meetings_events_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2_grpc  # noqa: E402
from enamnd.projects.v1 import events_pb2  # noqa: E402
from enamnd.projects.v1 import projects_pb2  # noqa: E402
from enamnd.projects.v1 import projects_pb2_grpc  # noqa: E402

import demo_common  # noqa: E402
import load_demo  # noqa: E402
import load_projects_demo  # noqa: E402

M = meetings_pb2
P = projects_pb2
MEETINGS_STREAM = "enamnd:events:meetings"
STREAM = "enamnd:events:projects"
GROUP = "projects"  # the projects service's consumer group on the meetings stream
JUNE = "bodies/e-namnden/meetings/2022-06-22"
PORTFOLIO_DAY = "2022-06-22"
BODEN = "municipalities/2582"
HR = "initiatives/hr-payroll"
E_LEARNING = "initiatives/e-learning"
# The paragraphs of 22 June 2022 whose case names an initiative.
LINKED = {HR: 11, E_LEARNING: 13}
DECISION_LINKED = "enamnd.projects.v1.DecisionLinked"
RPC_TIMEOUT = 10
LINK_TIMEOUT = 20  # seconds for the projects service to link a decision


def sample_path():
    return os.environ.get("ENAMND_SAMPLE") or (
        SOURCE_DIR.parent / "shared" / "samples" / "e-namnd-2022-06-22.json")


def date(text):
    year, month, day_of_month = demo_common.ymd(text)
    return common_pb2.Date(year=year, month=month, day=day_of_month)


def unescape_markdown(text):
    return re.sub(r"\\(.)", r"\1", text)


def markdown_sections(text):
    """[(heading, [status lines])] of a rendered portfolio: each "## " heading
    and the "- " lines under its "STATUS:" (up to its "DELMÅL:", the
    milestones, if any), without Markdown escapes."""
    sections = []
    for part in text.split("\n## ")[1:]:
        lines = part.splitlines()
        status = lines[lines.index("STATUS:") + 1:]
        if "DELMÅL:" in status:
            status = status[:status.index("DELMÅL:")]
        sections.append((unescape_markdown(lines[0]),
                         [unescape_markdown(line[2:]) for line in status if line.startswith("- ")]))
    return sections


Events = e2e_harness.WatchEvents  # WatchEvents on enamnd-projects read on a thread


class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.meetings = None            # the enamnd-meetings process
        self.meetings_log = None
        self.meetings_callers = None
        self.meetings_stub = None       # as the secretary
        self.projects = None            # the enamnd-projects process
        self.projects_log = None
        self.callers = None             # channels to projects per demo principal
        self.stub = None                # projects, as the coordinator
        self.first_load = None          # load_projects_demo.load's result
        self.linked = None              # [(sequence, event id)] of the DecisionLinked events
        self.settled = None             # (head, etags) after the first load

    # ------------------------------------------------------------ processes

    def make_demo_certificates(self):
        self.make_certificates(["meetings", "projects"])

    def start(self, name, principal, wait_until_serving):
        """Starts enamnd-<name> and waits for SERVING; returns (process, log
        path, callers, the channel as `principal`)."""
        proc, address, log_path = self.launch(e2e_harness.binary(name), name)
        callers = demo_common.Callers(address, self.tls)
        channel = callers[principal]
        self.await_serving(proc, name, log_path,
                           lambda timeout: wait_until_serving(channel, timeout))
        return proc, log_path, callers, channel

    def start_meetings(self):
        self.meetings, self.meetings_log, self.meetings_callers, channel = self.start(
            "meetings", "secretary", load_demo.wait_until_serving)
        self.meetings_stub = meetings_pb2_grpc.MeetingsServiceStub(channel)

    def start_projects(self):
        self.projects, self.projects_log, self.callers, channel = self.start(
            "projects", "coordinator", load_projects_demo.wait_until_serving)
        self.stub = projects_pb2_grpc.ProjectsServiceStub(channel)

    def stop_service(self, name):
        """SIGTERM to enamnd-<name> ("projects" or "meetings"); returns its
        exit status. Its channels are closed first: the server would let open
        connections drain."""
        callers = self.callers if name == "projects" else self.meetings_callers
        if callers is not None:
            callers.close()
        code = stop_process(getattr(self, name), f"enamnd-{name}")
        setattr(self, name, None)
        return code

    def stop(self):
        # The consumer (projects) first, then meetings, then Redis.
        self.stop_service("projects")
        self.stop_service("meetings")
        self.stop_redis()

    # ------------------------------------------------------------ helpers

    def initiative(self, name):
        return self.stub.GetInitiative(P.GetInitiativeRequest(name=name), timeout=RPC_TIMEOUT)

    def initiatives(self, filter_=""):
        out, token = [], ""
        while True:
            r = self.stub.ListInitiatives(P.ListInitiativesRequest(
                page_size=100, page_token=token, filter=filter_), timeout=RPC_TIMEOUT)
            out.extend(r.initiatives)
            token = r.next_page_token
            if not token:
                return out

    def etags(self):
        return {i.name: i.etag for i in self.initiatives()}

    def head(self):
        """The head of the projects event log."""
        return e2e_harness.log_head(self.stub)

    def consumer_caught_up(self):
        """The projects group has consumed the meetings stream."""
        return e2e_harness.consumer_caught_up(self.redis, MEETINGS_STREAM, GROUP)

    def settle(self):
        """Waits until projects has consumed the meetings stream and the
        relay has put its whole log on Redis; returns the log head."""
        poll(self.consumer_caught_up, LINK_TIMEOUT, f"group {GROUP} to consume {MEETINGS_STREAM}")
        head = self.head()
        poll(lambda: self.redis.xlen(STREAM) >= head, e2e_harness.EVENT_TIMEOUT,
             f"XLEN {STREAM} >= {head}")
        assert self.redis.xlen(STREAM) == head, (self.redis.xlen(STREAM), head)
        return head

    def stream_entries(self):
        return self.redis.xrange(STREAM, "-", "+")

    def decision_linked_entries(self):
        """[(sequence, event id, initiative, paragraph)] of the DecisionLinked
        entries on the Redis stream."""
        out = []
        for entry_id, fields in self.stream_entries():
            if fields[b"type"].decode() != DECISION_LINKED:
                continue
            event = cloudevent_pb2.CloudEvent.FromString(fields[b"event"])
            linked = events_pb2.DecisionLinked()
            assert event.proto_data.Unpack(linked), event.proto_data.type_url
            out.append((int(entry_id.decode().split("-")[0]), event.id, linked.initiative,
                        linked.decision.paragraph))
        return out

    def watched_decision_links(self, count):
        """The first `count` DecisionLinked events WatchEvents replays:
        [(sequence, event id)]."""
        w = Events(self.stub, 0, [DECISION_LINKED])
        try:
            return [(r.sequence, r.event.id) for r in (w.next() for _ in range(count))]
        finally:
            w.close()

    def check_linked_once(self):
        """One DecisionLinked per paragraph of LINKED, the same on Redis and
        over WatchEvents (and, once known, the same as before)."""
        entries = self.decision_linked_entries()
        got = sorted((initiative, paragraph) for _, _, initiative, paragraph in entries)
        expected = sorted((name, f"{JUNE}/paragraphs/{n}") for name, n in LINKED.items())
        assert got == expected, f"DecisionLinked on {STREAM}: {got}"
        on_redis = [(sequence, event_id) for sequence, event_id, _, _ in entries]
        assert self.watched_decision_links(len(on_redis)) == on_redis, "WatchEvents differs"
        if self.linked is not None:
            assert on_redis == self.linked, (on_redis, self.linked)
        self.linked = on_redis
        for name, number in LINKED.items():
            decisions = self.initiative(name).decisions
            assert [d.paragraph for d in decisions] == [f"{JUNE}/paragraphs/{number}"], (
                name, [d.paragraph for d in decisions])

    # ------------------------------------------------------------ 1) meetings alone

    def check_meetings_demo(self):
        assert self.projects is None, "enamnd-projects is running"
        result = load_demo.load(self.meetings_callers["secretary"], callers=self.meetings_callers)
        assert not result["notes"], result["notes"]
        assert result["created"]["paragraphs"] == 9, result["created"]

        def recorded():
            found = {}
            for _, fields in self.redis.xrange(MEETINGS_STREAM, "-", "+"):
                if fields[b"type"] != b"enamnd.meetings.v1.DecisionRecorded":
                    continue
                event = cloudevent_pb2.CloudEvent.FromString(fields[b"event"])
                d = meetings_events_pb2.DecisionRecorded()
                assert event.proto_data.Unpack(d), event.proto_data.type_url
                found[d.paragraph.number] = d.case_subject
            return found if all(n in found for n in LINKED.values()) else None

        found = poll(recorded, e2e_harness.EVENT_TIMEOUT, f"§ 11 and § 13 on {MEETINGS_STREAM}")
        for name, number in LINKED.items():
            assert found[number] == "//projects/" + name, (number, found[number])
        groups = [g["name"].decode() for g in self.redis.xinfo_groups(MEETINGS_STREAM)]
        assert GROUP not in groups, f"a group {GROUP} reads {MEETINGS_STREAM} already: {groups}"
        assert not self.redis.exists(STREAM), f"{STREAM} exists before projects ran"

    # ------------------------------------------------------------ 2) projects

    def check_first_load(self):
        result = load_projects_demo.load(self.callers["coordinator"], callers=self.callers,
                                         members_timeout=LINK_TIMEOUT,
                                         decisions_timeout=LINK_TIMEOUT)
        self.first_load = result
        assert not result["notes"], result["notes"]
        assert result["decisions_complete"], "the loader saw § 11 or § 13 missing"
        assert result["status_list_matches"], "the loader's portfolio is not § 14's"
        fields = [load_projects_demo.initiative_fields(s) for s in load_projects_demo.INITIATIVES]
        expected = dict(initiatives=10, participations=0,
                        transitions=sum(len(f["steps"]) for f in fields),
                        revisions=2, status_reports=10, final_reports=1)
        assert result["created"] == expected, (result["created"], expected)
        assert result["counts"] == dict(
            initiatives=10, participations=sum(len(f["participations"]) for f in fields),
            transitions=expected["transitions"] + 10, revisions=2, status_reports=10,
            final_reports=1), result["counts"]

    def check_decision(self, name, number):
        paragraph = self.meetings_stub.GetParagraph(M.GetParagraphRequest(
            name=f"{JUNE}/paragraphs/{number}"), timeout=RPC_TIMEOUT)
        case = self.meetings_stub.GetCase(M.GetCaseRequest(name=paragraph.case),
                                          timeout=RPC_TIMEOUT)
        assert case.subject == "//projects/" + name, case.subject

        def linked():
            i = self.initiative(name)
            return i if any(d.paragraph == paragraph.name for d in i.decisions) else None

        initiative = poll(linked, LINK_TIMEOUT, f"{name} to show § {number}")
        assert [d.paragraph for d in initiative.decisions] == [paragraph.name], (
            [d.paragraph for d in initiative.decisions])
        d = initiative.decisions[0]
        assert (d.paragraph_number, d.meeting, day(d.meeting_date), d.case_number, d.title) == (
            number, JUNE, PORTFOLIO_DAY, paragraph.case_number, paragraph.title), d
        assert d.decision_kind == M.DecisionKind.Name(paragraph.decision.kind), d.decision_kind
        assert d.decision_text == paragraph.decision.text, d.decision_text
        assert not d.HasField("legal_force_date"), "legal force inside the appeal period"
        # It names the meetings event it came from: § number's DecisionRecorded.
        assert d.event_source == "//enamnd/meetings", d.event_source
        found = [f for _, f in self.redis.xrange(MEETINGS_STREAM, "-", "+")
                 if f[b"id"].decode() == d.event_id]
        assert len(found) == 1, f"event {d.event_id} is not on {MEETINGS_STREAM}"
        assert found[0][b"type"] == b"enamnd.meetings.v1.DecisionRecorded", found[0][b"type"]

    def check_settled(self):
        head = self.settle()
        self.check_linked_once()
        self.settled = (head, self.etags())
        assert len(self.settled[1]) == 10, self.settled[1]

    # ------------------------------------------------------------ 3) restart

    def check_restart(self):
        assert self.settled is not None, "the first load did not settle"
        code = self.stop_service("projects")
        assert code == 0, f"enamnd-projects exited with {code} on SIGTERM:\n" + tail(
            self.projects_log)
        self.start_projects()
        head = self.settle()
        assert (head, self.etags()) == self.settled, ((head, self.etags()), self.settled)
        self.check_linked_once()

    def check_second_load(self):
        assert self.first_load is not None and self.settled is not None, "no first load"
        result = load_projects_demo.load(self.callers["coordinator"], callers=self.callers,
                                         members_timeout=LINK_TIMEOUT,
                                         decisions_timeout=LINK_TIMEOUT)
        assert not any(result["created"].values()), f"the second load created {result['created']}"
        assert not result["notes"], result["notes"]
        for key in ("counts", "initiatives", "portfolio", "portfolio_markdown"):
            assert result[key] == self.first_load[key], (key, result[key], self.first_load[key])
        head = self.settle()
        assert (head, self.etags()) == self.settled, ((head, self.etags()), self.settled)
        self.check_linked_once()

    # ------------------------------------------------------------ 4) portfolio

    def check_portfolio(self):
        path = sample_path()
        assert os.path.exists(path), f"no sample at {path} (set ENAMND_SAMPLE)"
        with open(path, encoding="utf-8") as f:
            status_list = json.load(f)["structured"]["activity_status"]
        expected = [(s["initiative"], s["status"]) for s in status_list]
        assert len(expected) == 10, len(expected)
        portfolio = self.stub.GetPortfolio(P.GetPortfolioRequest(date=date(PORTFOLIO_DAY)),
                                           timeout=RPC_TIMEOUT)
        assert day(portfolio.date) == PORTFOLIO_DAY, portfolio.date
        got = [(e.title, list(e.latest_status.status_lines)) for e in portfolio.entries]
        assert got == expected, got
        assert [e.initiative for e in portfolio.entries] == [
            "initiatives/" + s["id"] for s in load_projects_demo.INITIATIVES]
        assert all(day(e.latest_status.report_date) == PORTFOLIO_DAY for e in portfolio.entries)
        rendered = self.stub.RenderPortfolio(P.RenderPortfolioRequest(
            portfolio=P.GetPortfolioRequest(date=date(PORTFOLIO_DAY)),
            format=P.RENDER_FORMAT_MARKDOWN), timeout=RPC_TIMEOUT)
        assert rendered.media_type == "text/markdown; charset=utf-8", rendered.media_type
        assert rendered.text.startswith("# Aktuella och pågående aktiviteter\n\n"
                                        f"Läge {PORTFOLIO_DAY}, 10 aktiviteter.\n"), (
            rendered.text[:200])
        assert markdown_sections(rendered.text) == expected, markdown_sections(rendered.text)

    # ------------------------------------------------------------ 5) who, what

    def check_boden(self):
        filter_ = f'municipality = "{BODEN}" AND date = {PORTFOLIO_DAY}'
        got = [i.name for i in self.initiatives(filter_)]
        expected = []
        for spec in load_projects_demo.INITIATIVES:
            f = load_projects_demo.initiative_fields(spec)
            if any(m == BODEN and joined <= PORTFOLIO_DAY for m, joined in f["participations"]):
                expected.append(f["name"])
        assert got == expected, (got, expected)
        assert got and E_LEARNING in got and HR in got, got
        # The portfolio for Boden on that day lists the same.
        portfolio = self.stub.GetPortfolio(P.GetPortfolioRequest(
            date=date(PORTFOLIO_DAY), municipality=BODEN), timeout=RPC_TIMEOUT)
        assert [e.initiative for e in portfolio.entries] == expected
        assert all(BODEN in e.participants for e in portfolio.entries)
        print(f"     (Boden takes part in {len(got)} of 10 on {PORTFOLIO_DAY})", flush=True)

    def check_hr_directive(self):
        hr = self.initiative(HR)
        assert hr.current_revision == "B", hr.current_revision
        assert P.State.Name(hr.state) == "STATE_RUNNING", P.State.Name(hr.state)
        revisions = self.stub.ListRevisions(P.ListRevisionsRequest(initiative=HR),
                                            timeout=RPC_TIMEOUT).revisions
        assert [(r.name, r.letter) for r in revisions] == [
            (HR + "/revisions/A", "A"), (HR + "/revisions/B", "B")], revisions
        spec = {r["letter"]: r for r in load_projects_demo.initiative_fields(
            next(s for s in load_projects_demo.INITIATIVES if s["id"] == "hr-payroll"))[
            "revisions"]}
        for r in revisions:
            s = spec[r.letter]
            assert (r.document.title, r.change_summary, day(r.decided_date),
                    r.decided_by.paragraph, r.decided_by.steering_group_protocol) == (
                s["document"]["title"], s["change_summary"], s["decided_date"],
                s["decided_by"]["paragraph"], s["decided_by"]["steering_group_protocol"]), r
        assert revisions[1].decided_by.steering_group_protocol == (
            "Protokoll styrgrupp gemensamt HR 220504"), revisions[1].decided_by
        current = self.stub.GetRevision(P.GetRevisionRequest(name=HR + "/revisions/-"),
                                        timeout=RPC_TIMEOUT)
        assert current == revisions[1], current
        # The portfolio of a day before Rev B has Rev A in force.
        for when, letter in (("2022-04-01", "A"), (PORTFOLIO_DAY, "B")):
            portfolio = self.stub.GetPortfolio(P.GetPortfolioRequest(date=date(when)),
                                               timeout=RPC_TIMEOUT)
            entry = [e for e in portfolio.entries if e.initiative == HR]
            assert [e.current_revision for e in entry] == [letter], (when, entry)

    def check_e_learning(self):
        e = self.initiative(E_LEARNING)
        assert P.State.Name(e.state) == "STATE_FINAL_REPORT", P.State.Name(e.state)
        assert day(e.state_date) == "2022-06-13", day(e.state_date)
        assert len(e.participations) == 6 and not any(
            p.HasField("left_date") for p in e.participations), e.participations
        assert len({p.municipality for p in e.participations}) == 6
        spec = load_projects_demo.initiative_fields(
            next(s for s in load_projects_demo.INITIATIVES if s["id"] == "e-learning"))
        assert [p.municipality for p in e.participations] == [
            m for m, _ in spec["participations"]]
        assert e.HasField("final_report"), "no final report"
        fr, want = e.final_report, spec["final_report"]
        assert P.Continuation.Name(fr.continuation) == "CONTINUATION_PENDING", fr.continuation
        assert (fr.document.title, list(fr.conclusions), fr.continuation_text,
                day(fr.report_date)) == (want["document"]["title"], want["conclusions"],
                                         want["continuation_text"], want["report_date"]), fr
        portfolio = self.stub.GetPortfolio(P.GetPortfolioRequest(date=date(PORTFOLIO_DAY)),
                                           timeout=RPC_TIMEOUT)
        entry = [x for x in portfolio.entries if x.initiative == E_LEARNING]
        assert len(entry) == 1 and len(entry[0].participants) == 6, entry

    # ------------------------------------------------------------ 6) stream

    def check_stream(self):
        head = self.settle()
        entries = self.stream_entries()
        assert len(entries) == head and entries, (len(entries), head)
        sequences, counts, participations = [], {}, 0
        for entry_id, fields in entries:
            payload, message, attrs, where = decode_entry(
                entry_id, fields, "//enamnd/projects", "enamnd.projects.v1", events_pb2)
            sequences.append(int(attrs["sequence"].ce_string))
            counts[message] = counts.get(message, 0) + 1
            subject = fields[b"subject"].decode()
            audience = attrs["audience"].ce_string if "audience" in attrs else ""
            if message == "ParticipationChanged":
                assert audience == scb_code(payload.participation.municipality), (
                    f"{where}: audience {audience!r}, {payload.participation.municipality}")
                assert subject == payload.initiative, f"{where}: subject {subject}"
                participations += 1
            elif message == "InitiativeCreated":
                assert subject == payload.initiative.name, f"{where}: subject {subject}"
        assert sequences == list(range(1, len(sequences) + 1)), f"gaps: {sequences}"
        counts_now = self.first_load["counts"]
        expected = dict(InitiativeCreated=10, ParticipationChanged=counts_now["participations"],
                        InitiativeStateChanged=counts_now["transitions"] - 10,
                        DirectiveRevised=2, StatusReported=10, FinalReportRecorded=1,
                        DecisionLinked=2)
        assert counts == expected, (counts, expected)
        print(f"     ({len(entries)} projects events: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ")", flush=True)

    # ------------------------------------------------------------ 7) bad input

    def bad_inputs(self):
        """[(what, expected code, method, request, what the details say)]:
        each about initiatives/hr-payroll (a pre-study, running, at Rev B)."""
        return [
            ("forbidden transition", grpc.StatusCode.FAILED_PRECONDITION,
             "TransitionInitiative", P.TransitionInitiativeRequest(
                 name=HR, state=P.STATE_IN_OPERATION, date=date("2022-07-01"),
                 etag=self.settled[1][HR] if self.settled else "",
                 note="e2e: a pre-study cannot go into operation"),
             "state: a pre_study that is running may become final_report or stopped, "
             "not in_operation"),
            ("skipped revision letter", grpc.StatusCode.INVALID_ARGUMENT,
             "CreateRevision", P.CreateRevisionRequest(
                 initiative=HR, revision_id="D", request_id="e2e-skipped-letter",
                 revision=P.Revision(
                     document=P.DocumentReference(title="Förstudiedirektiv Rev D"),
                     change_summary="e2e: Rev C is skipped",
                     decided_by=P.DecisionReference(steering_group_protocol="e2e"),
                     decided_date=date("2022-07-01"))),
             "revision_id: after Rev B comes Rev C, not Rev D"),
            # Stockholm (0180): a real municipality, not a member.
            ("unknown municipality", grpc.StatusCode.INVALID_ARGUMENT,
             "JoinInitiative", P.JoinInitiativeRequest(
                 initiative=HR, municipality="municipalities/0180",
                 joined_date=date("2022-07-01")),
             "municipality: municipalities/0180 is not a member municipality"),
        ]

    def check_refused(self, code, method, request, mention):
        """The call fails with `code`, its details saying `mention`, and
        writes nothing: the log head, the stream, hr-payroll (its etag) and
        its revisions stay as they were."""
        head = self.settle()
        before = self.initiative(HR)
        revisions = self.stub.ListRevisions(P.ListRevisionsRequest(initiative=HR),
                                            timeout=RPC_TIMEOUT).revisions
        details = self.expect_code(code, lambda: getattr(self.stub, method)(
            request, timeout=RPC_TIMEOUT))
        assert mention in details, f"{details!r} does not mention {mention!r}"
        after = self.initiative(HR)
        assert after.etag == before.etag, (before.etag, after.etag)
        assert after == before, "the initiative changed"
        assert self.stub.ListRevisions(P.ListRevisionsRequest(initiative=HR),
                                       timeout=RPC_TIMEOUT).revisions == revisions
        assert (self.head(), self.redis.xlen(STREAM)) == (head, head), "an event was written"

    # ------------------------------------------------------------ 8) public

    def check_public_reader(self):
        public = projects_pb2_grpc.ProjectsServiceStub(self.callers["public-reader"])
        request = P.GetPortfolioRequest(date=date(PORTFOLIO_DAY))
        got = public.GetPortfolio(request, timeout=RPC_TIMEOUT)
        assert got == self.stub.GetPortfolio(request, timeout=RPC_TIMEOUT), (
            "the public reader's portfolio differs from the coordinator's")
        rendered = public.RenderPortfolio(P.RenderPortfolioRequest(
            portfolio=request, format=P.RENDER_FORMAT_MARKDOWN), timeout=RPC_TIMEOUT)
        assert len(markdown_sections(rendered.text)) == 10, rendered.text[:200]
        head = self.settle()
        count = len(self.initiatives())
        create = P.CreateInitiativeRequest(
            initiative_id="e2e-public",
            initiative=P.Initiative(title="Från allmänheten", kind=P.KIND_NEEDS_ANALYSIS),
            since_date=date("2022-07-01"))
        details = self.expect_code(grpc.StatusCode.PERMISSION_DENIED,
                                   lambda: public.CreateInitiative(create, timeout=RPC_TIMEOUT))
        assert "coordinator" in details, details
        assert (self.head(), self.redis.xlen(STREAM), len(self.initiatives())) == (
            head, head, count), "the refused create wrote something"
        self.expect_code(grpc.StatusCode.NOT_FOUND,
                         lambda: self.initiative("initiatives/e2e-public"))

    def check_clean_stop(self):
        code = self.stop_service("projects")
        assert code == 0, f"enamnd-projects exited with {code}:\n{tail(self.projects_log)}"
        code = self.stop_service("meetings")
        assert code == 0, f"enamnd-meetings exited with {code}:\n{tail(self.meetings_log)}"


def run_checks(results, scenario):
    # Each step needs the ones before it.
    for name, fn in [
            ("make the demo certificates and policy (tools/tls)", scenario.make_demo_certificates),
            ("start redis-server on a unix socket", scenario.start_redis),
            ("1) start enamnd-meetings only and wait for SERVING", scenario.start_meetings),
            ("1) load the meetings demo: § 11 and § 13 recorded, no projects consumer yet",
             scenario.check_meetings_demo),
            ("2) start enamnd-projects and wait for SERVING", scenario.start_projects),
            ("2) load the projects demo: 10 initiatives, decisions complete, no notes",
             scenario.check_first_load)]:
        results.check(name, fn)
        if results.failed:
            return
    for name, number in LINKED.items():
        results.check(f"2) {name} shows § {number} as the meetings service holds it",
                      scenario.check_decision, name, number)
    results.check("2) one DecisionLinked per paragraph (Redis stream and WatchEvents)",
                  scenario.check_settled)
    results.check("3) SIGTERM -> exit 0; restarted: same head, etags and links",
                  scenario.check_restart)
    results.check("3) loading the projects demo again changes nothing",
                  scenario.check_second_load)
    results.check(f"4) the portfolio of {PORTFOLIO_DAY} (and as Markdown) is the sample's "
                  "activity_status", scenario.check_portfolio)
    results.check(f"5) ListInitiatives: Boden 2582 on {PORTFOLIO_DAY}", scenario.check_boden)
    results.check("5) hr-payroll: directive at Rev B, Rev A in its history",
                  scenario.check_hr_directive)
    results.check("5) e-learning: six participants, final report, continuation pending",
                  scenario.check_e_learning)
    results.check(f"6) every {STREAM} entry decodes with the generated classes",
                  scenario.check_stream)
    for what, code, method, request, mention in scenario.bad_inputs():
        results.check(f"7) {what}: {method} -> {code.name}, nothing written",
                      scenario.check_refused, code, method, request, mention)
    results.check("8) public reader: reads the portfolio; CreateInitiative -> "
                  "PERMISSION_DENIED, nothing written", scenario.check_public_reader)
    results.check("SIGTERM: enamnd-projects and enamnd-meetings exit 0",
                  scenario.check_clean_stop)


if __name__ == "__main__":
    sys.exit(e2e_harness.main(Scenario, run_checks))
