#!/usr/bin/python3
"""Outside-client end-to-end test of enamnd-contracts with the demo (issue 11).

The expiry watch raises each AgreementExpiring exactly once, across a
restart and a second load, and once more when today reaches the next
horizon. Runs as an external system would: Debian's /usr/bin/python3 with
grpc, protobuf and redis, the generated stubs, and nothing else. It starts a
real redis-server (unix socket in a temp dir) and the real enamnd-meetings
and enamnd-contracts binaries as tools/up runs them (e2e_harness: mTLS with
the demo's certificates and policy file, today pinned to 2022-07-08, each
with its own data dir), loads tools/demo/load_demo.py and
tools/demo/load_contracts_demo.py and calls as the coordinator and as
Kiruna's municipal system.

It checks:

  1. meetings and contracts start; the contracts demo loader starts before
     the meetings demo and waits while the contracts service knows no
     member; the meetings demo registers the members (MunicipalityRegistered
     on enamnd:events:meetings, consumed by the group contracts) and the
     contracts demo goes on;
  2. the contracts demo as loaded: eleven agreements in force on
     2022-06-22 (total_size), all of them Kiruna may use, one to give notice
     within six months (agreements/e-service-platform), the procurement in
     its standstill until 2022-07-11, the overdue follow-ups the data gives;
     the expiry watch raises AgreementExpiring for the e-service platform at
     6 months, once (the Redis stream and the WatchEvents replay agree,
     polled with a deadline), addressed to the 14 entitled members;
  3. contracts stops on SIGTERM (exit 0) and starts again: its deadline job
     runs at start and raises nothing new (the same head, the same events);
  4. the contracts demo loaded again changes nothing (no creates, the same
     etags and head);
  5. concluding the procurement on the demo day is FAILED_PRECONDITION
     naming the standstill's last day, and writes nothing;
  6. bad input from outside (an invalid organisation number, an end before
     the start, the four-year rule without a special reason, an unknown
     municipality, a municipality joining an agreement it is not entitled
     to) is INVALID_ARGUMENT naming the field and writes nothing;
  7. Kiruna's system (role municipality-system, scoped to 2584) lists the
     agreements Kiruna may use, reads one of them, and is refused another
     municipality's list, an agreement Kiruna may not use and any write;
  8. contracts restarted with today 2022-10-01, past the e-service
     platform's 3-month horizon (2022-09-30): exactly one more
     AgreementExpiring (at 3 months), the earlier one still once; every
     FollowUpOverdue at most once per (agreement, due day).

Environment: ENAMND_BUILD_DIR (stubs in $ENAMND_BUILD_DIR/python, binaries in
$ENAMND_BUILD_DIR/services/<service>/enamnd-<service>), ENAMND_SOURCE_DIR
(the repository root). The last line printed is "N passed, M failed"; the
exit status is non-zero when anything failed.
"""

import sys
import threading
import time

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import Processes, day, decode_entry, poll, stop_process, tail

import grpc  # noqa: E402

from enamnd.common.v1 import common_pb2  # noqa: E402
from enamnd.contracts.v1 import contracts_pb2  # noqa: E402
from enamnd.contracts.v1 import contracts_pb2_grpc  # noqa: E402
from enamnd.contracts.v1 import events_pb2  # noqa: E402

import demo_common  # noqa: E402
import load_contracts_demo  # noqa: E402
import load_demo  # noqa: E402

C = contracts_pb2
L = load_contracts_demo
MEETINGS_STREAM = "enamnd:events:meetings"
STREAM = "enamnd:events:contracts"
GROUP = "contracts"  # the contracts service's consumer group on the meetings stream
PACKAGE = "enamnd.contracts.v1"
EXPIRING = PACKAGE + ".AgreementExpiring"
OVERDUE = PACKAGE + ".FollowUpOverdue"
TODAY = e2e_harness.TODAY            # 2022-07-08
LATER = "2022-10-01"                 # past the e-service platform's 3-month horizon
IN_FORCE_DAY = L.IN_FORCE_DAY        # 2022-06-22
KIRUNA = "municipalities/2584"
BODEN = "municipalities/2582"
STOCKHOLM = "municipalities/0180"    # a real municipality, not a member
PLATFORM = "agreements/e-service-platform"
PROCUREMENT = "procurements/social-services-system"
BODEN_ONLY = "agreements/e2e-boden-only"
RPC_TIMEOUT = 10
SETTLE_TIMEOUT = 20  # seconds for the consumer, the deadline job and the relay
FIELDS = [L.agreement_fields(spec) for spec in L.AGREEMENTS]
BY_NAME = {f["name"]: f for f in FIELDS}


def date(text):
    year, month, day_of_month = demo_common.ymd(text)
    return common_pb2.Date(year=year, month=month, day=day_of_month)


def expected_expiring(todays):
    """{(agreement, horizon, last_notice_day)} the watch has raised after
    running on each of `todays` (the nearest horizon reached each day)."""
    out = set()
    for today in todays:
        for f in FIELDS:
            horizon = L.horizon_on(f, today)
            if horizon is not None:
                out.add((f["name"], horizon, L.expiry(f)["last_notice_day"]))
    return out


def expected_overdue(today):
    """{(agreement, due day)} overdue on `today` by the data."""
    return {(f["name"], L.next_follow_up(f)) for f in FIELDS if L.overdue_on(f, today)}




class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.meetings = None            # the enamnd-meetings process
        self.meetings_callers = None
        self.contracts = None           # the enamnd-contracts process
        self.contracts_log = None
        self.callers = None             # channels to contracts per demo principal
        self.stub = None                # contracts, as the coordinator
        self.first_load = None          # load_contracts_demo.load's result
        self.settled = None             # (head, etags, expiring events) after the first load
        self.todays = [TODAY]           # the days the contracts service has run on

    # ------------------------------------------------------------ processes

    def make_demo_certificates(self):
        self.make_certificates(["meetings", "contracts"])

    def start_meetings(self):
        proc, address, log_path = self.launch(e2e_harness.binary("meetings"), "meetings")
        self.meetings = proc
        self.meetings_callers = demo_common.Callers(address, self.tls)
        channel = self.meetings_callers["secretary"]
        self.await_serving(proc, "meetings", log_path,
                           lambda timeout: load_demo.wait_until_serving(channel, timeout))

    def start_contracts(self, today=TODAY):
        proc, address, log_path = self.launch(e2e_harness.binary("contracts"), "contracts",
                                              today=today)
        self.contracts, self.contracts_log = proc, log_path
        self.callers = demo_common.Callers(address, self.tls)
        channel = self.callers["coordinator"]
        self.await_serving(proc, "contracts", log_path,
                           lambda timeout: L.wait_until_serving(channel, timeout))
        self.stub = contracts_pb2_grpc.ContractsServiceStub(channel)

    def stop_service(self, name):
        """SIGTERM to enamnd-<name>; returns its exit status. Its channels
        are closed first: the server would let open connections drain."""
        callers = self.callers if name == "contracts" else self.meetings_callers
        if callers is not None:
            callers.close()
        code = stop_process(getattr(self, name), f"enamnd-{name}")
        setattr(self, name, None)
        return code

    def stop(self):
        # The consumer (contracts) first, then meetings, then Redis.
        self.stop_service("contracts")
        self.stop_service("meetings")
        self.stop_redis()

    def restart_contracts(self, today=TODAY):
        code = self.stop_service("contracts")
        assert code == 0, f"enamnd-contracts exited with {code} on SIGTERM:\n" + tail(
            self.contracts_log)
        self.start_contracts(today)

    # ------------------------------------------------------------ helpers

    def agreement(self, name):
        return self.stub.GetAgreement(C.GetAgreementRequest(name=name), timeout=RPC_TIMEOUT)

    def procurement(self):
        return self.stub.GetProcurement(C.GetProcurementRequest(name=PROCUREMENT),
                                        timeout=RPC_TIMEOUT)

    def etags(self):
        agreements, _ = L.list_agreements(self.stub)
        return {a.name: a.etag for a in agreements} | {PROCUREMENT: self.procurement().etag}

    def head(self):
        """The head of the contracts event log."""
        return e2e_harness.log_head(self.stub)

    def consumer_caught_up(self):
        """The contracts group has consumed the meetings stream."""
        return e2e_harness.consumer_caught_up(self.redis, MEETINGS_STREAM, GROUP)

    def settle(self):
        """Waits until contracts has consumed the meetings stream and its
        whole log is on Redis, the same head twice in a row (the deadline
        job may still be appending after a commit); returns the head."""
        poll(self.consumer_caught_up, SETTLE_TIMEOUT,
             f"group {GROUP} to consume {MEETINGS_STREAM}")
        seen = []

        def stable():
            head = self.head()
            if self.redis.xlen(STREAM) != head:
                seen.clear()
                return False
            seen.append(head)
            return len(seen) >= 2 and seen[-1] == seen[-2]

        poll(stable, SETTLE_TIMEOUT, f"XLEN {STREAM} to reach a stable log head")
        return seen[-1]

    def entries(self):
        """Every entry of the contracts stream, checked and decoded:
        [(sequence, event id, type, payload, audience)]."""
        out = []
        for entry_id, fields in self.redis.xrange(STREAM, "-", "+"):
            payload, message, attrs, _ = decode_entry(entry_id, fields, "//enamnd/contracts",
                                                      PACKAGE, events_pb2)
            audience = attrs["audience"].ce_string if "audience" in attrs else ""
            out.append((int(attrs["sequence"].ce_string), fields[b"id"].decode(),
                        PACKAGE + "." + message, payload, audience))
        return out

    def replay(self, head):
        """[(sequence, event id)] of the first `head` events WatchEvents replays."""
        w = e2e_harness.WatchEvents(self.stub, 0)
        try:
            return [(r.sequence, r.event.id) for r in (w.next() for _ in range(head))]
        finally:
            w.close()

    def expiring_events(self):
        """{(agreement, horizon, last_notice_day): [event ids]} on Redis."""
        found = {}
        for _, event_id, type_, payload, _ in self.entries():
            if type_ == EXPIRING:
                key = (payload.agreement, payload.horizon_months, day(payload.last_notice_day))
                found.setdefault(key, []).append(event_id)
        return found

    def check_watch(self):
        """The expiry watch's events are exactly those of the days run on,
        once each (Redis and the WatchEvents replay agree); FollowUpOverdue
        exactly once per (agreement, due day) overdue on one of those days
        (agreements come with their history, so none is raised for a due day
        a later follow-up settles). Returns (head, {key: event id})."""
        expected = expected_expiring(self.todays)
        poll(lambda: set(self.expiring_events()) >= expected, SETTLE_TIMEOUT,
             f"AgreementExpiring {sorted(expected)} on {STREAM}")
        head = self.settle()
        entries = self.entries()
        assert [s for s, *_ in entries] == list(range(1, head + 1)), "gaps in the stream"
        assert self.replay(head) == [(s, i) for s, i, *_ in entries], (
            "the WatchEvents replay differs from the Redis stream")
        found = self.expiring_events()
        assert set(found) == expected, (sorted(found), sorted(expected))
        twice = {k: v for k, v in found.items() if len(v) != 1}
        assert not twice, f"raised more than once: {twice}"
        members = ",".join(m.rpartition("/")[2] for m in L.MEMBERS)
        overdue = {}
        for _, event_id, type_, payload, audience in entries:
            if type_ == EXPIRING:
                f = BY_NAME[payload.agreement]
                e = L.expiry(f)
                assert (payload.title, day(payload.final_end), payload.unused_extensions) == (
                    f["title"], e["final_end"], e["unused"]), payload
                assert audience == members, f"{event_id}: audience {audience!r}"
            elif type_ == OVERDUE:
                key = (payload.agreement, day(payload.due_date))
                assert key not in overdue, f"FollowUpOverdue {key} twice"
                overdue[key] = event_id
        expected_keys = set().union(*(expected_overdue(d) for d in self.todays))
        assert set(overdue) == expected_keys, (sorted(overdue), sorted(expected_keys))
        return head, {k: v[0] for k, v in found.items()}

    # ------------------------------------------------------------ 1) both demos

    def load_both_demos(self):
        """The contracts loader starts first, while the service knows no
        member, and waits (it retries CreateAgreement while a member "is not
        a member municipality"); the meetings demo then registers the
        members, the contracts service learns them from the meetings stream
        and the loader goes on."""
        outcome = {}

        def load_contracts():
            try:
                outcome["result"] = L.load(self.callers["coordinator"], callers=self.callers,
                                           members_timeout=SETTLE_TIMEOUT)
            except BaseException as e:  # noqa: BLE001 - reported below
                outcome["error"] = e

        t0 = time.monotonic()
        thread = threading.Thread(target=load_contracts, daemon=True)
        thread.start()
        poll(lambda: L.NOT_A_MEMBER in self.contracts_log.read_text(errors="replace")
             or not thread.is_alive(), e2e_harness.EVENT_TIMEOUT,
             "the contracts loader to be told that a member is unknown")
        assert thread.is_alive(), f"the contracts loader did not wait: {outcome}"
        result = load_demo.load(self.meetings_callers["secretary"], callers=self.meetings_callers)
        assert not result["notes"], result["notes"]
        thread.join(SETTLE_TIMEOUT + RPC_TIMEOUT)
        assert not thread.is_alive(), "the contracts loader did not finish"
        if "error" in outcome:
            raise outcome["error"]
        self.first_load = outcome["result"]
        print(f"     (both loaded in {time.monotonic() - t0:.1f} s)", flush=True)

    # ------------------------------------------------------------ 2) first load

    def check_first_load(self):
        assert self.first_load is not None, "not loaded"
        result = self.first_load
        assert not result["notes"], result["notes"]
        p = L.procurement_fields()
        expected = dict(
            procurements=1, procurement_steps=len(p["steps"]) + 1, agreements=11,
            extensions=sum(len(f["extensions_used"]) for f in FIELDS),
            joinings=sum(len(f["joined"]) for f in FIELDS),
            follow_ups=sum(len(f["follow_ups"]) for f in FIELDS))
        # Options used and follow-ups so far come with CreateAgreement.
        created = dict(expected, extensions=0, follow_ups=0)
        assert result["created"] == created, (result["created"], created)
        assert result["counts"] == {k: v for k, v in expected.items()
                                    if k != "procurement_steps"}, result["counts"]
        names = [f["name"] for f in FIELDS]
        in_force = result["in_force"]
        assert in_force["total_size"] == 11 and sorted(in_force["names"]) == sorted(names), (
            in_force)
        assert result["kiruna"]["total_size"] == 11, result["kiruna"]
        assert result["kiruna"]["names"] == names, result["kiruna"]["names"]
        assert [a["name"] for a in result["expiring"]["agreements"]] == [PLATFORM], (
            result["expiring"])
        assert result["expiring"]["total_size"] == 1, result["expiring"]
        assert result["expiring"]["agreements"][0]["last_notice_day"] == "2022-12-31"
        got = result["procurement"]
        assert (got["state"], got["standstill_end"], got["state_date"]) == (
            p["state_on_demo_day"], p["standstill_end"], p["award"]["notice_date"]), got
        assert got["title"] == p["title"] and got["initiative"] == p["initiative"], got
        assert sorted((o["name"], o["next_follow_up"]) for o in result["overdue"]) == sorted(
            expected_overdue(TODAY)), result["overdue"]
        for summary in result["agreements"]:
            f = BY_NAME[summary["name"]]
            e = L.expiry(f)
            assert (summary["end"], summary["final_end"], summary["last_notice_day"],
                    summary["entitled"], summary["joined"], summary["next_follow_up"]) == (
                e["end"], e["final_end"], e["last_notice_day"], 14, len(f["joined"]),
                L.next_follow_up(f)), (summary, e)

    def check_first_watch(self):
        head, events = self.check_watch()
        assert list(events) == [(PLATFORM, 6, "2022-12-31")], events
        self.settled = (head, self.etags(), events)
        counts = {}
        for _, _, type_, _, _ in self.entries():
            counts[type_.rpartition(".")[2]] = counts.get(type_.rpartition(".")[2], 0) + 1
        print(f"     ({head} contracts events: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ")", flush=True)

    # ------------------------------------------------------------ 3) restart

    def check_restart(self):
        assert self.settled is not None, "the first load did not settle"
        self.restart_contracts()
        head, events = self.check_watch()
        assert (head, self.etags(), events) == self.settled, (
            (head, events), (self.settled[0], self.settled[2]))

    # ------------------------------------------------------------ 4) load again

    def check_second_load(self):
        assert self.first_load is not None and self.settled is not None, "no first load"
        result = L.load(self.callers["coordinator"], callers=self.callers,
                        members_timeout=SETTLE_TIMEOUT)
        assert not any(result["created"].values()), f"the second load created {result['created']}"
        assert not result["notes"], result["notes"]
        for key in ("counts", "agreements", "in_force", "kiruna", "expiring", "procurement",
                    "overdue"):
            assert result[key] == self.first_load[key], (key, result[key], self.first_load[key])
        head, events = self.check_watch()
        assert (head, self.etags(), events) == self.settled, "the second load wrote something"

    # ------------------------------------------------------------ 5) standstill

    def check_standstill(self):
        head = self.settle()
        before = self.procurement()
        assert C.Procurement.State.Name(before.state) == "STATE_STANDSTILL", before.state
        details = self.expect_code(
            grpc.StatusCode.FAILED_PRECONDITION,
            lambda: self.stub.TransitionProcurement(C.TransitionProcurementRequest(
                name=PROCUREMENT, state=C.Procurement.STATE_CONCLUDED, date=date(TODAY),
                etag=before.etag), timeout=RPC_TIMEOUT))
        assert "2022-07-11" in details, details
        assert self.procurement() == before, "the procurement changed"
        assert (self.head(), self.redis.xlen(STREAM)) == (head, head), "an event was written"

    # ------------------------------------------------------------ 6) bad input

    def valid_agreement(self, **changes):
        """A valid agreement for the requests below (framework, three years,
        no options, every member entitled), with `changes` applied."""
        a = C.Agreement(
            title="e2e: ramavtal", supplier=C.Supplier(display_name="e2e AB",
                                                       organisation_number="556016-0680"),
            terms=C.Terms(type=C.AGREEMENT_TYPE_FRAMEWORK, start=date("2022-07-01"),
                          end=date("2025-06-30"), notice_months=3),
            entitled=list(L.MEMBERS), owner="e2e")
        for path, value in changes.items():
            target = a
            *parents, leaf = path.split(".")
            for p in parents:
                target = getattr(target, p)
            field = getattr(target, leaf)
            if isinstance(value, list):
                del field[:]
                field.extend(value)
            elif hasattr(field, "CopyFrom"):
                field.CopyFrom(value)
            else:
                setattr(target, leaf, value)
        return a

    def make_boden_only(self):
        """An agreement only Boden is entitled to (for the join and the
        municipality system below): from 2022-07-01, so not among those of
        2022-06-22, and its last day to give notice (2024-03-31) far from
        every horizon of this test."""
        created = self.stub.CreateAgreement(C.CreateAgreementRequest(
            agreement_id=BODEN_ONLY.split("/")[1], request_id="e2e-boden-only",
            agreement=self.valid_agreement(**{"title": "e2e: endast Boden",
                                              "terms.end": date("2024-06-30"),
                                              "entitled": [BODEN]})), timeout=RPC_TIMEOUT)
        assert list(created.entitled) == [BODEN], created.entitled
        self.settle()

    def bad_inputs(self):
        """[(what, method, request, field, what the details also say)]."""
        def create(agreement_id, agreement):
            return C.CreateAgreementRequest(agreement_id=agreement_id, agreement=agreement,
                                            request_id="e2e-" + agreement_id)
        return [
            ("invalid organisation number", "CreateAgreement", create(
                "e2e-bad-number", self.valid_agreement(**{
                    "supplier.organisation_number": "556016-0681"})),
             "agreement.supplier.organisation_number", "check digit"),
            ("end before start", "CreateAgreement", create(
                "e2e-end-first", self.valid_agreement(**{"terms.end": date("2022-06-30")})),
             "agreement.terms.end", "before the start"),
            ("four-year rule without a special reason", "CreateAgreement", create(
                "e2e-five-years", self.valid_agreement(**{
                    "terms.extensions": [C.ExtensionOption(months=12),
                                         C.ExtensionOption(months=12)]})),
             "agreement.special_reason", "four years"),
            ("unknown municipality", "CreateAgreement", create(
                "e2e-stockholm", self.valid_agreement(**{"entitled": L.MEMBERS + [STOCKHOLM]})),
             "agreement.entitled[14]", f"{STOCKHOLM} is not a member municipality"),
            ("unknown municipality joining", "JoinAgreement", C.JoinAgreementRequest(
                name=PLATFORM, municipality=STOCKHOLM, joined_date=date(TODAY)),
             "municipality", f"{STOCKHOLM} is not a member municipality"),
            ("joining municipality not entitled", "JoinAgreement", C.JoinAgreementRequest(
                name=BODEN_ONLY, municipality=KIRUNA, joined_date=date(TODAY)),
             "municipality", f"{KIRUNA} is not entitled"),
        ]

    def check_refused(self, method, request, field, mention):
        """INVALID_ARGUMENT whose details start with the field and say
        `mention`; nothing written: the log head, the stream, the
        agreements and their etags stay."""
        head = self.settle()
        etags = self.etags()
        details = self.expect_code(grpc.StatusCode.INVALID_ARGUMENT, lambda: getattr(
            self.stub, method)(request, timeout=RPC_TIMEOUT))
        assert details.startswith(field + ": "), f"{details!r} does not name {field}"
        assert mention in details, f"{details!r} does not say {mention!r}"
        assert self.etags() == etags, "an agreement changed"
        assert (self.head(), self.redis.xlen(STREAM)) == (head, head), "an event was written"

    # ------------------------------------------------------------ 7) Kiruna's system

    def check_kiruna_system(self):
        kiruna = contracts_pb2_grpc.ContractsServiceStub(self.callers["kiruna-system"])
        filter_ = f'municipality = "{KIRUNA}" AND date = {IN_FORCE_DAY}'
        listed = kiruna.ListAgreements(C.ListAgreementsRequest(filter=filter_, page_size=100),
                                       timeout=RPC_TIMEOUT)
        assert [a.name for a in listed.agreements] == [f["name"] for f in FIELDS], listed
        assert listed.total_size == 11, listed.total_size
        assert listed == self.stub.ListAgreements(C.ListAgreementsRequest(
            filter=filter_, page_size=100), timeout=RPC_TIMEOUT), "differs from the coordinator's"
        assert kiruna.GetAgreement(C.GetAgreementRequest(name=PLATFORM),
                                   timeout=RPC_TIMEOUT) == self.agreement(PLATFORM)
        head = self.settle()
        for what, call, mention in [
                ("Boden's list", lambda: kiruna.ListAgreements(C.ListAgreementsRequest(
                    filter=f'municipality = "{BODEN}" AND date = {IN_FORCE_DAY}'),
                    timeout=RPC_TIMEOUT), ""),
                ("every agreement", lambda: kiruna.ListAgreements(
                    C.ListAgreementsRequest(), timeout=RPC_TIMEOUT), "filter by municipality"),
                ("an agreement only Boden may use", lambda: kiruna.GetAgreement(
                    C.GetAgreementRequest(name=BODEN_ONLY), timeout=RPC_TIMEOUT), BODEN_ONLY),
                ("a write", lambda: kiruna.RecordFollowUp(C.RecordFollowUpRequest(
                    name=PLATFORM, follow_up=C.FollowUp(date=date(TODAY), result="e2e")),
                    timeout=RPC_TIMEOUT), "coordinator")]:
            details = self.expect_code(grpc.StatusCode.PERMISSION_DENIED, call)
            assert mention in details, f"{what}: {details!r} does not say {mention!r}"
        assert (self.head(), self.redis.xlen(STREAM)) == (head, head), "an event was written"

    # ------------------------------------------------------------ 8) a later today

    def check_later_today(self):
        assert self.settled is not None, "the first load did not settle"
        before = self.expiring_events()
        head_before = self.settle()
        self.todays.append(LATER)
        self.restart_contracts(LATER)
        # The deadline job ran at start, before the port accepted calls: the
        # log has grown by the first call, without waiting.
        assert self.head() > head_before, "nothing raised at start"
        _, events = self.check_watch()
        new = set(events) - set(before)
        assert new == {(PLATFORM, 3, "2022-12-31")}, sorted(new)
        assert {k: events[k] for k in before} == {k: v[0] for k, v in before.items()}, (
            "the earlier events changed")
        # Restarted again on the same day: nothing new.
        head = self.settle()
        self.restart_contracts(LATER)
        assert self.check_watch() == (head, events), "the restart raised again"

    def check_clean_stop(self):
        for name in ("contracts", "meetings"):
            log = self.contracts_log if name == "contracts" else None
            code = self.stop_service(name)
            assert code == 0, f"enamnd-{name} exited with {code}:\n" + (tail(log) if log else "")


def run_checks(results, scenario):
    # Each step needs the ones before it.
    for name, fn in [
            ("make the demo certificates and policy (tools/tls)", scenario.make_demo_certificates),
            ("start redis-server on a unix socket", scenario.start_redis),
            ("1) start enamnd-meetings and wait for SERVING", scenario.start_meetings),
            ("1) start enamnd-contracts and wait for SERVING", scenario.start_contracts),
            ("1) the contracts loader waits for the members; the meetings demo loads; the "
             "contracts demo goes on", scenario.load_both_demos),
            ("2) the contracts demo: 11 agreements, 1 expiring, the procurement in standstill",
             scenario.check_first_load),
            ("2) AgreementExpiring for the e-service platform at 6 months, once (Redis and "
             "WatchEvents)", scenario.check_first_watch)]:
        results.check(name, fn)
        if results.failed:
            return
    results.check("3) SIGTERM -> exit 0; restarted: the deadline job raises nothing new",
                  scenario.check_restart)
    results.check("4) loading the contracts demo again changes nothing",
                  scenario.check_second_load)
    results.check("5) concluding the procurement in its standstill -> FAILED_PRECONDITION "
                  "naming 2022-07-11, nothing written", scenario.check_standstill)
    results.check("6) an agreement only Boden is entitled to", scenario.make_boden_only)
    for what, method, request, field, mention in scenario.bad_inputs():
        results.check(f"6) {what}: {method} -> INVALID_ARGUMENT naming {field}, nothing written",
                      scenario.check_refused, method, request, field, mention)
    results.check("7) Kiruna's system lists and reads what Kiruna may use, nothing else",
                  scenario.check_kiruna_system)
    results.check(f"8) restarted with today {LATER}: exactly one more AgreementExpiring (3 "
                  "months)", scenario.check_later_today)
    results.check("SIGTERM: enamnd-contracts and enamnd-meetings exit 0",
                  scenario.check_clean_stop)


if __name__ == "__main__":
    sys.exit(e2e_harness.main(Scenario, run_checks))
