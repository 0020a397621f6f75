#!/usr/bin/python3
"""The whole suite on one machine, disturbed (issue 15).

Runs as an external system would: Debian's /usr/bin/python3 with grpc,
protobuf and redis, the generated stubs, and nothing else. It starts a real
redis-server (unix socket in a temp dir, append-only file on, fsynced
every second) and all five
real service binaries as tools/up runs them (e2e_harness: mTLS with the
demo's certificates and policy file, today pinned to 2022-07-08, each with
its own data dir; finance told the others' addresses), then loads every
demo (load_demo, load_projects_demo, load_audits_demo, load_contracts_demo,
load_finance_demo, load_plan_demo; tools/up's order but for audits after
projects, see below): the meeting of 22 June 2022 replayed across all
services through the public API.

Midway it disturbs the suite, at chosen points rather than by racing
the loaders: load_demo calls through a channel that stops it before chosen
RecordDecision calls (DecisionGate) until the test lets it go on.
  - enamnd-audits is killed with SIGKILL while an entry is pending for its
    group: once it has handled everything before the first decision, its
    database is held busy (another connection's BEGIN IMMEDIATE, as any
    writer would) and § 8 recorded; audits is delivered the entry and
    cannot commit it; SIGKILL; XPENDING for group audits is then > 0.
    § 9-16 are recorded while it is down;
  - Redis runs as in Kubernetes (deploy/k8s/base/redis.yaml: append-only,
    appendfsync everysec) and crashes: once the load has settled it is
    killed with SIGKILL and, since a SIGKILL alone loses nothing that
    Redis wrote (the kernel keeps it), the crash of the machine that
    everysec allows is made by cutting its append-only file back to the
    XACK with which the group projects acknowledged § 9 (it had committed
    it): that XACK, the later decisions' XADDs, the other groups'
    deliveries and XACKs, and the events the consumers published since,
    are lost (about the last second of the load). enamnd-audits is started
    again on the same data dir and port while Redis is down, and the
    projects demo is loaded (its events wait in the outbox); then Redis is
    started again on the same socket and dir, behind the services' logs
    (docs/operations.md section 9): the relays must republish the gap
    with the same entry IDs, projects must read § 9 back as pending and
    be delivered the rest again, and its inbox must drop them all; the
    audits demo, which waits for § 8-10 to reach the reviews, is loaded
    after that.

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
     WatchEvents replay from 0 one to one (before that: each relay whose
     stream lost entries logged that it found it behind its log, and
     meetings' enamnd_relay_republished_total is exactly its gap;
     projects' enamnd_subscriber_duplicates_total counts at least every
     meetings entry from § 9 on, which it had committed before the crash);
  5. every consumer group on every stream has been delivered the last
     entry and has nothing pending; each consumer's inbox (read from its
     SQLite file: white-box, the API does not show it) holds every event of
     the streams it reads and nothing else: nothing missing (a repeat
     cannot show there, its primary key keeps one out; a repeated effect
     is caught by the link checks of 2);
  6. SIGTERM: every service exits 0.

Environment: ENAMND_BUILD_DIR (stubs in $ENAMND_BUILD_DIR/python, binaries in
$ENAMND_BUILD_DIR/services/<service>/enamnd-<service>), ENAMND_SOURCE_DIR
(the repository root). The last line printed is "N passed, M failed"; the
exit status is non-zero when anything failed.
"""

import collections
import importlib
import re
import sqlite3
import sys
import threading
import urllib.request
from pathlib import Path

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import Processes, consumer_caught_up, free_port, poll, service_stub

import grpc  # noqa: E402

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
GATE_TIMEOUT = 300  # seconds for load_demo to reach a gate, and to end
RECORD_DECISION = "/enamnd.meetings.v1.MeetingsService/RecordDecision"
# The group whose XACK of a decision the crash of Redis loses (it has
# committed the event: its inbox must drop the redelivery).
LOST_ACK_GROUP = "projects"
# What each consumer links: case subjects under its area.
AREAS = {"audits": "//audits/", "projects": "//projects/", "contracts": "//contracts/",
         "finance": "//finance/"}


def stubs(service):
    """(pb2, pb2_grpc, events_pb2) of a service's generated stubs."""
    base = f"enamnd.{service}.v1."
    return (importlib.import_module(base + f"{service}_pb2"),
            importlib.import_module(base + f"{service}_pb2_grpc"),
            importlib.import_module(base + "events_pb2"))


def unpack(service, event):
    """The payload of a CloudEvent of `service`'s log, by its type."""
    _, _, events = stubs(service)
    payload = getattr(events, event.type.rpartition(".")[2])()
    assert event.proto_data.Unpack(payload), (event.type, event.proto_data.type_url)
    return payload


class DecisionGate(grpc.UnaryUnaryClientInterceptor):
    """Stops load_demo (which calls through a channel intercepted with it)
    before its n-th RecordDecision for each n of `stops`: arrived[n] is set
    when it gets there, and it goes on when open(n) is called."""

    def __init__(self, stops):
        self.calls = 0
        self.arrived = {n: threading.Event() for n in stops}
        self.go = {n: threading.Event() for n in stops}

    def open(self, n):
        self.go[n].set()

    def open_all(self):
        for event in self.go.values():
            event.set()

    def intercept_unary_unary(self, continuation, details, request):
        if details.method == RECORD_DECISION:
            self.calls += 1
            n = self.calls
            if n in self.arrived:
                self.arrived[n].set()
                if not self.go[n].wait(GATE_TIMEOUT):
                    raise AssertionError(f"gate before RecordDecision #{n} not opened")
        return continuation(details, request)


# ------------------------------------------------------------ Redis's append-only file

def incr_aof(tmp):
    """The incremental append-only file of the Redis 7 in `tmp` (its
    manifest names one base and one incr file while no rewrite happened)."""
    directory = Path(tmp) / "appendonlydir"
    lines = (directory / "appendonly.aof.manifest").read_text().split("\n")
    incr = [line.split()[1] for line in lines if line.endswith(" type i")]
    assert len(incr) == 1, f"not one incr file in the AOF manifest: {lines}"
    return directory / incr[0]


def aof_commands(data):
    """[(byte offset, [arguments])] of the commands in an append-only
    file's RESP; an incomplete last command (cut mid-write) is left out."""
    out = []
    i = 0
    while i < len(data):
        start = i
        if data[i:i + 1] == b"#":  # an annotation line (aof-timestamp-enabled)
            i = data.index(b"\r\n", i) + 2
            continue
        assert data[i:i + 1] == b"*", f"no RESP array at byte {i}"
        try:
            end = data.index(b"\r\n", i)
            args = []
            i = end + 2
            for _ in range(int(data[start + 1:end])):
                end = data.index(b"\r\n", i)
                size = int(data[i + 1:end])
                args.append(data[end + 2:end + 2 + size])
                i = end + 2 + size + 2
        except ValueError:
            break
        if i > len(data):
            break
        out.append((start, args))
    return out


def entry_sequence(entry_id):
    """The sequence of a stream entry ID b"{sequence}-0", or None."""
    first, dash, rest = entry_id.partition(b"-")
    return int(first) if dash and first.isdigit() and rest.isdigit() else None


def xadd_tops(commands):
    """{stream: last entry sequence} of the XADDs among `commands`; the
    entries of enamnd's streams are 1, 2, ... so that is also their count."""
    tops = {}
    for _, args in commands:
        if args[0].upper() == b"XADD":
            # XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] n [LIMIT n]] id field value ...
            sequence = next(q for q in map(entry_sequence, args[2:]) if q is not None)
            tops[args[1].decode()] = sequence
    return tops


def lost_ack_offset(commands, stream, group, mark):
    """The offset of `group`'s first XACK of an entry of `stream` after
    sequence `mark`: cutting the file there loses that XACK and what came
    after it."""
    in_multi = False
    for offset, args in commands:
        verb = args[0].upper()
        in_multi = verb == b"MULTI" or (in_multi and verb != b"EXEC")
        if (verb == b"XACK" and not in_multi and args[1] == stream.encode()
                and args[2] == group.encode()
                and any((entry_sequence(a) or 0) > mark for a in args[3:])):
            return offset
    raise AssertionError(f"no XACK of {stream} by {group} after entry {mark} in the AOF")


def scrape(address, name, labels):
    """The value of metric `name` with exactly `labels` at http://address/metrics."""
    url = f"http://{address}/metrics"
    with urllib.request.urlopen(url, timeout=RPC_TIMEOUT) as response:
        text = response.read().decode()
    for line in text.splitlines():
        if line.startswith(name + "{"):
            close = line.index("}")
            got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', line[len(name) + 1:close]))
            if got == labels:
                return float(line[close + 1:].split()[0])
    raise AssertionError(f"no {name}{labels} at {url}")


class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.procs = {}        # service name -> process
        self.addresses = {}    # service name -> host:port (kept across restarts)
        self.callers = {}      # service name -> demo_common.Callers
        self.disturbed = []    # what happened midway, for the report
        self.heads = None      # {service: log head} once settled
        self.kill_point = None  # the last meetings entry audits had before the kill
        self.redis_stop_heads = None  # {service: XLEN} when Redis was killed
        self.logs_cache = {}   # service name -> [(sequence, id, type, payload)]
        self.metrics = {}      # service name -> host:port of its /metrics
        self.loader = None     # the load_demo thread, and its outcome
        self.outcome = {}
        self.ack_mark = None   # meetings entries before the XACK the crash loses
        self.aof_loss = None   # {stream: (entries kept, entries before)} of the cut

    # ------------------------------------------------------------ processes

    def make_demo_certificates(self):
        self.make_certificates(list(SERVICES))

    def start_persistent_redis(self):
        self.start_redis(persistent=True, appendfsync="everysec")

    def start(self, name):
        principal, wait_until_serving = START[name]
        self.metrics.setdefault(name, f"127.0.0.1:{free_port()}")
        extra = {"ENAMND_METRICS_LISTEN": self.metrics[name]}
        if name == "finance":
            extra.update({f"ENAMND_{n.upper()}_ADDR": self.addresses[n]
                          for n in ("meetings", "projects", "contracts")})
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

    def groups_of(self, stream):
        """The consumer groups of `stream` ([] while it does not exist)."""
        if not self.redis.exists(stream):
            return []
        return [g["name"].decode() for g in self.redis.xinfo_groups(stream)]

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

    def stream_settled(self, name, groups):
        """Every event of `name`'s log is on its stream and each of `groups`
        has been delivered the last entry and acknowledged everything."""
        stream = f"enamnd:events:{name}"
        head = e2e_harness.log_head(self.as_(name, WATCHER))
        poll(lambda: self.redis.xlen(stream) >= head, SETTLE_TIMEOUT, f"XLEN {stream} >= {head}")
        for group in groups:
            poll(lambda: consumer_caught_up(self.redis, stream, group), SETTLE_TIMEOUT,
                 f"group {group} to consume {stream}")

    def at_gate(self, gate, n):
        """Waits for load_demo to stop before its n-th RecordDecision."""
        poll(lambda: gate.arrived[n].is_set() or not self.loader.is_alive(), GATE_TIMEOUT,
             f"load_demo to reach RecordDecision #{n}")
        if "error" in self.outcome:
            raise self.outcome["error"]
        assert gate.arrived[n].is_set(), f"load_demo ended before RecordDecision #{n}"

    def load_meetings_killing_audits(self):
        """load_demo in a thread, through a channel that stops it before
        chosen RecordDecision calls: audits is SIGKILLed while it has an
        entry pending (its database held busy, so that it cannot commit),
        and the rest of the decisions are recorded while it is down."""
        gate = DecisionGate(stops=(1, 2, 3))
        channel = grpc.intercept_channel(self.callers["meetings"]["secretary"], gate)
        self.outcome = {}

        def run():
            try:
                self.outcome["result"] = load_demo.load(channel, callers=self.callers["meetings"])
            except BaseException as e:  # noqa: BLE001 - reported below
                self.outcome["error"] = e

        self.loader = threading.Thread(target=run, daemon=True)
        self.loader.start()
        try:
            self.kill_audits_while_pending(gate)
            self.mark_lost_ack(gate)
        finally:
            gate.open_all()
        self.loader.join(timeout=GATE_TIMEOUT)
        assert not self.loader.is_alive(), f"load_demo did not end within {GATE_TIMEOUT} s"
        if "error" in self.outcome:
            raise self.outcome["error"]
        assert not self.outcome["result"]["notes"], self.outcome["result"]["notes"]

    def kill_audits_while_pending(self, gate):
        """Gate 1 (the members and the bodies are in, no decision yet):
        audits has handled all of it. Its database is then locked for
        writing (as another writer would: BEGIN IMMEDIATE) and § 8 recorded:
        audits is delivered the entry and cannot commit it, so it stays
        pending. At gate 2, SIGKILL; the entry is still pending after it."""
        stream = "enamnd:events:meetings"
        self.at_gate(gate, 1)
        self.stream_settled("meetings", [KILLED])
        db = self.tmp / f"{KILLED}-data" / f"{KILLED}.db"
        lock = sqlite3.connect(db, timeout=RPC_TIMEOUT, isolation_level=None)
        try:
            lock.execute("BEGIN IMMEDIATE")
            gate.open(1)
            self.at_gate(gate, 2)
            poll(lambda: self.redis.xpending(stream, KILLED)["pending"] > 0, SETTLE_TIMEOUT,
                 f"an entry of {stream} pending for group {KILLED}")
            self.kill(KILLED)
            pending = self.redis.xpending(stream, KILLED)["pending"]
            assert pending > 0, f"nothing pending for group {KILLED} after the kill"
        finally:
            lock.close()  # rolls back: nothing was written
        self.kill_point = self.group_delivered(stream, KILLED)
        self.disturbed.append(
            f"enamnd-{KILLED} SIGKILLed with meetings entries up to {self.kill_point} delivered, "
            f"{pending} of them pending (its database held busy), before RecordDecision #2")
        print(f"     ({self.disturbed[-1]})", flush=True)

    def mark_lost_ack(self, gate):
        """Gate 2: the other groups have consumed everything; the meetings
        log's length then is the mark. § 9 is recorded; at gate 3 the group
        projects has consumed it, so its XACK of entry mark + 1 is in
        Redis's append-only file before any later decision's XADD. The crash
        of Redis (crash_redis_then_load_projects) cuts the file there."""
        others = [g for g in AREAS if g != KILLED]
        self.stream_settled("meetings", others)
        self.ack_mark = self.redis.xlen("enamnd:events:meetings")
        gate.open(2)
        self.at_gate(gate, 3)
        self.stream_settled("meetings", [LOST_ACK_GROUP])

    def crash_redis_then_load_projects(self):
        """Redis (appendfsync everysec) SIGKILLed once everything is
        settled, and its append-only file cut back to before the XACK that
        mark_lost_ack arranged: the machine's crash that everysec allows,
        which loses what was written since the last fsync. The killed
        audits service is started again while Redis is down, and the
        projects demo loaded (its events wait in the outbox); then Redis
        starts again on the same socket and dir, behind the logs."""
        for name in SERVICES:
            if name != KILLED:  # down: its log cannot be asked (its relay did not run)
                self.stream_settled(name, [g for g in self.groups_of(f"enamnd:events:{name}")
                                           if g != KILLED])
        lengths = {name: self.redis.xlen(f"enamnd:events:{name}") for name in SERVICES}
        code = self.kill_redis()
        assert code == -9, f"redis-server exited with {code}, not by SIGKILL"
        self.cut_aof(lengths)
        self.start(KILLED)  # on its data dir and port, without Redis
        result = load_projects_demo.load(self.callers["projects"][load_projects_demo.COORDINATOR],
                                         callers=self.callers["projects"],
                                         members_timeout=SETTLE_TIMEOUT,
                                         decisions_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]
        assert result["decisions_complete"], "§ 11 or § 13 did not reach its initiative"
        self.start_redis(persistent=True, appendfsync="everysec")
        self.redis_stop_heads = lengths
        self.disturbed.append(
            f"redis-server SIGKILLed with stream lengths {lengths}, its append-only file cut "
            f"back to {self.aof_loss} (stream: (entries kept, entries before)); "
            f"enamnd-{KILLED} restarted and the projects demo loaded while it was down")
        print(f"     ({self.disturbed[-1]})", flush=True)

    def cut_aof(self, lengths):
        """Truncates the append-only file before group LOST_ACK_GROUP's XACK
        of meetings entry ack_mark + 1. Sets aof_loss to {stream: (entries
        kept, entries before)} of the streams that lose entries."""
        path = incr_aof(self.tmp)
        commands = aof_commands(path.read_bytes())
        before = xadd_tops(commands)
        for name, length in lengths.items():
            stream = f"enamnd:events:{name}"
            # Every entry is in this file (no AOF rewrite moved any to the base).
            assert before.get(stream, 0) == length, (stream, before.get(stream), length)
        cut = lost_ack_offset(commands, "enamnd:events:meetings", LOST_ACK_GROUP, self.ack_mark)
        kept = xadd_tops([c for c in commands if c[0] < cut])
        with open(path, "r+b") as f:
            f.truncate(cut)
        self.aof_loss = {s: (kept.get(s, 0), n) for s, n in before.items() if kept.get(s, 0) < n}
        assert "enamnd:events:meetings" in self.aof_loss, (
            f"the cut at byte {cut} keeps every meetings entry: {before}, {kept}")

    def load_audits(self):
        result = load_audits_demo.load(self.callers["audits"]["secretary"],
                                       callers=self.callers["audits"],
                                       handlings_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]
        assert result["handlings_complete"], "a review shows no handling of 22 June"

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

    def check_relays_republished(self):
        """Each stream the crash cut back was found behind its log by its
        relay (docs/operations.md section 9), which says so at WARN."""
        for stream, (kept, before) in sorted(self.aof_loss.items()):
            name = stream.rpartition(":")[2]
            line = (f"stream {stream} ends at sequence {kept} but the log had published up "
                    f"to {before}: Redis lost events")
            poll(lambda: line in Path(self.log_paths[name]).read_text(errors="replace"), 10,
                 f"enamnd-{name} to log {line!r}")
        republished = scrape(self.metrics["meetings"], "enamnd_relay_republished_total",
                             {"stream": "enamnd:events:meetings"})
        kept, before = self.aof_loss["enamnd:events:meetings"]
        assert republished == before - kept, (republished, before, kept)
        gaps = ", ".join(f"{s} {b - k}" for s, (k, b) in self.aof_loss.items())
        print(f"     (republished: {gaps})", flush=True)

    def check_redelivery_dropped(self):
        """The group whose XACK was lost had committed meetings entries
        ack_mark + 1 up to the old end: each came again (the pending one
        read back, the rest republished), and its inbox dropped each."""
        _, before = self.aof_loss["enamnd:events:meetings"]
        labels = {"stream": "enamnd:events:meetings", "group": LOST_ACK_GROUP}
        duplicates = scrape(self.metrics[LOST_ACK_GROUP], "enamnd_subscriber_duplicates_total",
                            labels)
        assert duplicates >= before - self.ack_mark, (
            f"{LOST_ACK_GROUP} dropped {duplicates} repeats; entries {self.ack_mark + 1}.."
            f"{before} had to come again")
        print(f"     ({LOST_ACK_GROUP}: {duplicates:.0f} repeats dropped, entries "
              f"{self.ack_mark + 1}..{before} handled before the crash)", flush=True)

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
        each event of the streams its groups read, and no other: nothing
        missing. It cannot show a repeat (the primary key (consumer,
        source, event_id) keeps one out); a repeated effect is what the
        link checks (2) catch."""
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
        self.stop_cleanly(reversed(SERVICES))


def run_checks(results, scenario):
    # Each step needs the ones before it.
    for name, fn in [
            ("make the demo certificates and policy (tools/tls)", scenario.make_demo_certificates),
            ("start redis-server on a unix socket, append-only, appendfsync everysec",
             scenario.start_persistent_redis),
            ("start the five services with mTLS", scenario.start_all),
            (f"load the meetings demo; SIGKILL enamnd-{KILLED} with an entry pending, "
             "before § 9", scenario.load_meetings_killing_audits),
            (f"SIGKILL Redis, cut its append-only file back to before {LOST_ACK_GROUP}'s "
             f"XACK of § 9; restart enamnd-{KILLED} and load the projects demo while it is "
             "down; start Redis again", scenario.crash_redis_then_load_projects),
            ("load the audits demo: § 8-10 reach their reviews", scenario.load_audits),
            ("load the contracts demo", scenario.load_contracts),
            ("load the finance demo: § 12 adopts budgets/2023", scenario.load_finance),
            ("load the plan demo and render its report", scenario.load_plan),
            ("every log on its stream; every group caught up", scenario.check_settled),
            ("the relays found the streams behind their logs and republished the gap",
             scenario.check_relays_republished),
            (f"{LOST_ACK_GROUP}'s inbox dropped the redelivered meetings entries",
             scenario.check_redelivery_dropped)]:
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
        results.check(f"5) {service}'s inbox: every event of the streams it reads, none "
                      "missing (repeats: see 2)",
                      scenario.check_inbox, service)
    results.check("6) SIGTERM: every service exits 0", scenario.check_clean_stop)


if __name__ == "__main__":
    sys.exit(e2e_harness.main(Scenario, run_checks))
