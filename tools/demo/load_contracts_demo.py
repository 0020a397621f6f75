#!/usr/bin/python3
"""Loads the contracts demo data of Norrbottens e-nämnd into the contracts service.

Usage:
    /usr/bin/python3 tools/demo/load_contracts_demo.py --address 127.0.0.1:50054
        [--stubs build/python] [--tls var/tls]

(--contracts is the same as --address.) It connects with mTLS, with the demo
certificates of --tls (default var/tls, made by ./tools/up), as the
committee's coordinator (role coordinator: every write of the contracts
service needs it). It talks to enamnd-contracts only through its public gRPC
API (no SQL). The records are tools/demo/data/contracts.json:

  * the eleven agreements that § 16 of 22 June 2022 says are available to
    all members ("I dagsläget finns 11 avtal tecknade via Norrbottens
    e-nämnd tillgängliga för alla ingående parter"), in force on that day and
    each entitling all 14 members to call off: IT consultants, the e-service
    platform's operation, support and development, the e-archive, digital
    signatures, SMS services, e-identification, software licences, printers,
    the shared data centre DCBD, the rescue services system and client
    devices. Framework agreements are followed up by the routine § 16 names,
    contracts within their joint management organisations (§ 16's words);
  * the e-service platform's agreement is the one whose last day to give
    notice (2022-12-31) falls within six months of 2022-07-08, the day
    tools/up pins: § 14 announces its new procurement for 2022/2023. The
    service's expiry watch raises AgreementExpiring for it (at 6 months);
  * the procurement "Upphandling Verksamhetssystem Socialtjänsten Norrbotten"
    (§ 14's title, linked to //projects/initiatives/social-services-system):
    advertised, evaluated, award decided and its notice sent electronically
    on 2022-06-30, so on 2022-07-08 it is in its standstill, which lasts
    until Monday 2022-07-11 (ten days end on a Sunday);
  * marked "invented" in the data file: the agreements' titles, suppliers
    (invented companies with valid organisation numbers), terms, owners,
    joinings and follow-ups, the data centre agreement's special reason (its
    options take it past four years), and the procurement's dates and case
    number.

The members must be known to the contracts service before an agreement can
name them: it learns them from the meetings service's MunicipalityRegistered
events (stream enamnd:events:meetings, consumer group contracts),
asynchronously. The loader retries an agreement's creation while the service
answers that a member "is not a member municipality", up to --members-wait
seconds.

Running it again changes nothing: the procurement and every agreement are
looked up before they are created (with a deterministic request_id), a
procurement step is taken only while its state comes before the step, an
extension option is used only while the agreement has used fewer than the
data, a member joins only when it has not joined, a follow-up is recorded
only when the agreement has none of that day and result. The days are on or
before 2022-07-08; a day after the service's today is left out and reported
(a note), not an error.

An agreement is registered with its history: the extension options it used
(the current end includes them) and its follow-ups so far come with
CreateAgreement, so the service's deadline job never sees it without them
and raises FollowUpOverdue only for what is really overdue. The separate
ExtendAgreement and RecordFollowUp steps then find nothing to do; they fill
in an agreement created by an earlier version of the demo.

Tests import this module and call load(channel) -> dict; the functions
without gRPC (agreement_fields, procurement_fields, expiry, horizon_on,
next_follow_up, valid_organisation_number) are what tests/demo checks the
data with. main() is the command line, the same as load_demo.py's
(demo_common.run_main) plus --members-wait.
"""

import calendar
import sys
import time
from pathlib import Path

# demo_common lives next to this file: importable whether this runs as a
# script or is imported as a module (tests put tools/demo on sys.path).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import (  # noqa: E402,F401 (re-exported: tests use load_contracts_demo.*)
    CHANNEL_OPTIONS, REPO_ROOT, RPC_TIMEOUT, LoadError, _create, _date, _day, _describe,
    _list_all, default_stubs_dir, read_data)

DATA = read_data("contracts.json")
PROTOCOL = DATA["protocol"]
DERIVED = DATA["derived"]
AGREEMENTS = DATA["invented"]["agreements"]
PROCUREMENT = DATA["procurement"]
IN_FORCE_DAY = DERIVED["in_force_day"]
DEMO_TODAY = DERIVED["demo_today"]
EXPIRING_MONTHS = 6
KIRUNA = "municipalities/2584"
# The expiry watch's default horizons (months before the last day to give notice).
HORIZONS = (12, 6, 3)

# SCB code -> official name; the members in the data file's order.
NAMES = demo_common.municipality_names()
MEMBERS = ["municipalities/" + code for code in NAMES]

# The states a procurement passes on its way to an agreement, in order.
PROCUREMENT_ORDER = ("STATE_PLANNED", "STATE_ADVERTISED", "STATE_EVALUATION",
                     "STATE_AWARD_DECIDED", "STATE_STANDSTILL", "STATE_CONCLUDED")

# The demo principal that makes every call (its role is what the writes need).
COORDINATOR = demo_common.COORDINATOR
# What the service answers about a member it has not learnt yet.
NOT_A_MEMBER = demo_common.NOT_A_MEMBER


# ------------------------------------------------------------------ stubs

grpc = None
contracts_pb2 = None
contracts_pb2_grpc = None
common_pb2 = None


def import_stubs(stubs_dir=None):
    """Imports grpc and the generated modules; stubs_dir goes first on sys.path."""
    global grpc, contracts_pb2, contracts_pb2_grpc, common_pb2
    if contracts_pb2 is not None and stubs_dir is None:
        return
    grpc, (contracts_pb2, contracts_pb2_grpc, common_pb2) = demo_common.import_stubs(
        stubs_dir, ["enamnd.contracts.v1.contracts_pb2", "enamnd.contracts.v1.contracts_pb2_grpc",
                    "enamnd.common.v1.common_pb2"])


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    stub = contracts_pb2_grpc.ContractsServiceStub(channel)

    def list_procurements(t):
        stub.ListProcurements(contracts_pb2.ListProcurementsRequest(page_size=1), timeout=t)

    demo_common.wait_until_serving(channel, list_procurements, timeout,
                                   service="the contracts service")


# ------------------------------------------------------------------ rules (no gRPC)

def add_months(day, months):
    """YYYY-MM-DD plus `months` calendar months; a day past the end of the
    target month becomes its last day (as the service counts)."""
    year, month, day_of_month = demo_common.ymd(day)
    index = year * 12 + (month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return "%04d-%02d-%02d" % (year, month, min(day_of_month, last))


def valid_organisation_number(text):
    """A Swedish organisation number NNNNNN-NNNN whose tenth digit is the
    Luhn check digit of the first nine."""
    if len(text) != 11 or text[6] != "-":
        return False
    digits = text[:6] + text[7:]
    if not digits.isdigit():
        return False
    total = 0
    for i, c in enumerate(digits[:9]):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return int(digits[9]) == (10 - total % 10) % 10


def expiry(f):
    """The agreement of agreement_fields `f` once its data is loaded (its
    options of extensions_used used): {end (the current term's), final_end
    (with the unused options), last_notice_day (final_end less the notice
    period), unused (options), longest_end (every option)}."""
    t = f["terms"]
    used = len(f["extensions_used"])
    end = add_months(t["end"], sum(t["extensions"][:used]))
    final_end = add_months(end, sum(t["extensions"][used:]))
    return dict(end=end, final_end=final_end,
                last_notice_day=add_months(final_end, -t["notice_months"]),
                unused=len(t["extensions"]) - used,
                longest_end=add_months(t["end"], sum(t["extensions"])))


def horizon_on(f, today, horizons=HORIZONS):
    """The horizon (months) the expiry watch raises for `f` on `today`: the
    nearest one reached; None before the widest or after the last day to
    give notice."""
    last = expiry(f)["last_notice_day"]
    if today > last:
        return None
    reached = [h for h in horizons if today >= add_months(last, -h)]
    return min(reached) if reached else None


def four_years_after(f):
    """The day four years after the start: a framework agreement must end
    before it unless a special reason is recorded."""
    return add_months(f["terms"]["start"], 48)


def four_year_rule_holds(f):
    """True when `f` is a contract, runs at most four years with every
    option, or records a special reason."""
    if f["terms"]["type"] != "AGREEMENT_TYPE_FRAMEWORK" or f["special_reason"].strip():
        return True
    return expiry(f)["longest_end"] < four_years_after(f)


def in_force(f, day):
    return f["terms"]["start"] <= day <= expiry(f)["end"]


def next_follow_up(f):
    """The day the next follow-up is due: every_months after the latest
    follow-up, or after the start without one; None without a routine."""
    every = f["follow_up_routine"]["every_months"]
    if every <= 0:
        return None
    latest = max([f["terms"]["start"]] + [x["date"] for x in f["follow_ups"]])
    return add_months(latest, every)


def overdue_on(f, today):
    due = next_follow_up(f)
    return due is not None and due < today and in_force(f, today)


# ------------------------------------------------------------------ texts (no gRPC)

def _display(municipality):
    return NAMES.get(municipality.rpartition("/")[2], municipality)


def agreement_fields(spec):
    """What the demo sends for agreement `spec` of the data file, as plain
    values: id, name, title, case_number, supplier {display_name,
    organisation_number}, terms {type, start, end, extensions [months],
    notice_months, call_off_method, index_clause, estimated_value_ore},
    extensions_used [dates, in order], entitled [municipalities/{code}: every
    member, derived.entitled], joined [(municipalities/{code}, day)] in date
    order, owner, follow_up_routine {every_months, description}, follow_ups
    [{date, result, deviations}] in date order, special_reason, procurement.
    """
    if DERIVED["entitled"] != "all members":
        raise LoadError(f"contracts.json: derived.entitled is {DERIVED['entitled']!r}; the "
                        "loader knows 'all members'")
    t = spec["terms"]
    joined = sorted(((("municipalities/" + code), group["joined_date"])
                     for group in spec["joined"] for code in group["municipalities"]),
                    key=lambda j: j[1])
    return dict(
        id=spec["id"],
        name="agreements/" + spec["id"],
        title=spec["title"],
        case_number=spec["case_number"],
        supplier=dict(spec["supplier"]),
        terms=dict(type=t["type"], start=t["start"], end=t["end"],
                   extensions=list(t["extensions"]), notice_months=t["notice_months"],
                   call_off_method=t["call_off_method"], index_clause=t["index_clause"],
                   estimated_value_ore=t["estimated_value_ore"]),
        extensions_used=[u["date"] for u in spec["extensions_used"]],
        entitled=list(MEMBERS),
        joined=joined,
        owner=spec["owner"],
        follow_up_routine=dict(spec["follow_up_routine"]),
        follow_ups=sorted((dict(date=x["date"], result=x["result"],
                                deviations=list(x["deviations"]))
                           for x in spec["follow_ups"]), key=lambda x: x["date"]),
        special_reason=spec.get("special_reason", ""),
        procurement=spec.get("procurement", ""),
    )


def procurement_fields():
    """What the demo sends for the procurement: id, name, title,
    case_number, description, initiative, since_date, steps [{state, date}]
    (transitions after the registration), award {decision_date,
    notice_date, notice_means}, and the derived state on the demo's today
    and standstill_end (what the service must answer)."""
    protocol, invented = PROCUREMENT["protocol"], PROCUREMENT["invented"]
    return dict(
        id=PROCUREMENT["id"],
        name="procurements/" + PROCUREMENT["id"],
        title=protocol["title"],
        initiative=protocol["initiative"],
        case_number=invented["case_number"],
        description=invented["description"],
        since_date=invented["since_date"],
        steps=[dict(s) for s in invented["steps"]],
        award=dict(invented["award"]),
        state_on_demo_day=PROCUREMENT["derived"]["state_on_demo_day"],
        standstill_end=PROCUREMENT["derived"]["standstill_end"],
    )


# ------------------------------------------------------------------ messages

def _agreement_proto(f):
    C = contracts_pb2
    t = f["terms"]
    # Registered after the fact: the options used so far (the current end
    # includes them) and the follow-ups so far come with the agreement, so
    # that the deadline job never sees it without its history.
    used = f["extensions_used"]
    end = _date(t["end"])
    for months in t["extensions"][:len(used)]:
        end = _date(add_months(_day(end), months))
    terms = C.Terms(
        type=C.AgreementType.Value(t["type"]), start=_date(t["start"]), end=end,
        extensions=[C.ExtensionOption(months=m, used=i < len(used),
                                      used_date=_date(used[i]) if i < len(used) else None)
                    for i, m in enumerate(t["extensions"])],
        notice_months=t["notice_months"],
        call_off_method=C.CallOffMethod.Value(t["call_off_method"]),
        index_clause=t["index_clause"],
        estimated_value=common_pb2.Money(ore=t["estimated_value_ore"]))
    return C.Agreement(
        title=f["title"], case_number=f["case_number"], supplier=C.Supplier(**f["supplier"]),
        terms=terms, entitled=f["entitled"], owner=f["owner"],
        follow_up_routine=C.FollowUpRoutine(**f["follow_up_routine"]),
        follow_ups=[C.FollowUp(date=_date(x["date"]), result=x["result"],
                               deviations=x["deviations"]) for x in f["follow_ups"]],
        special_reason=f["special_reason"], procurement=f["procurement"])


def _procurement_proto(f):
    return contracts_pb2.Procurement(title=f["title"], case_number=f["case_number"],
                                     description=f["description"], initiative=f["initiative"])


# ------------------------------------------------------------------ loading

def _load_procurement(stub, f, created, notes):
    """The procurement, then its steps while its state comes before them,
    then its award (from evaluation, or the notice after an award without
    one)."""
    C = contracts_pb2
    name = f["name"]
    procurement, new = _create(
        name,
        lambda: stub.CreateProcurement(C.CreateProcurementRequest(
            procurement_id=f["id"], procurement=_procurement_proto(f),
            since_date=_date(f["since_date"]), request_id="demo-procurement-" + f["id"]),
            timeout=RPC_TIMEOUT),
        lambda: stub.GetProcurement(C.GetProcurementRequest(name=name), timeout=RPC_TIMEOUT))
    created["procurements"] += new
    if procurement.title != f["title"]:
        notes.append(f"{name} is titled {procurement.title!r}, not {f['title']!r} as in § 14 "
                     "(created by an earlier demo?)")
    state = C.Procurement.State.Name(procurement.state)
    if state not in PROCUREMENT_ORDER:
        notes.append(f"{name} is {state}, off the demo's way (planned, advertised, evaluation, "
                     "standstill): left as it is")
        return
    for step in f["steps"]:
        if PROCUREMENT_ORDER.index(state) >= PROCUREMENT_ORDER.index(step["state"]):
            continue
        moved = demo_common.record_dated(
            f"{name} becoming {step['state']}",
            lambda: stub.TransitionProcurement(C.TransitionProcurementRequest(
                name=name, state=C.Procurement.State.Value(step["state"]),
                date=_date(step["date"]), etag=procurement.etag), timeout=RPC_TIMEOUT),
            step["date"], notes)
        if moved is None:
            return  # after the service's today: the later steps are too
        procurement, state = moved, C.Procurement.State.Name(moved.state)
        created["procurement_steps"] += 1
    if state not in ("STATE_EVALUATION", "STATE_AWARD_DECIDED"):
        return
    award = f["award"]
    if demo_common.record_dated(
            f"the award of {name}",
            lambda: stub.RecordAward(C.RecordAwardRequest(
                name=name, decision_date=_date(award["decision_date"]),
                notice_date=_date(award["notice_date"]),
                notice_means=C.NoticeMeans.Value(award["notice_means"])), timeout=RPC_TIMEOUT),
            award["notice_date"], notes) is not None:
        created["procurement_steps"] += 1


def _create_agreement(stub, f, deadline):
    """CreateAgreement, retried while the service does not know every member
    yet (it learns them from the meetings stream) until `deadline`."""
    C = contracts_pb2
    request = C.CreateAgreementRequest(agreement_id=f["id"], agreement=_agreement_proto(f),
                                       request_id="demo-agreement-" + f["id"])
    return demo_common.create_once_members_known(
        f["name"], lambda: stub.CreateAgreement(request, timeout=RPC_TIMEOUT), deadline,
        "the contracts service")


def _load_agreement(stub, f, created, notes, members_deadline):
    C = contracts_pb2
    name = f["name"]
    agreement, new = _create(
        name, lambda: _create_agreement(stub, f, members_deadline),
        lambda: stub.GetAgreement(C.GetAgreementRequest(name=name), timeout=RPC_TIMEOUT))
    created["agreements"] += new
    if (agreement.title, agreement.supplier.organisation_number) != (
            f["title"], f["supplier"]["organisation_number"]):
        notes.append(f"{name} is {agreement.title!r} of {agreement.supplier.organisation_number}, "
                     f"not the demo's {f['title']!r} (created by an earlier demo?)")
    return agreement


def _load_extensions(stub, f, agreement, created, notes):
    """Uses the options the data says were used and the agreement has not."""
    C = contracts_pb2
    options = list(agreement.terms.extensions)
    if [o.months for o in options] != f["terms"]["extensions"]:
        notes.append(f"{f['name']} has options of {[o.months for o in options]} months, the "
                     f"demo's are {f['terms']['extensions']}: left as they are")
        return agreement
    used = sum(1 for o in options if o.used)
    if used > len(f["extensions_used"]):
        notes.append(f"{f['name']} has used {used} options, the demo {len(f['extensions_used'])}")
    for day in f["extensions_used"][used:]:
        extended = demo_common.record_dated(
            f"extending {f['name']} on {day}",
            lambda: stub.ExtendAgreement(C.ExtendAgreementRequest(
                name=f["name"], date=_date(day), etag=agreement.etag), timeout=RPC_TIMEOUT),
            day, notes)
        if extended is None:
            break  # the next option cannot be used before this one
        agreement = extended
        created["extensions"] += 1
    return agreement


def _load_joinings(stub, f, agreement, created, notes):
    C = contracts_pb2
    have = {j.municipality for j in agreement.joined}
    for municipality, day in f["joined"]:
        if municipality in have:
            continue
        joined = demo_common.record_dated(
            f"{_display(municipality)} joining {f['name']}",
            lambda: stub.JoinAgreement(C.JoinAgreementRequest(
                name=f["name"], municipality=municipality, joined_date=_date(day)),
                timeout=RPC_TIMEOUT),
            day, notes)
        if joined is not None:
            agreement = joined
            created["joinings"] += 1
    return agreement


def _load_follow_ups(stub, f, agreement, created, notes):
    C = contracts_pb2
    have = {(_day(x.date), x.result) for x in agreement.follow_ups}
    for x in f["follow_ups"]:
        if (x["date"], x["result"]) in have:
            continue
        if demo_common.record_dated(
                f"the follow-up of {x['date']} of {f['name']}",
                lambda: stub.RecordFollowUp(C.RecordFollowUpRequest(
                    name=f["name"], follow_up=C.FollowUp(
                        date=_date(x["date"]), result=x["result"],
                        deviations=x["deviations"])), timeout=RPC_TIMEOUT),
                x["date"], notes) is not None:
            created["follow_ups"] += 1


def list_agreements(stub, filter_=""):
    """(every agreement matching `filter_`, the service's total_size)."""
    C = contracts_pb2
    request = C.ListAgreementsRequest(page_size=100, filter=filter_)
    agreements, total = [], None
    while True:
        response = stub.ListAgreements(request, timeout=RPC_TIMEOUT)
        agreements.extend(response.agreements)
        total = response.total_size if total is None else total
        if not response.next_page_token:
            return agreements, total
        request.page_token = response.next_page_token


def count_resources(stub):
    """Totals as the service lists them."""
    C = contracts_pb2
    agreements, _ = list_agreements(stub)
    procurements = _list_all(stub.ListProcurements, C.ListProcurementsRequest(page_size=100),
                             "procurements")
    return dict(
        procurements=len(procurements),
        agreements=len(agreements),
        extensions=sum(1 for a in agreements for o in a.terms.extensions if o.used),
        joinings=sum(len(a.joined) for a in agreements),
        follow_ups=sum(len(a.follow_ups) for a in agreements),
    )


def _agreement_summary(a):
    C = contracts_pb2
    return dict(
        name=a.name, title=a.title, supplier=a.supplier.display_name,
        organisation_number=a.supplier.organisation_number,
        type=C.AgreementType.Name(a.terms.type), start=_day(a.terms.start),
        end=_day(a.terms.end), final_end=_day(a.final_end),
        last_notice_day=_day(a.last_notice_day),
        extensions=[(o.months, o.used) for o in a.terms.extensions],
        notice_months=a.terms.notice_months,
        call_off_method=C.CallOffMethod.Name(a.terms.call_off_method),
        estimated_value_ore=a.terms.estimated_value.ore,
        entitled=len(a.entitled), joined=len(a.joined), owner=a.owner,
        follow_ups=len(a.follow_ups), next_follow_up=_day(a.next_follow_up),
        special_reason=a.special_reason)


def _procurement_summary(p):
    C = contracts_pb2
    return dict(
        name=p.name, title=p.title, state=C.Procurement.State.Name(p.state),
        state_date=_day(p.state_date), award_decision_date=_day(p.award_decision_date),
        award_notice_date=_day(p.award_notice_date),
        notice_means=C.NoticeMeans.Name(p.notice_means), standstill_end=_day(p.standstill_end),
        initiative=p.initiative)


def load(channel, wait_timeout=30.0, members_timeout=60.0, callers=None):
    """Loads the contracts demo data; returns what it found and did.

    callers (demo_common.Callers, or a dict of principal name -> channel):
    "coordinator" makes every call (writes need role coordinator); without
    it every call goes through `channel`.

    Returns a dict with
      created:     how many resources this run created (or recorded), per kind;
      counts:      totals the service lists afterwards, per kind;
      agreements:  per agreement (in data order) its terms, derived days,
                   joinings and follow-ups (_agreement_summary);
      in_force:    {day, total_size, names} of ListAgreements
                   `in_force = 2022-06-22`;
      kiruna:      {municipality, day, total_size, names}: the agreements
                   Kiruna may use on that day;
      expiring:    {months, total_size, agreements [{name, title,
                   last_notice_day, final_end}]}: `expiring_within_months = 6`
                   from the service's today;
      procurement: the procurement's state, award and standstill end;
      overdue:     [{name, title, next_follow_up}] of ListOverdueFollowUps;
      notes:       what could not be loaded or seen, and why.
    Raises LoadError with a readable message on failure.
    """
    import_stubs()
    C = contracts_pb2
    coordinator = demo_common.channel_as(callers, COORDINATOR, channel)
    wait_until_serving(coordinator, wait_timeout)
    stub = contracts_pb2_grpc.ContractsServiceStub(coordinator)
    created = dict(procurements=0, procurement_steps=0, agreements=0, extensions=0, joinings=0,
                   follow_ups=0)
    notes = []
    with demo_common.failures_of("the contracts service", demo_common.COORDINATOR_HINT):
        p = procurement_fields()
        _load_procurement(stub, p, created, notes)
        members_deadline = time.monotonic() + members_timeout
        for spec in AGREEMENTS:
            f = agreement_fields(spec)
            agreement = _load_agreement(stub, f, created, notes, members_deadline)
            agreement = _load_extensions(stub, f, agreement, created, notes)
            _load_joinings(stub, f, agreement, created, notes)
            _load_follow_ups(stub, f, agreement, created, notes)

        summaries = [_agreement_summary(stub.GetAgreement(
            C.GetAgreementRequest(name="agreements/" + spec["id"]), timeout=RPC_TIMEOUT))
            for spec in AGREEMENTS]
        in_force_list, in_force_total = list_agreements(stub, f"in_force = {IN_FORCE_DAY}")
        kiruna_list, kiruna_total = list_agreements(
            stub, f'municipality = "{KIRUNA}" AND date = {IN_FORCE_DAY}')
        expiring_list, expiring_total = list_agreements(
            stub, f"expiring_within_months = {EXPIRING_MONTHS}")
        procurement = stub.GetProcurement(C.GetProcurementRequest(name=p["name"]),
                                          timeout=RPC_TIMEOUT)
        overdue = stub.ListOverdueFollowUps(C.ListOverdueFollowUpsRequest(),
                                            timeout=RPC_TIMEOUT).agreements
        counts = count_resources(stub)

    return dict(
        created=created,
        counts=counts,
        agreements=summaries,
        in_force=dict(day=IN_FORCE_DAY, total_size=in_force_total,
                      names=[a.name for a in in_force_list]),
        kiruna=dict(municipality=KIRUNA, day=IN_FORCE_DAY, total_size=kiruna_total,
                    names=[a.name for a in kiruna_list]),
        expiring=dict(months=EXPIRING_MONTHS, total_size=expiring_total,
                      agreements=[dict(name=a.name, title=a.title,
                                       last_notice_day=_day(a.last_notice_day),
                                       final_end=_day(a.final_end))
                                  for a in expiring_list]),
        procurement=_procurement_summary(procurement),
        overdue=[dict(name=a.name, title=a.title, next_follow_up=_day(a.next_follow_up))
                 for a in overdue],
        notes=notes,
    )


# ------------------------------------------------------------------ output

INVENTED_LINE = ("the agreements' titles, suppliers (invented companies; valid organisation "
                 "numbers), terms, owners, joinings and follow-ups, the data centre agreement's "
                 "special reason, and the procurement's dates and case number "
                 "(tools/demo/data/contracts.json, \"invented\"); the count of eleven agreements "
                 "for all members, the follow-up routine and the procurement's title are the "
                 "protocol's (§ 16, § 14)")


def _kronor(ore):
    return f"{ore // 100:,}".replace(",", " ") + " kr"


def print_summary(result, out=sys.stdout):
    demo_common.print_counts("Contracts demo data of Norrbottens e-nämnd loaded.", result, out)
    f = result["in_force"]
    print(f"  in force on {f['day']}: {f['total_size']} agreement(s) (total_size)", file=out)
    for a in result["agreements"]:
        used = sum(1 for _, u in a["extensions"] if u)
        months = [m for m, _ in a["extensions"]]
        options = ("+".join(str(m // 12) for m in months) + " years"
                   if all(m % 12 == 0 for m in months)
                   else "+".join(str(m) for m in months) + " months")
        print(f"  {a['name']}  {a['title']}", file=out)
        print(f"    {a['type'].replace('AGREEMENT_TYPE_', '').lower()}, {a['supplier']} "
              f"({a['organisation_number']}); {a['start']} to {a['end']}"
              + (f", options {options} ({used} used)" if months else "")
              + f"; final end {a['final_end']}, notice {a['notice_months']} months, last day to "
              f"give notice {a['last_notice_day']}", file=out)
        call_off = a["call_off_method"].replace("CALL_OFF_METHOD_", "").lower()
        print(f"    call-off {'-' if call_off == 'unspecified' else call_off}, about "
              f"{_kronor(a['estimated_value_ore'])}; {a['joined']} of {a['entitled']} entitled "
              f"members joined; owner {a['owner']}; next follow-up {a['next_follow_up'] or '-'}",
              file=out)
        if a["special_reason"]:
            print(f"    special reason (four-year rule): {a['special_reason']}", file=out)
    k = result["kiruna"]
    print(f"  {_display(k['municipality'])} ({k['municipality']}) may use {k['total_size']} "
          f"agreement(s) on {k['day']}: " + ", ".join(k["names"]), file=out)
    e = result["expiring"]
    print(f"  to give notice within {e['months']} months of the service's today: "
          f"{e['total_size']}", file=out)
    for a in e["agreements"]:
        print(f"    {a['name']}  {a['title']}: last day to give notice {a['last_notice_day']}, "
              f"ends {a['final_end']}", file=out)
    p = result["procurement"]
    print(f"  {p['name']}  {p['title']} ({p['initiative']})", file=out)
    print(f"    {p['state'].replace('STATE_', '').lower()} since {p['state_date']}; award decided "
          f"{p['award_decision_date'] or '-'}, notice {p['award_notice_date'] or '-'} "
          f"({p['notice_means'].replace('NOTICE_MEANS_', '').lower()})"
          + (f"; standstill until {p['standstill_end']} inclusive" if p["standstill_end"]
             else ""), file=out)
    print(f"  overdue follow-ups: {len(result['overdue'])}", file=out)
    for a in result["overdue"]:
        print(f"    {a['name']}  {a['title']}: due {a['next_follow_up']}", file=out)
    print(f"  invented: {INVENTED_LINE}", file=out)
    demo_common.print_notes(result, out)


def facts(result, address, stubs_dir, tls_dir):
    """What tools/up prints about this demo: (label, text) rows."""
    p = result["procurement"]
    expiring = ", ".join(f"{a['name']} (last day to give notice {a['last_notice_day']})"
                         for a in result["expiring"]["agreements"]) or "none"
    overdue = ", ".join(f"{a['name']} (due {a['next_follow_up']})"
                        for a in result["overdue"]) or "none"
    kiruna = (demo_common.try_channel(address, tls_dir, "kiruna-system")
              + 'from enamnd.contracts.v1 import contracts_pb2 as ct, contracts_pb2_grpc as g; '
              's = g.ContractsServiceStub(channel); ')
    coordinator = (demo_common.try_channel(address, tls_dir, "coordinator")
                   + 'import itertools; from enamnd.common.v1 import watch_pb2 as w; '
                   'from enamnd.contracts.v1 import contracts_pb2_grpc as g, events_pb2 as e; '
                   's = g.ContractsServiceStub(channel); x = e.AgreementExpiring(); ')
    return [
        ("agreements", f"{result['in_force']['total_size']} in force on {IN_FORCE_DAY} (§ 16: "
                       f"11 available to all members); Kiruna may use "
                       f"{result['kiruna']['total_size']}"),
        ("expiring", f"within {EXPIRING_MONTHS} months: {expiring}"),
        ("procurement", f"{p['name']} {p['state']}"
                        + (f", standstill until {p['standstill_end']}" if p["standstill_end"]
                           else "")),
        ("follow-ups", f"overdue: {overdue}"),
        ("invented", INVENTED_LINE),
        ("try", demo_common.try_line(stubs_dir, kiruna + (
            '[print(a.name, a.title) for a in s.ListAgreements(ct.ListAgreementsRequest('
            f'filter="municipality = \\"{KIRUNA}\\" AND date = {IN_FORCE_DAY}")).agreements]'))),
        ("try", demo_common.try_line(stubs_dir, coordinator + (
            '[print(x) for r in itertools.islice(s.WatchEvents(w.WatchEventsRequest(types=['
            '"enamnd.contracts.v1.AgreementExpiring"]), timeout=5), 1) '
            'if r.event.proto_data.Unpack(x)]'))),
    ]


def main(argv=None):
    return demo_common.run_main(
        argv, doc=__doc__, prog="load_contracts_demo", service="enamnd-contracts",
        address_flag="--contracts", address_env="ENAMND_CONTRACTS_ADDR",
        default_address="127.0.0.1:50054", import_stubs_fn=import_stubs, load_fn=load,
        print_fn=print_summary, facts_fn=facts,
        extra_args=[("--members-wait",
                     dict(type=float, default=60.0,
                          help="seconds to wait for the contracts service to know the members "
                               "from the meetings service's events (default 60)"),
                     "members_timeout")])


if __name__ == "__main__":
    sys.exit(main())
