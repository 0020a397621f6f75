#!/usr/bin/python3
"""Loads the projects demo data of Norrbottens e-nämnd into the projects service.

Usage:
    /usr/bin/python3 tools/demo/load_projects_demo.py --address 127.0.0.1:50053
        [--stubs build/python] [--tls var/tls]

(--projects is the same as --address.) It connects with mTLS, with the demo
certificates of --tls (default var/tls, made by ./tools/up), as the
committee's coordinator (role coordinator: every write of the projects
service needs it). It talks to enamnd-projects only through its public gRPC
API (no SQL). The records are tools/demo/data/projects.json:

  * every initiative of the status list the committee noted on 22 June 2022
    (§ 14), in its order: the shared data centre DCBD (in operation since
    2021; Älvsbyn, Boden and Gällivare migrated), the social services system
    procurement, the student health development project, the e-learning
    pre-study (six members; its final report, § 13), the HR/payroll
    pre-study (directive Rev A of 2022-03-16 § 2 and Rev B of the steering
    group's 2022-05-04, § 11), digital signatures, the e-service platform
    (since 2017), the rescue services system (since 2017), the e-archive
    (since 2019) and the internal structure work. Each gets the status
    report of 2022-06-22 with its status lines of § 14, verbatim from the
    sample's structured.activity_status records copied into the data file
    (initiative_fields says how; tests/demo checks them against the sample);
  * marked "invented" in the data file: the dates the protocol does not
    give, which members take part (except DCBD's three) and since when, the
    steering groups, the project leaders other than the external ones, the
    budget lines and the milestones.

The members must be known to the projects service before an initiative can
name them: it learns them from the meetings service's MunicipalityRegistered
events (stream enamnd:events:meetings), asynchronously. The loader polls
until every municipality of the data is known, up to --members-wait seconds.
Likewise the committee's decisions about the HR pre-study (§ 11) and the
e-learning pre-study (§ 13) reach their initiatives from the meetings
service's DecisionRecorded events; the loader waits up to --decisions-wait
seconds for them and says so in its notes if they have not arrived.

Running it again changes nothing: an initiative is looked up before it is
created (with a deterministic request_id), a member joins only when it has
no participation yet, a transition is made only while the initiative's state
comes before the step in its lifecycle, only the missing directive
revisions are added (the next letters), a status report only when the
initiative has none of that day and place, and a final report only when the
initiative has none or another one. The dates are on or before 2022-07-08,
the legal calendar's today that tools/up pins; a day after the service's
today is left out and reported (a note), not an error.

Tests import this module and call load(channel) -> dict; main() is the
command line, the same as load_demo.py's (demo_common.run_main) plus
--members-wait and --decisions-wait.
"""

import sys
import time
from pathlib import Path

# demo_common lives next to this file: importable whether this runs as a
# script or is imported as a module (tests put tools/demo on sys.path).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import (  # noqa: E402,F401 (re-exported: tests use load_projects_demo.*)
    CHANNEL_OPTIONS, REPO_ROOT, RPC_TIMEOUT, LoadError, _create, _date, _day, _describe,
    _in_future, _list_all, _ymd, default_stubs_dir, read_data)

DATA = read_data("projects.json")
INITIATIVES = DATA["initiatives"]
STATUS_REPORT = DATA["status_report"]
PORTFOLIO_DAY = STATUS_REPORT["report_date"]

MEETING_0622 = "bodies/e-namnden/meetings/2022-06-22"
INITIATIVE_SUBJECT = "//projects/initiatives/"

# SCB code -> official name.
NAMES = demo_common.municipality_names()

# The states in the order a lifecycle passes them (docs/projects.md): a step
# is "after" the current state when it comes later here. Stopped ends any.
STATE_ORDER = ("STATE_PROPOSED", "STATE_DECIDED", "STATE_RUNNING", "STATE_FINAL_REPORT",
               "STATE_IN_OPERATION", "STATE_CLOSED", "STATE_STOPPED")
# The first state of a new initiative: proposed, but a system in operation
# is registered in operation.
INITIAL_STATE = {"KIND_SYSTEM_IN_OPERATION": "STATE_IN_OPERATION"}

# The demo principal that makes every call (its role is what the writes need).
COORDINATOR = demo_common.COORDINATOR


def _linked_paragraphs():
    """{initiative id: [§ number]}: the paragraphs of 22 June 2022 whose case
    names an initiative (meeting-2022-06-22.json, derived.case_subjects)."""
    meeting = read_data("meeting-2022-06-22.json")
    numbers = {p["case_number"]: p["number"] for p in meeting["paragraphs"]}
    linked = {}
    for case_number, subject in meeting["derived"]["case_subjects"].items():
        if subject.startswith(INITIATIVE_SUBJECT):
            linked.setdefault(subject[len(INITIATIVE_SUBJECT):], []).append(numbers[case_number])
    return {k: sorted(v) for k, v in linked.items()}


LINKED_PARAGRAPHS = _linked_paragraphs()


# ------------------------------------------------------------------ stubs

grpc = None
projects_pb2 = None
projects_pb2_grpc = None
common_pb2 = None


def import_stubs(stubs_dir=None):
    """Imports grpc and the generated modules; stubs_dir goes first on sys.path."""
    global grpc, projects_pb2, projects_pb2_grpc, common_pb2
    if projects_pb2 is not None and stubs_dir is None:
        return
    grpc, (projects_pb2, projects_pb2_grpc, common_pb2) = demo_common.import_stubs(
        stubs_dir, ["enamnd.projects.v1.projects_pb2", "enamnd.projects.v1.projects_pb2_grpc",
                    "enamnd.common.v1.common_pb2"])


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    projects_stub = projects_pb2_grpc.ProjectsServiceStub(channel)

    def list_initiatives(t):
        projects_stub.ListInitiatives(projects_pb2.ListInitiativesRequest(page_size=1), timeout=t)

    demo_common.wait_until_serving(channel, list_initiatives, timeout,
                                   service="the projects service")


# ------------------------------------------------------------------ texts (no gRPC)

def _municipality(code):
    return "municipalities/" + code


def _display(municipality):
    code = municipality.rpartition("/")[2]
    return NAMES.get(code, municipality)


def _merged(spec):
    """The initiative's 'protocol' and 'invented' parts as one dict (without
    the notes); 'steps' from both, every other key from one of them only."""
    protocol, invented = spec["protocol"], spec["invented"]
    both = (set(protocol) & set(invented)) - {"_note", "steps"}
    if both:
        raise LoadError(f"projects.json, {spec['id']}: {sorted(both)} both in 'protocol' and "
                        "'invented'")
    merged = {k: v for part in (protocol, invented) for k, v in part.items() if k != "_note"}
    merged["steps"] = protocol.get("steps", []) + invented.get("steps", [])
    return merged


def _decided_by(d):
    return dict(paragraph=d.get("paragraph", "") if d else "",
                steering_group_protocol=d.get("steering_group_protocol", "") if d else "")


def _document(d):
    return dict(title=d["title"], sha256=d.get("sha256", ""), uri=d.get("uri", ""))


def initiative_fields(spec):
    """What the demo sends for initiative `spec` of the data file, as plain
    values (projects.json, _about, says where each comes from):

      id, name, title, kind, state (on the status list's day), since_date
      and initial_state (the registration), steps [{state, date, decided_by
      {paragraph, steering_group_protocol}, note}] after it in date order,
      participations [(municipalities/{code}, joined_date)], steering_group
      [{display_name, municipality, role}], project_leader ({display_name,
      external, organisation} or None), effect_goals, budget_line,
      description, revisions [{letter, text, document, change_summary,
      decided_by, decided_date}], status_report {report_date, status_lines,
      traffic_light, milestones [{title, planned_date, actual_date}],
      reported_at}, final_report ({document, conclusions, continuation,
      continuation_text, continuation_decided_by, report_date} or None).
    """
    f = _merged(spec)
    steps = sorted(f["steps"], key=lambda s: (s["date"], STATE_ORDER.index(s["state"])))
    initial = INITIAL_STATE.get(spec["kind"], "STATE_PROPOSED")
    if not steps or steps[0]["state"] != initial:
        raise LoadError(f"projects.json, {spec['id']}: the first step must be {initial} (its "
                        "registration)")
    if "participations" in f:
        participations = [(_municipality(p["municipality"]), p["joined_date"])
                          for p in f["participations"]]
    else:
        participations = [(_municipality(c), f["joined_dates"][c]) for c in f["participants"]]
    leader = f.get("project_leader")
    final = f.get("final_report")
    sample = spec["sample"]
    return dict(
        id=spec["id"],
        name="initiatives/" + spec["id"],
        title=sample["initiative"],
        kind=spec["kind"],
        state=spec["state"],
        initial_state=initial,
        since_date=steps[0]["date"],
        steps=[dict(state=s["state"], date=s["date"], decided_by=_decided_by(s.get("decided_by")),
                    note=s.get("note", ""))
               for s in steps[1:]],
        participations=participations,
        steering_group=[dict(display_name=m["display_name"],
                             municipality=_municipality(m["municipality"])
                             if m.get("municipality") else "",
                             role=m.get("role", ""))
                        for m in f.get("steering_group", [])],
        project_leader=None if leader is None else dict(
            display_name=leader["display_name"], external=leader.get("external", False),
            organisation=leader.get("organisation", "")),
        effect_goals=list(f.get("effect_goals", [])),
        budget_line=f.get("budget_line", ""),
        description=f.get("description", ""),
        revisions=[dict(letter=r["letter"], text=r.get("text", ""),
                        document=_document(r["document"]) if "document" in r else None,
                        change_summary=r.get("change_summary", ""),
                        decided_by=_decided_by(r["decided_by"]), decided_date=r["decided_date"])
                   for r in f.get("revisions", [])],
        status_report=dict(
            report_date=STATUS_REPORT["report_date"],
            status_lines=list(sample["status"]),
            traffic_light=f.get("traffic_light", "TRAFFIC_LIGHT_UNSPECIFIED"),
            milestones=[dict(title=m["title"], planned_date=m["planned_date"],
                             actual_date=m.get("actual_date", ""))
                        for m in f.get("milestones", [])],
            reported_at=STATUS_REPORT["reported_at"]),
        final_report=None if final is None else dict(
            document=_document(final["document"]),
            conclusions=list(final.get("conclusions", [])),
            continuation=final["continuation"],
            continuation_text=final.get("continuation_text", ""),
            continuation_decided_by=_decided_by(final.get("continuation_decided_by")),
            report_date=final["report_date"]),
    )


def member_codes():
    """The SCB codes the data names (participants and steering groups), in
    data order, each once."""
    codes = []
    for spec in INITIATIVES:
        f = initiative_fields(spec)
        codes += [m for m, _ in f["participations"]]
        codes += [m["municipality"] for m in f["steering_group"] if m["municipality"]]
    return list(dict.fromkeys(codes))


# ------------------------------------------------------------------ messages

def _optional_date(day):
    return _date(day) if day else None


def _decided_by_proto(d):
    """A DecisionReference, or None (unset) when d names nothing."""
    return projects_pb2.DecisionReference(**d) if any(d.values()) else None


def _initiative_proto(f):
    P = projects_pb2
    initiative = P.Initiative(
        title=f["title"],
        kind=P.Kind.Value(f["kind"]),
        description=f["description"],
        participations=[P.Participation(municipality=m, joined_date=_date(day))
                        for m, day in f["participations"]],
        steering_group=[P.SteeringGroupMember(**m) for m in f["steering_group"]],
        effect_goals=f["effect_goals"],
        budget_line=f["budget_line"])
    if f["project_leader"] is not None:
        initiative.project_leader.CopyFrom(P.ProjectLeader(**f["project_leader"]))
    return initiative


def _revision_proto(r):
    P = projects_pb2
    revision = P.Revision(text=r["text"], change_summary=r["change_summary"],
                          decided_by=_decided_by_proto(r["decided_by"]),
                          decided_date=_date(r["decided_date"]))
    if r["document"] is not None:
        revision.document.CopyFrom(P.DocumentReference(**r["document"]))
    return revision


def _status_report_proto(s):
    P = projects_pb2
    return P.StatusReport(
        report_date=_date(s["report_date"]),
        status_lines=s["status_lines"],
        traffic_light=P.TrafficLight.Value(s["traffic_light"]),
        milestones=[P.Milestone(title=m["title"], planned_date=_date(m["planned_date"]),
                                actual_date=_optional_date(m["actual_date"]))
                    for m in s["milestones"]],
        reported_at=s["reported_at"])


def _final_report_proto(r):
    P = projects_pb2
    return P.FinalReport(
        document=P.DocumentReference(**r["document"]),
        conclusions=r["conclusions"],
        continuation=P.Continuation.Value(r["continuation"]),
        continuation_text=r["continuation_text"],
        continuation_decided_by=_decided_by_proto(r["continuation_decided_by"]),
        report_date=_date(r["report_date"]))


def _final_report_key(r):
    """What makes two final reports the same (an unset and an empty
    DecisionReference are)."""
    P = projects_pb2
    return (r.document.title, r.document.sha256, r.document.uri, list(r.conclusions),
            P.Continuation.Name(r.continuation), r.continuation_text,
            r.continuation_decided_by.paragraph, r.continuation_decided_by.steering_group_protocol,
            _day(r.report_date))


# ------------------------------------------------------------------ loading

def _wait_for_members(stub, timeout):
    """Polls until the service knows every member the data names (it learns
    them from the meetings service's MunicipalityRegistered events): until
    GetPortfolio for each stops failing with INVALID_ARGUMENT."""
    P = projects_pb2
    pending = member_codes()
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        while pending:
            try:
                stub.GetPortfolio(P.GetPortfolioRequest(municipality=pending[0]),
                                  timeout=RPC_TIMEOUT)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
                    raise
                last = e.details() or ""
                break
            pending.pop(0)
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise LoadError(
                f"the projects service does not know {_display(pending[0])} ({pending[0]}) "
                f"after {timeout:.0f} s ({last}): it learns the members from the meetings "
                "service's MunicipalityRegistered events on enamnd:events:meetings (is the "
                "meetings demo loaded, on the same Redis?)")
        time.sleep(0.2)


def _load_initiative(stub, f, created, notes):
    P = projects_pb2
    name = f["name"]
    initiative, new = _create(
        name,
        lambda: stub.CreateInitiative(P.CreateInitiativeRequest(
            initiative_id=f["id"], initiative=_initiative_proto(f),
            since_date=_date(f["since_date"]), request_id="demo-initiative-" + f["id"]),
            timeout=RPC_TIMEOUT),
        lambda: stub.GetInitiative(P.GetInitiativeRequest(name=name), timeout=RPC_TIMEOUT))
    if initiative.name != name:
        raise LoadError(f"{f['title']!r} was created as {initiative.name}, expected {name}")
    if P.Kind.Name(initiative.kind) != f["kind"]:
        raise LoadError(f"{name} is a {P.Kind.Name(initiative.kind)}, expected {f['kind']}")
    if initiative.title != f["title"]:
        notes.append(f"{name} is titled {initiative.title!r}, not {f['title']!r} as in § 14 "
                     "(created by an earlier demo?)")
    created["initiatives"] += new
    return initiative


def _load_participations(stub, f, initiative, created, notes):
    """A member of the data without any participation joins (an initiative
    registered by an earlier demo may lack it)."""
    P = projects_pb2
    for municipality, day in f["participations"]:
        if any(p.municipality == municipality for p in initiative.participations):
            continue
        joined = demo_common.record_dated(
            f"{_display(municipality)} joining {f['name']}",
            lambda: stub.JoinInitiative(P.JoinInitiativeRequest(
                initiative=f["name"], municipality=municipality, joined_date=_date(day)),
                timeout=RPC_TIMEOUT),
            day, notes)
        if joined is not None:
            initiative = joined
            created["participations"] += 1
    return initiative


def _load_final_report(stub, f, initiative, created, notes, last_chance):
    """Records the data's final report while the initiative is in
    STATE_FINAL_REPORT and lacks it (or has another); `last_chance` says a
    note is due when it cannot be recorded any more."""
    P = projects_pb2
    if f["final_report"] is None:
        return initiative
    wanted = _final_report_proto(f["final_report"])
    if (initiative.HasField("final_report")
            and _final_report_key(initiative.final_report) == _final_report_key(wanted)):
        return initiative
    if initiative.state != P.STATE_FINAL_REPORT:
        if last_chance:
            notes.append(f"{f['name']} is {P.State.Name(initiative.state)}: its final report "
                         f"{wanted.document.title!r} is recorded only in STATE_FINAL_REPORT")
        return initiative
    recorded = demo_common.record_dated(
        f"the final report of {f['name']}",
        lambda: stub.RecordFinalReport(P.RecordFinalReportRequest(
            initiative=f["name"], final_report=wanted), timeout=RPC_TIMEOUT),
        f["final_report"]["report_date"], notes)
    if recorded is None:
        return initiative
    created["final_reports"] += 1
    return recorded


def _load_lifecycle(stub, f, initiative, created, notes):
    """The steps after the current state, in order (the final report while
    the initiative is at STATE_FINAL_REPORT)."""
    P = projects_pb2
    path = [f["initial_state"]] + [s["state"] for s in f["steps"]]
    current = P.State.Name(initiative.state)
    if current not in path:
        notes.append(f"{f['name']} is {current}, off the demo's lifecycle "
                     f"({' -> '.join(path)}): left as it is")
        return initiative
    for step in f["steps"][path.index(current):]:
        initiative = _load_final_report(stub, f, initiative, created, notes, False)
        moved = demo_common.record_dated(
            f"{f['name']} becoming {step['state']}",
            lambda: stub.TransitionInitiative(P.TransitionInitiativeRequest(
                name=f["name"], state=P.State.Value(step["state"]), date=_date(step["date"]),
                decided_by=_decided_by_proto(step["decided_by"]), note=step["note"]),
                timeout=RPC_TIMEOUT),
            step["date"], notes)
        if moved is None:
            break  # after the service's today: the later steps are too
        initiative = moved
        created["transitions"] += 1
    return _load_final_report(stub, f, initiative, created, notes, True)


def _load_revisions(stub, f, created, notes):
    """The directive's revisions the initiative lacks, the next letter first."""
    P = projects_pb2
    if not f["revisions"]:
        return
    existing = list(stub.ListRevisions(P.ListRevisionsRequest(initiative=f["name"]),
                                       timeout=RPC_TIMEOUT).revisions)
    letters = [r.letter for r in existing]
    wanted = [r["letter"] for r in f["revisions"]]
    if letters != wanted[:len(letters)]:
        notes.append(f"{f['name']} has directive revisions {letters}, the demo's are {wanted}: "
                     "left as they are")
        return
    for have, spec in zip(existing, f["revisions"]):
        if (have.change_summary, have.document.title) != (
                spec["change_summary"], (spec["document"] or {}).get("title", "")):
            notes.append(f"{have.name} differs from the demo's Rev {spec['letter']} (created by "
                         "an earlier demo?); revisions are never changed")
    for spec in f["revisions"][len(letters):]:
        revision = demo_common.record_dated(
            f"Rev {spec['letter']} of {f['name']}",
            lambda: stub.CreateRevision(P.CreateRevisionRequest(
                initiative=f["name"], revision_id=spec["letter"], revision=_revision_proto(spec),
                request_id=f"demo-revision-{f['id']}-{spec['letter']}"), timeout=RPC_TIMEOUT),
            spec["decided_date"], notes)
        if revision is None:
            break  # the next letter cannot come before this one
        created["revisions"] += 1


def _load_status_report(stub, f, created, notes):
    """The status report of the status list's day, unless the initiative has
    one of that day and place."""
    P = projects_pb2
    s = f["status_report"]
    reports = _list_all(stub.ListStatusReports,
                        P.ListStatusReportsRequest(initiative=f["name"], page_size=100),
                        "status_reports")
    same = [r for r in reports
            if _day(r.report_date) == s["report_date"] and r.reported_at == s["reported_at"]]
    if same:
        if list(same[-1].status_lines) != s["status_lines"]:
            notes.append(f"{same[-1].name} holds other status lines than § 14 (created by an "
                         "earlier demo?); status reports are never changed")
        return
    later = [r for r in reports if _day(r.report_date) > s["report_date"]]
    if later:
        notes.append(f"the status report of {s['report_date']} of {f['name']} left out: it has "
                     f"a later one ({later[-1].name})")
        return
    if demo_common.record_dated(
            f"the status report of {s['report_date']} of {f['name']}",
            lambda: stub.CreateStatusReport(P.CreateStatusReportRequest(
                initiative=f["name"], status_report=_status_report_proto(s),
                request_id=f"demo-status-report-{f['id']}-{s['report_date']}"),
                timeout=RPC_TIMEOUT),
            s["report_date"], notes) is not None:
        created["status_reports"] += 1


def _wait_for_decisions(stub, timeout):
    """Polls GetInitiative until each initiative of LINKED_PARAGRAPHS shows
    its § of 22 June 2022 (or the deadline passes); returns the missing
    (initiative name, § number) pairs."""
    P = projects_pb2
    deadline = time.monotonic() + timeout
    while True:
        missing = []
        for initiative_id, numbers in LINKED_PARAGRAPHS.items():
            name = "initiatives/" + initiative_id
            initiative = stub.GetInitiative(P.GetInitiativeRequest(name=name),
                                            timeout=RPC_TIMEOUT)
            have = {d.paragraph_number for d in initiative.decisions if d.meeting == MEETING_0622}
            missing += [(name, n) for n in numbers if n not in have]
        if not missing or time.monotonic() >= deadline:
            return missing
        time.sleep(0.2)


def count_resources(stub):
    """Totals as the service lists them."""
    P = projects_pb2
    initiatives = _list_all(stub.ListInitiatives, P.ListInitiativesRequest(page_size=100),
                            "initiatives")
    revisions = status_reports = 0
    for i in initiatives:
        revisions += len(stub.ListRevisions(P.ListRevisionsRequest(initiative=i.name),
                                            timeout=RPC_TIMEOUT).revisions)
        status_reports += len(_list_all(
            stub.ListStatusReports, P.ListStatusReportsRequest(initiative=i.name, page_size=100),
            "status_reports"))
    return dict(
        initiatives=len(initiatives),
        participations=sum(len(i.participations) for i in initiatives),
        transitions=sum(len(i.transitions) for i in initiatives),
        revisions=revisions,
        status_reports=status_reports,
        final_reports=sum(1 for i in initiatives if i.HasField("final_report")),
    )


def _initiative_summary(initiative, revisions):
    P = projects_pb2
    final = initiative.final_report if initiative.HasField("final_report") else None
    return dict(
        name=initiative.name,
        title=initiative.title,
        kind=P.Kind.Name(initiative.kind),
        state=P.State.Name(initiative.state),
        state_date=_day(initiative.state_date),
        participations=[dict(municipality=p.municipality, joined_date=_day(p.joined_date),
                             left_date=_day(p.left_date))
                        for p in initiative.participations],
        transitions=[dict(to_state=P.State.Name(t.to_state), date=_day(t.date),
                          paragraph=t.decided_by.paragraph,
                          steering_group_protocol=t.decided_by.steering_group_protocol)
                     for t in initiative.transitions],
        current_revision=initiative.current_revision,
        revisions=[dict(letter=r.letter, document=r.document.title,
                        change_summary=r.change_summary, decided_date=_day(r.decided_date),
                        paragraph=r.decided_by.paragraph,
                        steering_group_protocol=r.decided_by.steering_group_protocol)
                   for r in revisions],
        latest_status=list(initiative.latest_status.status_lines),
        final_report=None if final is None else dict(
            document=final.document.title, report_date=_day(final.report_date),
            continuation=P.Continuation.Name(final.continuation),
            continuation_text=final.continuation_text),
        decisions=[dict(number=d.paragraph_number, paragraph=d.paragraph, meeting=d.meeting,
                        meeting_date=_day(d.meeting_date), case_number=d.case_number,
                        decision_kind=d.decision_kind)
                   for d in initiative.decisions],
    )


def _portfolio_entry(e):
    P = projects_pb2
    return dict(initiative=e.initiative, title=e.title, kind=P.Kind.Name(e.kind),
                state=P.State.Name(e.state), state_date=_day(e.state_date),
                participants=list(e.participants),
                status_lines=list(e.latest_status.status_lines),
                current_revision=e.current_revision)


def load(channel, wait_timeout=30.0, members_timeout=60.0, decisions_timeout=20.0,
         callers=None):
    """Loads the projects demo data; returns what it found and did.

    callers (demo_common.Callers, or a dict of principal name -> channel):
    "coordinator" makes every call (writes need role coordinator); without
    it every call goes through `channel`.

    Returns a dict with
      created:     how many resources this run created (or recorded), per kind;
      counts:      totals the service lists afterwards, per kind;
      initiatives: per initiative (in data order) its state, participations,
                   steps, directive revisions, latest status, final report
                   and the committee's decisions linked to it
                   (_initiative_summary);
      portfolio:   the entries of GetPortfolio on 2022-06-22 (initiative,
                   title, kind, state, participants, status_lines, ...);
      portfolio_markdown: RenderPortfolio of that day as Markdown;
      status_list_matches: True when the portfolio's titles and status lines
                   are § 14's, in its order;
      decisions_complete: True when § 11 and § 13 reached their initiatives;
      notes:       what could not be loaded or seen, and why.
    Raises LoadError with a readable message on failure.
    """
    import_stubs()
    P = projects_pb2
    coordinator = demo_common.channel_as(callers, COORDINATOR, channel)
    wait_until_serving(coordinator, wait_timeout)
    stub = projects_pb2_grpc.ProjectsServiceStub(coordinator)
    created = dict(initiatives=0, participations=0, transitions=0, revisions=0,
                   status_reports=0, final_reports=0)
    notes = []
    with demo_common.failures_of("the projects service", demo_common.COORDINATOR_HINT):
        _wait_for_members(stub, members_timeout)
        for spec in INITIATIVES:
            f = initiative_fields(spec)
            initiative = _load_initiative(stub, f, created, notes)
            initiative = _load_participations(stub, f, initiative, created, notes)
            _load_lifecycle(stub, f, initiative, created, notes)
            _load_revisions(stub, f, created, notes)
            _load_status_report(stub, f, created, notes)

        missing = _wait_for_decisions(stub, decisions_timeout)
        for name, number in missing:
            notes.append(f"{name} shows no decision of § {number} of {MEETING_0622} after "
                         f"{decisions_timeout:.0f} s: the projects service links it from the "
                         "meetings service's DecisionRecorded on enamnd:events:meetings (is the "
                         "meetings demo loaded, on the same Redis, with its case subject? A case "
                         "created by an earlier demo has none: remove ./var)")
        summaries = []
        for spec in INITIATIVES:
            name = "initiatives/" + spec["id"]
            initiative = stub.GetInitiative(P.GetInitiativeRequest(name=name),
                                            timeout=RPC_TIMEOUT)
            revisions = stub.ListRevisions(P.ListRevisionsRequest(initiative=name),
                                           timeout=RPC_TIMEOUT).revisions
            summaries.append(_initiative_summary(initiative, revisions))
        day = P.GetPortfolioRequest(date=_date(PORTFOLIO_DAY))
        try:
            portfolio = stub.GetPortfolio(day, timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            if not _in_future(e):
                raise
            notes.append(f"the portfolio of {PORTFOLIO_DAY} is after the service's today: "
                         "showing today's")
            day = P.GetPortfolioRequest()
            portfolio = stub.GetPortfolio(day, timeout=RPC_TIMEOUT)
        rendered = stub.RenderPortfolio(P.RenderPortfolioRequest(
            portfolio=day, format=P.RENDER_FORMAT_MARKDOWN), timeout=RPC_TIMEOUT)
        counts = count_resources(stub)

    entries = [_portfolio_entry(e) for e in portfolio.entries]
    return dict(
        created=created,
        counts=counts,
        initiatives=summaries,
        portfolio=entries,
        portfolio_markdown=rendered.text,
        status_list_matches=[(e["title"], e["status_lines"]) for e in entries] == [
            (s["sample"]["initiative"], s["sample"]["status"]) for s in INITIATIVES],
        decisions_complete=not missing,
        notes=notes,
    )


# ------------------------------------------------------------------ output

INVENTED_LINE = ("the dates the protocol does not give, which members take part (but DCBD's "
                 "three) and since when, steering groups, project leaders (but the external "
                 "ones of § 11 and § 13), budget lines, milestones and the kind of 'Intern "
                 "struktur' (tools/demo/data/projects.json, \"invented\"); titles and status "
                 "lines are § 14's, Rev B and the e-learning final report § 11's and § 13's")


def _by_name(result):
    return {i["name"]: i for i in result["initiatives"]}


def print_summary(result, out=sys.stdout):
    demo_common.print_counts("Projects demo data of Norrbottens e-nämnd loaded.", result, out)
    for i in result["initiatives"]:
        taking_part = [p for p in i["participations"] if not p["left_date"]]
        print(f"  {i['name']}  {i['title']}", file=out)
        print(f"    {i['kind'].replace('KIND_', '').lower()}, "
              f"{i['state'].replace('STATE_', '').lower()} since {i['state_date']}; "
              f"{len(taking_part)} member(s): "
              + ", ".join(_display(p["municipality"]) for p in taking_part), file=out)
        for r in i["revisions"]:
            by = r["paragraph"] or r["steering_group_protocol"]
            print(f"    directive Rev {r['letter']} {r['decided_date']} ({by}): {r['document']}"
                  + (" (current)" if r["letter"] == i["current_revision"] else ""), file=out)
        if i["final_report"]:
            fr = i["final_report"]
            print(f"    final report {fr['report_date']}: {fr['document']}; "
                  f"{fr['continuation']}: {fr['continuation_text']}", file=out)
        for d in i["decisions"]:
            print(f"    nämndens beslut: § {d['number']} {d['meeting_date']} ({d['case_number']}, "
                  f"{d['decision_kind']}) {d['paragraph']}", file=out)
    matches = "reads like § 14" if result["status_list_matches"] else "DIFFERS from § 14"
    print(f"  portfolio of {PORTFOLIO_DAY} ({len(result['portfolio'])} active; {matches}), "
          "RenderPortfolio as Markdown:", file=out)
    for line in result["portfolio_markdown"].splitlines():
        print(f"    {line}".rstrip(), file=out)
    print(f"  invented: {INVENTED_LINE}", file=out)
    demo_common.print_notes(result, out)


def facts(result, address, stubs_dir, tls_dir):
    """What tools/up prints about this demo: (label, text) rows."""
    by_name = _by_name(result)
    hr = by_name.get("initiatives/hr-payroll", {})
    learning = by_name.get("initiatives/e-learning", {})
    linked = [f"§ {number} -> {name}" for number, name in sorted(
        (d["number"], name) for name, i in by_name.items()
        for d in i["decisions"] if d["meeting"] == MEETING_0622)]
    stub = (demo_common.try_channel(address, tls_dir, "public-reader")
            + 'from enamnd.projects.v1 import projects_pb2 as p, projects_pb2_grpc as g; '
            's = g.ProjectsServiceStub(channel); ')
    continuation = (learning.get("final_report") or {}).get("continuation", "none")
    return [
        ("initiatives", f"{len(result['initiatives'])} initiatives of the status list of § 14 "
                        f"({MEETING_0622}); the portfolio of {PORTFOLIO_DAY} lists "
                        f"{len(result['portfolio'])} active"
                        + ("" if result["status_list_matches"] else " (NOT as § 14 reads)")),
        ("directives", f"initiatives/hr-payroll at Rev {hr.get('current_revision') or '-'}; "
                       f"initiatives/e-learning {learning.get('state', '-')}, continuation "
                       f"{continuation}"),
        ("decisions", ", ".join(linked) if linked else "§ 11 and § 13 not linked (yet)"),
        ("invented", INVENTED_LINE),
        ("try", demo_common.try_line(stubs_dir, stub + (
            'from enamnd.common.v1 import common_pb2 as cm; '
            'print(s.RenderPortfolio(p.RenderPortfolioRequest(portfolio=p.GetPortfolioRequest('
            'date=cm.Date(year=2022, month=6, day=22)), '
            'format=p.RENDER_FORMAT_MARKDOWN)).text)'))),
        ("try", demo_common.try_line(stubs_dir, stub + (
            '[print(i.name, p.State.Name(i.state)) for i in s.ListInitiatives('
            'p.ListInitiativesRequest(filter="municipality = \\"municipalities/2582\\" '
            'AND date = 2022-06-22")).initiatives]'))),
    ]


def main(argv=None):
    return demo_common.run_main(
        argv, doc=__doc__, prog="load_projects_demo", service="enamnd-projects",
        address_flag="--projects", address_env="ENAMND_PROJECTS_ADDR",
        default_address="127.0.0.1:50053", import_stubs_fn=import_stubs, load_fn=load,
        print_fn=print_summary, facts_fn=facts,
        extra_args=[("--members-wait",
                     dict(type=float, default=60.0,
                          help="seconds to wait for the projects service to know the members "
                               "from the meetings service's events (default 60)"),
                     "members_timeout"),
                    ("--decisions-wait",
                     dict(type=float, default=20.0,
                          help="seconds to wait for the committee's decisions (§ 11 and § 13 of "
                               "22 June 2022) to reach their initiatives (default 20)"),
                     "decisions_timeout")])


if __name__ == "__main__":
    sys.exit(main())
