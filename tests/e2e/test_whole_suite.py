#!/usr/bin/python3
"""The whole suite on one machine, disturbed (issue 15).

Runs as an external system would: Debian's /usr/bin/python3 with grpc,
protobuf and redis, the generated stubs, and nothing else. It starts a real
redis-server (unix socket in a temp dir, append-only file on) and all five
real service binaries as tools/up runs them (e2e_harness: mTLS with the
demo's certificates and policy file, today pinned to 2022-07-08, each with
its own data dir; finance told the others' addresses), then loads every
demo (load_demo, load_projects_demo, load_audits_demo, load_contracts_demo,
load_finance_demo, load_plan_demo; tools/up's order but for audits after
projects, see below): the meeting of 22 June 2022 replayed across all
services through the public API.

Midway it disturbs the suite:
  - while the meetings demo is loading and the consumers are catching up,
    enamnd-audits is killed with SIGKILL (once it has read the members,
    before the decisions): § 8-10 wait for it in the stream;
  - after the load, redis-server is stopped (SIGTERM; its append-only file
    is fsynced on every write); enamnd-audits is started again on the same
    data dir and port while Redis is down, and the projects demo is loaded
    (its events wait in the outbox); then Redis is started again on the
    same socket and dir; the audits demo, which waits for § 8-10 to reach
    the reviews, is loaded after that.

Afterwards, with every stream settled, it checks that nothing was lost:

  1. the meetings service's view: § 8-16 of 22 June 2022, their cases'
     subjects; every DecisionRecorded of its log names a paragraph it lists;
  2. every decision is linked where it belongs, once: the expected links
     are computed from the meetings service's DecisionRecorded events
     (case_subject under //audits/, //projects/, //contracts/,
     //finance/); each consumer's link events (ReviewHandled,
     DecisionLinked, BudgetDecisionLinked/BudgetAdopted) are exactly those,
     each once, carrying the id of the DecisionRecorded; each consumer's
     resources (Review.handlings, Initiative.decisions, Procurement and
     Agreement decisions, Budget.decisions) list exactly those paragraphs,
     none twice;
  3. the 22 June view of each service: the reviews handled by § 8-10, the
     initiatives of § 11 and § 13, budgets/2023 adopted by § 12, no
     contracts decision in that meeting;
  4. every event is delivered exactly once per stream: for each
     enamnd:events:<service>, the entry IDs are 1..head without gaps, the
     event ids unique, and (sequence, id, type) equal the service's
     WatchEvents replay from 0 one to one;
  5. every consumer group on every stream has been delivered the last
     entry and has nothing pending; each consumer's inbox (read from its
     SQLite file: white-box, the API does not show it) holds every event of
     the streams it reads exactly once and nothing else;
  6. SIGTERM: every service exits 0.

Environment: ENAMND_BUILD_DIR (stubs in $ENAMND_BUILD_DIR/python, binaries in
$ENAMND_BUILD_DIR/services/<service>/enamnd-<service>), ENAMND_SOURCE_DIR
(the repository root). The last line printed is "N passed, M failed"; the
exit status is non-zero when anything failed.
"""

import collections
import importlib
import sqlite3
import sys
import threading
from pathlib import Path

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import Processes, consumer_caught_up, poll, stop_process, tail

from enamnd.meetings.v1 import meetings_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2_grpc  # noqa: E402

import demo_common  # noqa: E402
import load_audits_demo  # noqa: E402
import load_contracts_demo  # noqa: E402
import load_demo  # noqa: E402
import load_finance_demo  # noqa: E402
import load_plan_demo  # noqa: E402
import load_projects_demo  # noqa: E402

SERVICES = ("meetings", "audits", "projects", "contracts", "finance")
# The principal each service's loader calls as, and its wait_until_serving.
START = {
    "meetings": ("secretary", load_demo.wait_until_serving),
    "audits": ("secretary", load_audits_demo.wait_until_serving),
    "projects": (load_projects_demo.COORDINATOR, load_projects_demo.wait_until_serving),
    "contracts": (load_contracts_demo.COORDINATOR, load_contracts_demo.wait_until_serving),
    "finance": (load_finance_demo.FINANCE, load_finance_demo.wait_until_serving),
}
WATCHER = "secretary"  # may call WatchEvents on every service (docs/security.md)
KILLED = "audits"
MEETING = load_demo.MEETING_0622
RPC_TIMEOUT = 10
SETTLE_TIMEOUT = 60  # seconds for the relays and the consumers to catch up
# The kill comes once the audits group has been delivered this many
# meetings events (the demo's first 14 register the members; its decisions
# come from entry 38 on), and the restart once the meetings load has ended.
# Early, so that even a slow (sanitizer) build kills it before the
# decisions: the check "a decision came after the kill" must not race.
KILL_AFTER_ENTRIES = 3
# What each consumer links: case subjects under its area.
AREAS = {"audits": "//audits/", "projects": "//projects/", "contracts": "//contracts/",
         "finance": "//finance/"}


def stubs(service):
    """(pb2, pb2_grpc, events_pb2) of a service's generated stubs."""
    base = f"enamnd.{service}.v1."
    return (importlib.import_module(base + f"{service}_pb2"),
            importlib.import_module(base + f"{service}_pb2_grpc"),
            importlib.import_module(base + "events_pb2"))


def service_stub(service, channel):
    _, grpc_module, _ = stubs(service)
    return getattr(grpc_module, f"{service.capitalize()}ServiceStub")(channel)


def unpack(service, event):
    """The payload of a CloudEvent of `service`'s log, by its type."""
    _, _, events = stubs(service)
    payload = getattr(events, event.type.rpartition(".")[2])()
    assert event.proto_data.Unpack(payload), (event.type, event.proto_data.type_url)
    return payload


class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.procs = {}        # service name -> process
        self.addresses = {}    # service name -> host:port (kept across restarts)
        self.callers = {}      # service name -> demo_common.Callers
        self.disturbed = []    # what happened midway, for the report
        self.heads = None      # {service: log head} once settled
        self.kill_point = None  # the last meetings entry audits had before the kill
        self.redis_stop_heads = None  # {service: XLEN} when Redis was stopped
        self.logs_cache = {}   # service name -> [(sequence, id, type, payload)]

    # ------------------------------------------------------------ processes

    def make_demo_certificates(self):
        self.make_certificates(list(SERVICES))

    def start_persistent_redis(self):
        self.start_redis(persistent=True)

    def start(self, name):
        principal, wait_until_serving = START[name]
        extra = None
        if name == "finance":
            extra = {f"ENAMND_{n.upper()}_ADDR": self.addresses[n]
                     for n in ("meetings", "projects", "contracts")}
        port = int(self.addresses[name].rpartition(":")[2]) if name in self.addresses else None
        proc, address, log_path = self.launch(e2e_harness.binary(name), name, port=port,
                                              extra_env=extra)
        callers = demo_common.Callers(address, self.tls)
        self.procs[name], self.callers[name], self.addresses[name] = proc, callers, address
        channel = callers[principal]
        self.await_serving(proc, name, log_path,
                           lambda timeout: wait_until_serving(channel, timeout))
        return channel

    def start_all(self):
        for name in SERVICES:
            self.start(name)

    def as_(self, service, principal=None):
        return service_stub(service, self.callers[service][principal or START[service][0]])

    def stop_service(self, name):
        callers = self.callers.pop(name, None)
        if callers is not None:
            callers.close()
        return stop_process(self.procs.pop(name, None), f"enamnd-{name}")

    def stop(self):
        for name in reversed(SERVICES):
            self.stop_service(name)
        self.stop_redis()

    def kill(self, name):
        """SIGKILL, as a crash: no drain, no clean close of the database."""
        callers = self.callers.pop(name)
        callers.close()
        proc = self.procs.pop(name)
        proc.kill()
        code = proc.wait(timeout=10)
        assert code == -9, f"enamnd-{name} exited with {code}, not by SIGKILL"

    # ------------------------------------------------------------ helpers

    def group_delivered(self, stream, group):
        """How many entries of `stream` group `group` has been delivered."""
        try:
            groups = self.redis.xinfo_groups(stream)
        except Exception:  # noqa: BLE001 - the stream may not exist yet
            return 0
        for g in groups:
            if g["name"].decode() == group:
                return int(g["last-delivered-id"].decode().partition("-")[0])
        return 0

    def settle(self):
        """Every service's log is on its stream and every group on every
        stream has caught up. Returns {service: head}."""
        heads = {}
        for name in SERVICES:
            stream = f"enamnd:events:{name}"
            head = e2e_harness.log_head(self.as_(name, WATCHER))
            poll(lambda: self.redis.xlen(stream) >= head, SETTLE_TIMEOUT,
                 f"XLEN {stream} >= {head}")
            heads[name] = head
            for g in self.redis.xinfo_groups(stream) if head else []:
                group = g["name"].decode()
                poll(lambda: consumer_caught_up(self.redis, stream, group), SETTLE_TIMEOUT,
                     f"group {group} to consume {stream}")
        return heads

    def replay(self, name, head):
        """[(sequence, event id, type, payload)] of the first `head` events
        WatchEvents replays from 0 on `name`, as the secretary."""
        if self.logs_cache.get(name, (None, -1))[1] == head:
            return self.logs_cache[name][0]
        w = e2e_harness.WatchEvents(self.as_(name, WATCHER), 0)
        try:
            out = [(r.sequence, r.event.id, r.event.type, unpack(name, r.event))
                   for r in (w.next() for _ in range(head))]
        finally:
            w.close()
        self.logs_cache[name] = (out, head)
        return out

    # ------------------------------------------------------------ the replay, disturbed

    def load_meetings_killing_audits(self):
        """load_demo in a thread; audits killed once it has been delivered
        KILL_AFTER_ENTRIES meetings events, restarted when the load has
        ended: the decisions recorded meanwhile wait in the stream."""
        outcome = {}

        def run():
            try:
                outcome["result"] = load_demo.load(self.callers["meetings"]["secretary"],
                                                   callers=self.callers["meetings"])
            except BaseException as e:  # noqa: BLE001 - reported below
                outcome["error"] = e

        loader = threading.Thread(target=run, daemon=True)
        loader.start()
        stream = "enamnd:events:meetings"
        poll(lambda: (self.group_delivered(stream, KILLED) >= KILL_AFTER_ENTRIES
                      or not loader.is_alive()), 120, f"group {KILLED} to read {stream}")
        mid_load = loader.is_alive()
        self.kill(KILLED)
        self.kill_point = self.group_delivered(stream, KILLED)
        loader.join(timeout=300)
        assert not loader.is_alive(), "load_demo did not end within 300 s"
        missed = self.redis.xlen(stream) - self.kill_point
        if "error" in outcome:
            raise outcome["error"]
        assert not outcome["result"]["notes"], outcome["result"]["notes"]
        self.disturbed.append(
            f"enamnd-{KILLED} SIGKILLed after meetings entry {self.kill_point} "
            f"({'while' if mid_load else 'after'} load_demo ran); {missed} entries "
            "added since")
        print(f"     ({self.disturbed[-1]})", flush=True)

    def load_audits(self):
        result = load_audits_demo.load(self.callers["audits"]["secretary"],
                                       callers=self.callers["audits"],
                                       handlings_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]
        assert result["handlings_complete"], "a review shows no handling of 22 June"

    def stop_redis_then_load_projects(self):
        """Redis stopped (SIGTERM, exit 0); the killed audits service
        started again while it is down, and the projects demo loaded (its
        events wait in the outbox); Redis started again on the same socket
        and dir: the streams and groups are back, and audits catches up."""
        meetings = "enamnd:events:meetings"
        # The projects loader needs the members and § 11/13 from the stream.
        poll(lambda: consumer_caught_up(self.redis, meetings, "projects"), SETTLE_TIMEOUT,
             f"group projects to consume {meetings}")
        lengths = {name: self.redis.xlen(f"enamnd:events:{name}") for name in SERVICES}
        code = stop_process(self.redis_proc, "redis-server")
        assert code == 0, f"redis-server exited with {code}:\n{tail(self.tmp / 'redis.log')}"
        self.redis_proc = None
        self.start(KILLED)  # on its data dir and port, without Redis
        result = load_projects_demo.load(self.callers["projects"][load_projects_demo.COORDINATOR],
                                         callers=self.callers["projects"],
                                         members_timeout=SETTLE_TIMEOUT,
                                         decisions_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]
        assert result["decisions_complete"], "§ 11 or § 13 did not reach its initiative"
        self.redis.close()
        self.start_redis(persistent=True)
        self.redis_stop_heads = lengths
        for name, length in lengths.items():
            assert self.redis.xlen(f"enamnd:events:{name}") >= length, (
                f"enamnd:events:{name} lost entries across the restart")
        self.disturbed.append(f"redis-server restarted with stream lengths {lengths}; "
                              f"enamnd-{KILLED} restarted and the projects demo loaded "
                              "while it was down")
        print(f"     ({self.disturbed[-1]})", flush=True)

    def load_contracts(self):
        callers = self.callers["contracts"]
        result = load_contracts_demo.load(callers[load_contracts_demo.COORDINATOR],
                                          callers=callers, members_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]

    def load_finance(self):
        result = load_finance_demo.load(self.callers["finance"][load_finance_demo.FINANCE],
                                        callers=self.callers["finance"],
                                        members_timeout=SETTLE_TIMEOUT,
                                        decisions_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]
        assert result["adopted"], "budgets/2023 not adopted by § 12"

    def load_plan(self):
        result = load_plan_demo.load(self.callers["finance"][load_plan_demo.FINANCE],
                                     callers=self.callers["finance"],
                                     reports_dir=str(self.tmp / "reports"))
        assert not result["notes"], result["notes"]
        assert result["report"]["complete"], "the interim report is incomplete"
        assert result["created"]["plans"] == 1, result["created"]
        assert all(Path(f).stat().st_size for f in result["files"]), result["files"]

    def check_settled(self):
        heads = self.settle()
        self.heads = heads
        # The projects demo was loaded while Redis was down: its events
        # waited in the outbox and reached the stream after the restart.
        assert heads["projects"] > self.redis_stop_heads["projects"], (
            heads, self.redis_stop_heads)
        print(f"     (log heads {heads})", flush=True)

    # ------------------------------------------------------------ 1) meetings

    def decisions(self):
        """{paragraph: (case_subject, DecisionRecorded event id)} from the
        meetings service's log."""
        out = {}
        for _, event_id, type_, payload in self.replay("meetings", self.heads["meetings"]):
            if type_ == "enamnd.meetings.v1.DecisionRecorded":
                name = payload.paragraph.name
                assert name not in out, f"two DecisionRecorded for {name}"
                out[name] = (payload.case_subject, event_id)
        return out

    def check_meetings(self):
        stub = meetings_pb2_grpc.MeetingsServiceStub(self.callers["meetings"]["secretary"])
        paragraphs = stub.ListParagraphs(meetings_pb2.ListParagraphsRequest(
            parent=MEETING, page_size=100), timeout=RPC_TIMEOUT).paragraphs
        assert [p.number for p in paragraphs] == list(range(8, 17)), [p.number for p in paragraphs]
        decisions = self.decisions()
        for p in paragraphs:
            subject = stub.GetCase(meetings_pb2.GetCaseRequest(name=p.case),
                                   timeout=RPC_TIMEOUT).subject
            assert decisions[p.name][0] == subject, (p.name, decisions[p.name], subject)
        everything = stub.ListParagraphs(meetings_pb2.ListParagraphsRequest(
            parent="bodies/-", page_size=1000), timeout=RPC_TIMEOUT)
        assert not everything.next_page_token, "more than 1000 paragraphs"
        assert sorted(p.name for p in everything.paragraphs) == sorted(decisions), (
            "the paragraphs listed differ from the DecisionRecorded events")
        linked = sum(1 for s, _ in decisions.values() if s)
        print(f"     ({len(decisions)} decisions, {linked} with a case subject)", flush=True)

    # ------------------------------------------------------------ 2) links

    def expected_links(self, service):
        """{(subject, paragraph): DecisionRecorded id} for the cases under
        the service's area."""
        area = AREAS[service]
        return {(s, p): i for p, (s, i) in self.decisions().items() if s.startswith(area)}

    def link_events(self, service):
        """[(kind, subject, paragraph, event id the link came from)] of the
        service's log."""
        area = AREAS[service]
        out = []
        for _, _, type_, payload in self.replay(service, self.heads[service]):
            kind = type_.rpartition(".")[2]
            if kind == "ReviewHandled":
                link = (area + payload.review, payload.handling)
            elif kind == "DecisionLinked":
                local = payload.initiative if service == "projects" else payload.subject
                link = (area + local, payload.decision)
            elif kind == "BudgetDecisionLinked":
                link = (area + payload.budget, payload.decision)
            elif kind == "BudgetAdopted" and payload.decision.event_id:
                link = (area + payload.budget.name, payload.decision)
            else:
                continue
            out.append((kind, link[0], link[1].paragraph, link[1].event_id))
        return out

    def check_link_events(self, service):
        expected = self.expected_links(service)
        events = self.link_events(service)
        per_kind = collections.Counter((k, s, p) for k, s, p, _ in events)
        twice = [key for key, n in per_kind.items() if n > 1]
        assert not twice, f"linked more than once: {twice}"
        got = {(s, p): i for _, s, p, i in events}
        assert got == expected, (f"links {sorted(got)} != expected {sorted(expected)}")
        print(f"     ({len(expected)} links)", flush=True)
        if service == KILLED:
            sequences = {i: q for q, i, _, _ in self.replay("meetings", self.heads["meetings"])}
            late = sorted(int(p.rpartition("/")[2]) for (_, p), i in expected.items()
                          if sequences[i] > self.kill_point)
            assert late, (f"no decision of {service}'s area was recorded after the kill "
                          f"(entry {self.kill_point}): the kill came too late to test anything")
            print(f"     (§ {', '.join(map(str, late))} recorded while enamnd-{service} was down)",
                  flush=True)

    def resource_decisions(self, service, subject):
        """[(paragraph, event id)] the service lists for `subject`."""
        pb2, _, _ = stubs(service)
        stub = self.as_(service)
        local = subject[len(AREAS[service]):]
        if service == "audits":
            r = stub.GetReview(pb2.GetReviewRequest(name=local), timeout=RPC_TIMEOUT)
            return [(h.paragraph, h.event_id) for h in r.handlings]
        if service == "projects":
            r = stub.GetInitiative(pb2.GetInitiativeRequest(name=local), timeout=RPC_TIMEOUT)
        elif service == "finance":
            r = stub.GetBudget(pb2.GetBudgetRequest(name=local), timeout=RPC_TIMEOUT)
        elif local.startswith("procurements/"):
            r = stub.GetProcurement(pb2.GetProcurementRequest(name=local), timeout=RPC_TIMEOUT)
        else:
            r = stub.GetAgreement(pb2.GetAgreementRequest(name=local), timeout=RPC_TIMEOUT)
        return [(d.paragraph, d.event_id) for d in r.decisions]

    def check_resources(self, service):
        expected = collections.defaultdict(list)
        for (subject, paragraph), event_id in self.expected_links(service).items():
            expected[subject].append((paragraph, event_id))
        for subject, want in expected.items():
            got = self.resource_decisions(service, subject)
            assert len(got) == len(set(got)), f"{subject}: a decision listed twice: {got}"
            assert sorted(got) == sorted(want), f"{subject}: {sorted(got)} != {sorted(want)}"

    # ------------------------------------------------------------ 3) 22 June

    def view_of_meeting(self, service):
        """{subject: [paragraph numbers of 22 June]} linked in `service`."""
        out = collections.defaultdict(list)
        for subject, paragraph in self.expected_links(service):
            if paragraph.startswith(MEETING + "/"):
                out[subject].append(int(paragraph.rpartition("/")[2]))
        return {s: sorted(n) for s, n in out.items()}

    def check_meeting_views(self):
        views = {name: self.view_of_meeting(name) for name in AREAS}
        assert views["audits"] == {"//audits/reviews/2021-2584": [8],
                                   "//audits/reviews/2021-2505": [9],
                                   "//audits/reviews/2021-2560": [10]}, views["audits"]
        assert views["projects"] == {"//projects/initiatives/hr-payroll": [11],
                                     "//projects/initiatives/e-learning": [13]}, views["projects"]
        assert views["finance"] == {"//finance/budgets/2023": [12]}, views["finance"]
        assert views["contracts"] == {}, views["contracts"]
        pb2, _, _ = stubs("finance")
        budget = self.as_("finance").GetBudget(pb2.GetBudgetRequest(name="budgets/2023"),
                                               timeout=RPC_TIMEOUT)
        assert pb2.Budget.State.Name(budget.state) == "STATE_ADOPTED", budget.state
        assert budget.adoption.decision.paragraph == MEETING + "/paragraphs/12", budget.adoption

    # ------------------------------------------------------------ 4) 5) streams

    def check_stream(self, name):
        stream = f"enamnd:events:{name}"
        head = self.heads[name]
        entries = self.redis.xrange(stream, "-", "+")
        ids = [f[b"id"].decode() for _, f in entries]
        assert len(ids) == len(set(ids)), f"{stream}: an event id twice"
        got = [(int(e.decode().partition("-")[0]), f[b"id"].decode(), f[b"type"].decode())
               for e, f in entries]
        assert [s for s, _, _ in got] == list(range(1, head + 1)), (
            f"{stream}: entries {len(got)}, head {head}: gaps or extra entries")
        log = [(s, i, t) for s, i, t, _ in self.replay(name, head)]
        assert got == log, f"{stream} differs from the WatchEvents replay"
        print(f"     ({head} events)", flush=True)

    def check_groups(self):
        seen = {}
        for name in SERVICES:
            stream = f"enamnd:events:{name}"
            groups = [g["name"].decode() for g in self.redis.xinfo_groups(stream)]
            for group in groups:
                assert consumer_caught_up(self.redis, stream, group), (stream, group)
            seen[name] = sorted(groups)
        assert set(seen["meetings"]) >= {"audits", "projects", "contracts", "finance"}, seen
        assert "finance" in seen["projects"], seen
        print(f"     (groups {seen})", flush=True)

    def check_inbox(self, service):
        """White-box (the service's SQLite file, read-only): its inbox holds
        each event of the streams its groups read exactly once, and no
        other (the primary key (consumer, source, event_id) keeps a
        repeat out; a lost event would be missing)."""
        sources = {}
        for name in SERVICES:
            stream = f"enamnd:events:{name}"
            groups = [g["name"].decode() for g in self.redis.xinfo_groups(stream)]
            if service in groups:
                sources[f"//enamnd/{name}"] = sorted(
                    f[b"id"].decode() for _, f in self.redis.xrange(stream, "-", "+"))
        db = self.tmp / f"{service}-data" / f"{service}.db"
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=RPC_TIMEOUT) as conn:
            rows = conn.execute("SELECT source, event_id FROM inbox").fetchall()
        conn.close()
        got = collections.defaultdict(list)
        for source, event_id in rows:
            got[source].append(event_id)
        assert {k: sorted(v) for k, v in got.items()} == sources, (
            f"inbox {({k: len(v) for k, v in got.items()})} != streams "
            f"{({k: len(v) for k, v in sources.items()})}")
        print(f"     ({', '.join(f'{k} {len(v)}' for k, v in sources.items())})", flush=True)

    def check_clean_stop(self):
        for name in reversed(SERVICES):
            log = self.log_paths[name]
            code = self.stop_service(name)
            assert code == 0, f"enamnd-{name} exited with {code}:\n{tail(log)}"


def run_checks(results, scenario):
    # Each step needs the ones before it.
    for name, fn in [
            ("make the demo certificates and policy (tools/tls)", scenario.make_demo_certificates),
            ("start redis-server on a unix socket, append-only", scenario.start_persistent_redis),
            ("start the five services with mTLS", scenario.start_all),
            (f"load the meetings demo; SIGKILL enamnd-{KILLED} midway",
             scenario.load_meetings_killing_audits),
            (f"stop Redis; restart enamnd-{KILLED} and load the projects demo while it is "
             "down; start Redis again",
             scenario.stop_redis_then_load_projects),
            ("load the audits demo: § 8-10 reach their reviews", scenario.load_audits),
            ("load the contracts demo", scenario.load_contracts),
            ("load the finance demo: § 12 adopts budgets/2023", scenario.load_finance),
            ("load the plan demo and render its report", scenario.load_plan),
            ("every log on its stream; every group caught up", scenario.check_settled)]:
        results.check(name, fn)
        if results.failed:
            return
    results.check("1) meetings: § 8-16 of 22 June; every decision in the log is listed",
                  scenario.check_meetings)
    for service in AREAS:
        results.check(f"2) {service}: each decision of its area linked once, from its event",
                      scenario.check_link_events, service)
        results.check(f"2) {service}: its resources list exactly those decisions, none twice",
                      scenario.check_resources, service)
    results.check("3) 22 June in every service: § 8-10 reviews, § 11/13 initiatives, "
                  "§ 12 budgets/2023 adopted", scenario.check_meeting_views)
    for service in SERVICES:
        results.check(f"4) enamnd:events:{service}: 1..head, ids unique, = WatchEvents replay",
                      scenario.check_stream, service)
    results.check("5) every consumer group caught up, nothing pending", scenario.check_groups)
    for service in AREAS:
        results.check(f"5) {service}'s inbox: every event of the streams it reads, once",
                      scenario.check_inbox, service)
    results.check("6) SIGTERM: every service exits 0", scenario.check_clean_stop)


if __name__ == "__main__":
    sys.exit(e2e_harness.main(Scenario, run_checks))
