#!/usr/bin/python3
"""Loads the demo data of Norrbottens e-nämnd into the meetings service.

Usage:
    /usr/bin/python3 tools/demo/load_demo.py --address 127.0.0.1:50051 [--stubs build/python]
        [--tls var/tls] [--documents var/documents]

(--meetings is the same as --address.) It connects with mTLS, with the demo
certificates of --tls (default var/tls, made by ./tools/up): as the
secretary; the chair (role adjuster) adjusts the protocol, Kiruna's
municipal system records Kiruna's notice and the public reader renders the
protocol's PDF. It talks to the service only through
its public gRPC API (no SQL), so it works against any running
enamnd-meetings. The records are the data files in tools/demo/data/:

  * municipalities.json: the 14 members (SCB code, names, population);
  * committee.json: the body bodies/e-namnden "Norrbottens e-nämnd", kept
    by Luleå kommun (municipalities/2580, the sample's kept_by) with an
    invented protocol archive (förvaringsplats), with one
    seat per member (generic, invented names such as "Ledamot Kiruna"), the
    paragraph series of 2022 starting at § 8 and the 2022 meeting plan (§ 16),
    with the attendance of 16 March 2022: 9 of the 14 seats present, as § 16
    says (which nine is invented); and the preparation group
    bodies/beredningsgruppen (KIND_PREPARATION_GROUP, one seat per member,
    invented names such as "Representant Kiruna") with the eleven meetings of
    its 2022 plan in § 16: the five of January-May held with the attendance §
    16 gives (11, 13, 10, 10 and 11 of 14 municipalities; which ones is
    invented), 20 June held without recorded attendance (§ 16: "Sex möten har
    genomförts.", attendance given for five), the other five planned. The
    plan follow-up (load_plan_demo.py) counts these meetings;
  * meeting-2022-06-22.json: the nine cases and decisions of 22 June 2022 as
    § 8-16, verbatim from the transcription of the real protocol
    (../shared/samples/e-namnd-2022-06-22.json; tests/demo checks them), and,
    marked "invented", its attendance, its justering in Luleå on 2022-06-29
    (chair: the Luleå member, adjuster: the Kiruna member; both decided at
    the meeting, as the service requires of those who sign), the certified
    extract of § 12 and the 14 members' notices of
    it: most on 29 and 30 June, Pajala and Överkalix on 1 July (the notice
    deadline), Övertorneå late on 4 July. The appeal period runs from the
    last posting: to 2022-07-25, legal force 2022-07-26. The service must
    accept those days, i.e. its legal calendar's today must be 2022-07-04 or
    later (tools/up pins it to 2022-07-08); a justering or posting dated
    after the service's today is left out and reported.

Then it writes the adjusted protocol as PDF, as the public reader gets it
from RenderProtocol, to --documents/protokoll-e-namnden-2022-06-22.pdf
(default var/documents, $ENAMND_DOCUMENTS_DIR; the name is the service's
file_name), and the extract of § 12 certified by the secretary on
2022-06-29 (CreateExtract, format PDF) next to it, each after checking the
bytes against the SHA-256 the service gives. They are written on every run;
the same records give the same bytes. A service that renders no PDF yet
(UNIMPLEMENTED) is named in the notes.

A paragraph's texts go to the API as they stand in the data: title,
decision, "Sammanträdet" (meeting_notes), "Beslutsgång" (procedure.order_put),
supporting documents and recipients (matched to the members by official
name). Its summary sections become text (render_sections): the sections up
to "Beskrivning av ärendet" the summary, that one and its sub-sections the
description; the service prints the headings "Sammanfattning av ärendet" and
"Beskrivning" itself.

Running it again changes nothing: every create carries a deterministic
request_id (the extract too), a committee from an earlier run without its
keeping municipality or archive gets them (UpdateBody), an attendance of 22
June without the place and day of justering gets them while the protocol
is not adjusted, ALREADY_EXISTS is treated as "look it up instead", attendance
(22 June, 16 March and the preparation group's) is recorded only while a
meeting has none, a paragraph is recorded only if the
meeting has no paragraph for its case yet (so even a service whose
request_id table was wiped cannot get duplicates), the protocol is adjusted
only if the meeting has no PROTOCOL adjustment yet, and a notice is recorded
only for a member not yet among the adjustment's notices. A paragraph that
an earlier version of the demo loaded with other texts is left as it is (an
adjusted protocol is locked) and named in the notes.

Tests import this module and call load(channel) -> dict; main() is the
command line. The generated Python stubs are found through --stubs, else
env ENAMND_PY_STUBS, else <repo>/build/python.
"""

import hashlib
import os
import sys
from pathlib import Path

# demo_common lives next to this file: importable whether this runs as a
# script or is imported as a module (tests put tools/demo on sys.path).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import (  # noqa: E402,F401 (re-exported: tests use load_demo.*)
    CHANNEL_OPTIONS, REPO_ROOT, RPC_TIMEOUT, LoadError, _create, _date, _day, _describe,
    _in_future, _list_all, _ymd, default_stubs_dir, hours_minutes, read_data)

MUNICIPALITIES = read_data("municipalities.json")
COMMITTEE = read_data("committee.json")
MEETING = read_data("meeting-2022-06-22.json")

BODY_ID = COMMITTEE["body"]["id"]
BODY = "bodies/" + BODY_ID
PREPARATION_GROUP = COMMITTEE["preparation_group"]
PREP_BODY_ID = PREPARATION_GROUP["body"]["id"]
PREP_BODY = "bodies/" + PREP_BODY_ID
MEETING_0622 = f"{BODY}/meetings/{MEETING['meeting']}"
PARAGRAPHS = MEETING["paragraphs"]

_INVENTED = MEETING["invented"]
ATTENDANCE = _INVENTED["attendance"]
CHAIR = ATTENDANCE["chair"]
SECRETARY = ATTENDANCE["secretary"]
JUSTERING = _INVENTED["justering"]
NOTICES_0622 = _INVENTED["notices"]
EXTRACT = _INVENTED["extract"]
KEEPING_MUNICIPALITY = "municipalities/" + COMMITTEE["body"]["keeping_municipality"]
PROTOCOL_ARCHIVE = COMMITTEE["invented"]["protocol_archive"]

# Seconds for a call that renders a PDF (the whole protocol: a few seconds).
RENDER_TIMEOUT = 60

# The headings the service prints itself (RenderProtocol): the sections they
# open are rendered without them.
SUMMARY_HEADING = "Sammanfattning av ärendet"
DESCRIPTION_HEADING = "Beskrivning av ärendet"


# ------------------------------------------------------------------ stubs

grpc = None
meetings_pb2 = None
meetings_pb2_grpc = None
common_pb2 = None
field_mask_pb2 = None


def import_stubs(stubs_dir=None):
    """Imports grpc and the generated modules; stubs_dir goes first on sys.path."""
    global grpc, meetings_pb2, meetings_pb2_grpc, common_pb2, field_mask_pb2
    if meetings_pb2 is not None and stubs_dir is None:
        return
    grpc, (common_pb2, meetings_pb2, meetings_pb2_grpc, field_mask_pb2) = (
        demo_common.import_stubs(
            stubs_dir, ["enamnd.common.v1.common_pb2", "enamnd.meetings.v1.meetings_pb2",
                        "enamnd.meetings.v1.meetings_pb2_grpc",
                        "google.protobuf.field_mask_pb2"]))


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    meetings_stub = meetings_pb2_grpc.MeetingsServiceStub(channel)

    def list_municipalities(t):
        meetings_stub.ListMunicipalities(meetings_pb2.ListMunicipalitiesRequest(page_size=1),
                                         timeout=t)

    demo_common.wait_until_serving(channel, list_municipalities, timeout,
                                   service="the meetings service")


# ------------------------------------------------------------------ texts (no gRPC)

def _render_blocks(blocks, indent=""):
    """The sample's blocks as chunks of lines (a chunk: one paragraph, list or
    table). Bullets are "<marker> item"; an item's own blocks follow it,
    indented by two spaces; a table is its caption and one line per row,
    "<label>: <column> <value>, ...". Texts are not changed."""
    chunks = []
    for block in blocks:
        if "text" in block:
            chunks.append([indent + block["text"]])
        elif "label" in block:
            chunks.append([indent + block["label"]])
        elif "lines" in block:
            chunks.append([indent + line for line in block["lines"]])
        elif "bullets" in block:
            lines = []
            for item in block["bullets"]:
                if isinstance(item, str):
                    lines.append(f"{indent}{block['marker']} {item}")
                    continue
                lines.append(f"{indent}{block['marker']} {item['text']}")
                for chunk in _render_blocks(item.get("blocks", []), indent + "  "):
                    lines.extend(chunk)
            chunks.append(lines)
        elif "table" in block:
            table = block["table"]
            lines = [indent + table["caption"]]
            for row in table["rows"]:
                cells = ", ".join(f"{c} {v}" for c, v in zip(table["columns"], row["values"]))
                lines.append(f"{indent}{row['label']}: {cells}")
            chunks.append(lines)
        else:
            raise LoadError(f"unknown block in the demo data: {sorted(block)}")
    return chunks


def render_sections(sections):
    """(summary, description) texts of a paragraph's summary sections: the
    sections before "Beskrivning av ärendet" make the summary, that one and
    the ones after it the description. Chunks are separated by a blank
    line; a heading other than the two the service prints is a chunk of its
    own."""
    parts = {"summary": [], "description": []}
    part = "summary"
    for section in sections:
        if section["heading"] == DESCRIPTION_HEADING:
            part = "description"
        if section["heading"] not in (SUMMARY_HEADING, DESCRIPTION_HEADING):
            parts[part].append([section["heading"]])
        parts[part].extend(_render_blocks(section["blocks"]))
    return tuple("\n\n".join("\n".join(chunk) for chunk in parts[p])
                 for p in ("summary", "description"))


def _case_name(case_number):
    year, rest = case_number.split("/", 1)
    return f"cases/{year}-{rest.split('-', 1)[0]}"


def paragraph_fields(p):
    """What the demo sends for paragraph p of the data file, as plain values:
    title, decision_kind, decision_text, summary, description, meeting_notes,
    order_put, documents, recipients [(municipality name or "", named or "")],
    case, case_subject."""
    by_name = {m["name"]: m["code"] for m in MUNICIPALITIES["municipalities"]}
    derived = MEETING["derived"]
    summary, description = render_sections(p["summary"])
    return dict(
        case=_case_name(p["case_number"]),
        case_subject=derived["case_subjects"].get(p["case_number"], ""),
        title=p["title"],
        decision_kind=derived["decision_kinds"][str(p["number"])],
        decision_text=p["decision"],
        summary=summary,
        description=description,
        meeting_notes=p["meeting_notes"] or "",
        order_put=p["procedure"] or "",
        documents=list(p["supporting_documents"]),
        recipients=[("municipalities/" + by_name[r], "") if r in by_name else ("", r)
                    for r in p["recipients"]],
    )


# ------------------------------------------------------------------ protos

def _person(name):
    return meetings_pb2.Person(display_name=name)


def _body_proto(spec=None, member_name=None, substitute_name=None):
    """The committee (default) or the body `spec` of the data file, one seat
    per member with the invented name patterns."""
    invented = COMMITTEE["invented"]
    spec = spec or COMMITTEE["body"]
    seats = []
    for m in MUNICIPALITIES["municipalities"]:
        seats.append(meetings_pb2.Seat(
            municipality="municipalities/" + m["code"],
            member=_person((member_name or invented["member_name"]).format(**m)),
            substitute=_person((substitute_name or invented["substitute_name"]).format(**m)),
            term_start=_date(invented["term_start"]),
            term_end=_date(invented["term_end"]),
        ))
    return meetings_pb2.Body(display_name=spec["display_name"],
                             kind=meetings_pb2.Body.Kind.Value(spec["kind"]),
                             seats=seats)


def _committee_proto():
    """The committee, kept by Luleå with its (invented) protocol archive."""
    body = _body_proto()
    body.keeping_municipality = KEEPING_MUNICIPALITY
    body.protocol_archive = PROTOCOL_ARCHIVE
    return body


def _preparation_group_proto():
    invented = COMMITTEE["invented"]
    return _body_proto(PREPARATION_GROUP["body"], invented["preparation_group_member_name"],
                       invented["preparation_group_substitute_name"])


def absent_codes():
    """Meeting name -> the SCB codes absent at the meetings the demo records
    attendance for other than 22 June (invented; their counts are § 16's)."""
    invented = COMMITTEE["invented"]
    absent = {f"{BODY}/meetings/2022-03-16": invented["attendance_2022_03_16"]["absent"]}
    for day, codes in invented["preparation_group_attendance"].items():
        if not day.startswith("_"):
            absent[f"{PREP_BODY}/meetings/{day}"] = codes
    return absent


def recorded_attendance():
    """[(meeting name, SCB codes present)] the demo records besides 22 June,
    in date order per body; LoadError when the invented absences do not give
    § 16's count present."""
    codes = [m["code"] for m in MUNICIPALITIES["municipalities"]]
    absent = absent_codes()
    out = []
    for body, meetings in ((BODY, COMMITTEE["meetings"]),
                           (PREP_BODY, PREPARATION_GROUP["meetings"])):
        for spec in meetings:
            name = f"{body}/meetings/{spec['date']}"
            if "present" not in spec:
                if name in absent:
                    raise LoadError(f"committee.json: absences for {name}, which has no count")
                continue
            present = [c for c in codes if c not in absent.get(name, ())]
            if name not in absent or len(present) != spec["present"]:
                raise LoadError(f"committee.json: the invented absences of {name} give "
                                f"{len(present)} present, § 16 says {spec['present']}")
            out.append((name, present))
    return out


def _attendance_of(present):
    """Attendance with the members of `present` (SCB codes) present, every
    other seat absent."""
    seats = [meetings_pb2.SeatAttendance(municipality="municipalities/" + m["code"],
                                         member_present=m["code"] in present)
             for m in MUNICIPALITIES["municipalities"]]
    return meetings_pb2.Attendance(seats=seats)


def _attendance_0622():
    seats = []
    for m in MUNICIPALITIES["municipalities"]:
        seats.append(meetings_pb2.SeatAttendance(
            municipality="municipalities/" + m["code"],
            member_present=m["code"] not in ATTENDANCE["absent"],
            substitute_served=m["code"] in ATTENDANCE["substitute_served"],
        ))
    return meetings_pb2.Attendance(
        seats=seats,
        others_present=[_person(n) for n in ATTENDANCE["others_present"]],
        chair=_person(CHAIR),
        secretary=_person(SECRETARY),
        adjusters=[_person(n) for n in ATTENDANCE["adjusters"]],
        adjustment_place=ATTENDANCE["adjustment_place"],
        adjustment_date=_date(ATTENDANCE["adjustment_date"]),
    )


def deciding_names():
    """The names of those who decided on 22 June by the invented attendance:
    the members present and the substitutes serving (only they may adjust)."""
    invented = COMMITTEE["invented"]
    names = set()
    for m in MUNICIPALITIES["municipalities"]:
        if m["code"] not in ATTENDANCE["absent"]:
            names.add(invented["member_name"].format(**m))
        if m["code"] in ATTENDANCE["substitute_served"]:
            names.add(invented["substitute_name"].format(**m))
    return names


def check_signers():
    """LoadError unless the invented chair and adjusters (of the attendance
    and of the justering) decided at the meeting: the service refuses
    anyone else."""
    deciding = deciding_names()
    named = {ATTENDANCE["chair"], JUSTERING["chair"], *ATTENDANCE["adjusters"],
             *JUSTERING["adjusters"]}
    strangers = sorted(named - deciding)
    if strangers:
        raise LoadError("meeting-2022-06-22.json: chair or adjusters who were neither a member "
                        f"present nor a substitute serving: {', '.join(strangers)}")


def _meeting_proto(spec):
    """A meeting of the plan; one without times (a strategy day) has none."""
    M = meetings_pb2
    meeting = M.Meeting(date=_date(spec["date"]),
                        location=COMMITTEE["invented"]["meeting_location"],
                        state=M.Meeting.State.Value(spec["state"]))
    if "start" in spec:
        start, end = hours_minutes(spec["start"]), hours_minutes(spec["end"])
        meeting.start_time.CopyFrom(common_pb2.TimeOfDay(hours=start[0], minutes=start[1]))
        meeting.end_time.CopyFrom(common_pb2.TimeOfDay(hours=end[0], minutes=end[1]))
    return meeting


def _paragraph_proto(f):
    M = meetings_pb2
    p = M.Paragraph(
        case=f["case"],
        title=f["title"],
        decision=M.Decision(kind=M.DecisionKind.Value(f["decision_kind"]),
                            text=f["decision_text"]),
        summary=f["summary"],
        description=f["description"],
        meeting_notes=f["meeting_notes"],
        documents=[M.Document(title=t) for t in f["documents"]],
        recipients=[M.Recipient(municipality=m) if m else M.Recipient(named=n)
                    for m, n in f["recipients"]],
    )
    if f["order_put"]:
        p.procedure.order_put = f["order_put"]
    return p


# ------------------------------------------------------------------ loading

def count_resources(stub):
    """Totals as the service lists them."""
    M = meetings_pb2
    bodies = _list_all(stub.ListBodies, M.ListBodiesRequest(page_size=100), "bodies")
    return {
        "municipalities": len(_list_all(stub.ListMunicipalities,
                                         M.ListMunicipalitiesRequest(page_size=100),
                                         "municipalities")),
        "bodies": len(bodies),
        "meetings": len(_list_all(stub.ListMeetings,
                                  M.ListMeetingsRequest(parent="bodies/-", page_size=100),
                                  "meetings")),
        "cases": len(_list_all(stub.ListCases, M.ListCasesRequest(page_size=100), "cases")),
        "paragraphs": len(_list_all(stub.ListParagraphs,
                                    M.ListParagraphsRequest(parent="bodies/-", page_size=100),
                                    "paragraphs")),
        "adjustments": sum(
            len(_list_all(stub.ListAdjustments,
                          M.ListAdjustmentsRequest(parent=b.name, page_size=100),
                          "adjustments"))
            for b in bodies),
    }


def find_protocol_adjustment(stub, meeting):
    """The meeting's PROTOCOL adjustment (justering of the whole protocol), or None."""
    for a in _list_all(stub.ListAdjustments,
                       meetings_pb2.ListAdjustmentsRequest(parent=meeting, page_size=100),
                       "adjustments"):
        if a.kind == meetings_pb2.Adjustment.KIND_PROTOCOL:
            return a
    return None


def _load_municipalities(stub, created, display):
    M = meetings_pb2
    population_date = _date(MUNICIPALITIES["population_date"])
    for spec in MUNICIPALITIES["municipalities"]:
        name = "municipalities/" + spec["code"]
        m, new = _create(
            name,
            lambda: stub.CreateMunicipality(M.CreateMunicipalityRequest(
                municipality_id=spec["code"],
                municipality=M.Municipality(display_name=spec["name"],
                                            population=spec["population"],
                                            population_date=population_date),
                request_id=f"demo-municipality-{spec['code']}"), timeout=RPC_TIMEOUT),
            lambda: stub.GetMunicipality(M.GetMunicipalityRequest(name=name),
                                         timeout=RPC_TIMEOUT))
        created["municipalities"] += new
        display[m.name] = m.display_name


def _load_body(stub, created, body_id, proto):
    M = meetings_pb2
    name = "bodies/" + body_id
    _, new = _create(
        name,
        lambda: stub.CreateBody(M.CreateBodyRequest(
            body_id=body_id, body=proto, request_id="demo-body-" + body_id),
            timeout=RPC_TIMEOUT),
        lambda: stub.GetBody(M.GetBodyRequest(name=name), timeout=RPC_TIMEOUT))
    created["bodies"] += new


def _load_meetings(stub, created, body, specs):
    M = meetings_pb2
    for spec in specs:
        name = f"{body}/meetings/{spec['date']}"
        request_id = (f"demo-meeting-{spec['date']}" if body == BODY
                      else f"demo-meeting-{body.split('/')[1]}-{spec['date']}")
        _, new = _create(
            name,
            lambda: stub.CreateMeeting(M.CreateMeetingRequest(
                parent=body, meeting=_meeting_proto(spec), request_id=request_id),
                timeout=RPC_TIMEOUT),
            lambda: stub.GetMeeting(M.GetMeetingRequest(name=name), timeout=RPC_TIMEOUT))
        created["meetings"] += new


def _load_committee(stub, created):
    """The body, its 2022 paragraph series and its 2022 meetings."""
    M = meetings_pb2
    _load_body(stub, created, BODY_ID, _committee_proto())
    _keep_protocols(stub, created)

    series = COMMITTEE["paragraph_series"]
    try:
        stub.StartParagraphSeries(M.StartParagraphSeriesRequest(
            body=BODY, year=series["year"], next_number=series["next_number"]),
            timeout=RPC_TIMEOUT)
    except grpc.RpcError as e:
        raise LoadError(f"StartParagraphSeries({BODY}, {series['year']}, "
                        f"{series['next_number']}) failed: {_describe(e)}; the body already "
                        f"has {series['year']} paragraphs numbered differently") from e

    _load_meetings(stub, created, BODY, COMMITTEE["meetings"])


def _keep_protocols(stub, created):
    """Sets the keeping municipality and the protocol archive on a committee
    created before bodies had them (an earlier run's ./var)."""
    M = meetings_pb2
    body = stub.GetBody(M.GetBodyRequest(name=BODY), timeout=RPC_TIMEOUT)
    wanted = {"keeping_municipality": KEEPING_MUNICIPALITY, "protocol_archive": PROTOCOL_ARCHIVE}
    paths = [path for path, value in wanted.items() if getattr(body, path) != value]
    if not paths:
        return
    update = M.Body(name=BODY, etag=body.etag, **wanted)
    stub.UpdateBody(M.UpdateBodyRequest(body=update,
                                        update_mask=field_mask_pb2.FieldMask(paths=paths)),
                    timeout=RPC_TIMEOUT)
    created["body_updates"] += 1


def _load_preparation_group(stub, created):
    """The preparation group and its 2022 meetings."""
    _load_body(stub, created, PREP_BODY_ID, _preparation_group_proto())
    _load_meetings(stub, created, PREP_BODY, PREPARATION_GROUP["meetings"])


def _load_plan_attendance(stub, created):
    """The attendance § 16 counts (16 March; the preparation group's
    January-May), each only while its meeting has none."""
    M = meetings_pb2
    chair = COMMITTEE["invented"]["attendance_2022_03_16"]
    for name, present in recorded_attendance():
        meeting = stub.GetMeeting(M.GetMeetingRequest(name=name), timeout=RPC_TIMEOUT)
        if meeting.HasField("attendance"):
            continue
        attendance = _attendance_of(present)
        if name.startswith(BODY + "/"):
            attendance.chair.CopyFrom(_person(chair["chair"]))
            attendance.secretary.CopyFrom(_person(chair["secretary"]))
        stub.RecordAttendance(M.RecordAttendanceRequest(
            meeting=name, attendance=attendance, etag=meeting.etag), timeout=RPC_TIMEOUT)
        created["attendance"] += 1


def _load_attendance_0622(stub, created):
    """Attendance of 22 June, only while none is recorded (recording it again
    would replace whatever is there and publish a new event). One an earlier
    run recorded without the place and day of justering gets them, as long
    as the protocol is not adjusted (then it is locked)."""
    M = meetings_pb2
    meeting = stub.GetMeeting(M.GetMeetingRequest(name=MEETING_0622), timeout=RPC_TIMEOUT)
    attendance = _attendance_0622()
    if meeting.HasField("attendance"):
        if (meeting.attendance.adjustment_place
                or find_protocol_adjustment(stub, MEETING_0622) is not None):
            return
        attendance = M.Attendance()
        attendance.CopyFrom(meeting.attendance)
        attendance.adjustment_place = ATTENDANCE["adjustment_place"]
        attendance.adjustment_date.CopyFrom(_date(ATTENDANCE["adjustment_date"]))
    stub.RecordAttendance(M.RecordAttendanceRequest(
        meeting=MEETING_0622, attendance=attendance, etag=meeting.etag),
        timeout=RPC_TIMEOUT)
    created["attendance"] += 1


def _load_decisions_0622(stub, created, notes):
    """The cases and decisions, in § order. A paragraph is recorded only if
    the meeting has none for the case yet; one that holds other texts
    (loaded by an earlier version of the demo) is named in the notes."""
    M = meetings_pb2
    for p in PARAGRAPHS:
        f = paragraph_fields(p)
        c, new = _create(
            f["case"],
            lambda: stub.CreateCase(M.CreateCaseRequest(
                case=M.Case(case_number=p["case_number"], title=f["title"],
                            subject=f["case_subject"]),
                request_id="demo-case-" + f["case"].split("/", 1)[1]), timeout=RPC_TIMEOUT),
            lambda: stub.GetCase(M.GetCaseRequest(name=f["case"]), timeout=RPC_TIMEOUT))
        if c.case_number != p["case_number"]:
            raise LoadError(f"{f['case']} holds case number {c.case_number}, expected "
                            f"{p['case_number']}")
        created["cases"] += new

        existing = stub.ListParagraphs(M.ListParagraphsRequest(
            parent=MEETING_0622, filter=f'case = "{f["case"]}"'), timeout=RPC_TIMEOUT)
        if existing.paragraphs:
            old = existing.paragraphs[0]
            if (old.title, old.decision.text) != (f["title"], f["decision_text"]):
                notes.append(f"{old.name} holds other texts than tools/demo/data (loaded by "
                             "an earlier demo?); remove ./var to load the protocol's texts")
            continue
        try:
            recorded = stub.RecordDecision(M.RecordDecisionRequest(
                parent=MEETING_0622, paragraph=_paragraph_proto(f),
                request_id=f"demo-{MEETING['meeting']}-p{p['number']}"), timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            raise LoadError(f"recording § {p['number']} ({p['case_number']}) failed: "
                            f"{_describe(e)}") from e
        created["paragraphs"] += 1
        if recorded.number != p["number"]:
            raise LoadError(f"{p['case_number']} was recorded as § {recorded.number}, expected "
                            f"§ {p['number']}: {BODY} already had other paragraphs that year")


def _adjust_0622(stub, adjuster_stub, created, notes):
    """Adjusts the 22 June protocol unless it is (as adjuster_stub: the call
    needs the role adjuster); returns the adjustment or None."""
    M = meetings_pb2
    adjustment = find_protocol_adjustment(stub, MEETING_0622)
    if adjustment is not None:
        return adjustment
    day = JUSTERING["adjusted_date"]
    try:
        adjustment = adjuster_stub.AdjustProtocol(M.AdjustProtocolRequest(
            meeting=MEETING_0622, chair=_person(JUSTERING["chair"]),
            adjusters=[_person(n) for n in JUSTERING["adjusters"]],
            adjusted_date=_date(day), place=JUSTERING["place"],
            request_id=f"demo-adjust-{MEETING['meeting']}"),
            timeout=RPC_TIMEOUT)
    except grpc.RpcError as e:
        if _in_future(e):
            notes.append(f"{MEETING_0622} not adjusted: the service's today is before "
                         f"{day} ({e.details()})")
            return None
        if e.code() == grpc.StatusCode.FAILED_PRECONDITION:
            # Adjusted meanwhile by someone else?
            adjustment = find_protocol_adjustment(stub, MEETING_0622)
            if adjustment is not None:
                return adjustment
        raise LoadError(f"AdjustProtocol({MEETING_0622}) failed: {_describe(e)}") from e
    created["adjustments"] += 1
    return adjustment


def _post_notices_0622(stub, system_stubs, adjustment, created, notes):
    """Records the members' notices not yet recorded, in the order they were
    posted (the last one completes the set and starts the appeal period);
    returns the adjustment. A member with a stub in system_stubs (SCB code
    -> stub) records its own notice through it: its municipal system."""
    M = meetings_pb2
    posted = {n.municipality for n in adjustment.notices}
    required = set(adjustment.required_municipalities)
    for notice in NOTICES_0622:
        municipality = "municipalities/" + notice["municipality"]
        day = notice["posted_date"]
        if municipality in posted or municipality not in required:
            continue
        updated = demo_common.record_dated(
            f"the notice of {municipality} on {adjustment.name}",
            lambda: system_stubs.get(notice["municipality"], stub).RecordNoticePosting(
                M.RecordNoticePostingRequest(adjustment=adjustment.name,
                                             municipality=municipality, posted_date=_date(day)),
                timeout=RPC_TIMEOUT),
            day, notes)
        if updated is not None:
            adjustment = updated
            created["notices"] += 1
    return stub.GetAdjustment(M.GetAdjustmentRequest(name=adjustment.name),
                              timeout=RPC_TIMEOUT)


def default_documents_dir():
    return os.environ.get("ENAMND_DOCUMENTS_DIR") or str(REPO_ROOT / "var" / "documents")


def _save_file(rendered, directory):
    """Writes a RenderedFile under its file_name in directory after checking
    its SHA-256; returns dict(path, sha256, size)."""
    if not rendered.content or not rendered.file_name:
        raise LoadError("the service returned an empty PDF (no content or file name)")
    if hashlib.sha256(rendered.content).hexdigest() != rendered.sha256:
        raise LoadError(f"{rendered.file_name}: the content does not hash to the SHA-256 the "
                        f"service gave ({rendered.sha256})")
    path = Path(directory) / Path(rendered.file_name).name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered.content)
    except OSError as e:
        raise LoadError(f"cannot write {path}: {e}") from e
    return dict(path=str(path), sha256=rendered.sha256, size=len(rendered.content))


def _certified_extract(stub, notes):
    """The certified extract of EXTRACT's paragraph with its PDF (certified
    once: request_id), or None when its day is after the service's today."""
    M = meetings_pb2
    paragraph = f"{MEETING_0622}/paragraphs/{EXTRACT['paragraph']}"
    request = M.CreateExtractRequest(
        paragraph=paragraph, certified_by=_person(EXTRACT["certified_by"]),
        certified_date=_date(EXTRACT["certified_date"]),
        request_id=f"demo-extract-{MEETING['meeting']}-p{EXTRACT['paragraph']}",
        format=common_pb2.DOCUMENT_FORMAT_PDF)
    try:
        return stub.CreateExtract(request, timeout=RENDER_TIMEOUT)
    except grpc.RpcError as e:
        if _in_future(e):
            notes.append(f"no extract of {paragraph}: the service's today is before "
                         f"{EXTRACT['certified_date']} ({e.details()})")
            return None
        raise LoadError(f"CreateExtract({paragraph}) failed: {_describe(e)}") from e


def write_documents(reader_stub, stub, directory, notes):
    """Writes the adjusted protocol of 22 June as PDF (rendered as reader_stub
    sees it: the public reader, who reads what is posted) and the certified
    extract of § EXTRACT (made through stub, the secretary's) into
    directory. Returns dict(protocol=..., extract=... or None) with each
    file's path, sha256 and size, or None when the service renders no PDF."""
    M = meetings_pb2
    try:
        rendered = reader_stub.RenderProtocol(M.RenderProtocolRequest(
            meeting=MEETING_0622, format=common_pb2.DOCUMENT_FORMAT_PDF), timeout=RENDER_TIMEOUT)
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.UNIMPLEMENTED:
            notes.append(f"no PDF written: this enamnd-meetings renders no PDF ({e.details()})")
            return None
        raise LoadError(f"RenderProtocol({MEETING_0622}, PDF) failed: {_describe(e)}") from e
    protocol = _save_file(rendered.pdf, directory)
    extract = _certified_extract(stub, notes)
    return dict(protocol=protocol,
                extract=_save_file(extract.pdf, directory) if extract is not None else None)


def present_seats(attendance):
    """Seats present: the member present or a substitute serving."""
    return sum(1 for s in attendance.seats if s.member_present or s.substitute_served)


def _meetings_summary(stub, body):
    """[(date, state name, seats present or None)] of a body's meetings."""
    M = meetings_pb2
    meetings = _list_all(stub.ListMeetings, M.ListMeetingsRequest(parent=body, page_size=100),
                         "meetings")
    return sorted((_day(m.date), M.Meeting.State.Name(m.state),
                   present_seats(m.attendance) if m.HasField("attendance") else None)
                  for m in meetings)


def _adjustment_summary(a, names):
    """What the summary (and tools/up) shows of an adjustment."""
    return dict(
        name=a.name,
        sha256=a.sha256,
        chain_position=a.chain_position,
        adjusted_date=_day(a.adjusted_date),
        chair=a.chair.display_name,
        adjusters=[p.display_name for p in a.adjusters],
        notice_deadline=_day(a.notice_deadline),
        required=len(a.required_municipalities),
        notices=[dict(municipality=n.municipality,
                      display_name=names.get(n.municipality, n.municipality),
                      posted_date=_day(n.posted_date), late=n.late)
                 for n in a.notices],
        appeal_period_start=_day(a.appeal_period_start),
        appeal_deadline=_day(a.appeal_deadline),
        legal_force_date=_day(a.legal_force_date),
        finalized=a.finalized,
    )


def load(channel, wait_timeout=30.0, callers=None, documents_dir=""):
    """Loads the demo data through `channel`; returns what it found and did.

    callers (demo_common.Callers, or a dict of principal name -> channel)
    gives the channels of the principals that make the calls the secretary
    does not: "chair" adjusts the protocol, "kiruna-system" records
    Kiruna's notice, "public-reader" renders the protocol's PDF. Without
    them those calls go through `channel` too.

    documents_dir: where the PDF of the adjusted protocol and the certified
    extract go ("": nowhere, the default; None: default_documents_dir()).

    Returns a dict with
      created:      how many resources this run created (or recorded), per kind;
      counts:       totals the service lists afterwards, per kind;
      decisions:    the 22 June 2022 paragraphs (number, case_number, kind,
                    title, recipients) in § order;
      legal_states: § number -> legal state name (LEGAL_STATE_DRAFT, ...);
      plan_meetings: body name (the committee, the preparation group) ->
                    [(date, state name, seats present or None)] of its
                    meetings, by date;
      adjustment:   the justering of 22 June 2022 (name, sha256, dates,
                    notices; see _adjustment_summary), or None;
      documents:    the files written (see write_documents), or None;
      notes:        what could not be loaded and why (e.g. days after the
                    service's today).
    Raises LoadError with a readable message on failure.
    """
    import_stubs()
    wait_until_serving(channel, wait_timeout)
    M = meetings_pb2
    stub = meetings_pb2_grpc.MeetingsServiceStub(channel)
    chair_stub = meetings_pb2_grpc.MeetingsServiceStub(
        demo_common.channel_as(callers, "chair", channel))
    system_stubs = {"2584": meetings_pb2_grpc.MeetingsServiceStub(
        demo_common.channel_as(callers, "kiruna-system", channel))}
    reader_stub = meetings_pb2_grpc.MeetingsServiceStub(
        demo_common.channel_as(callers, "public-reader", channel))
    check_signers()
    created = dict(municipalities=0, bodies=0, body_updates=0, meetings=0, attendance=0,
                   cases=0, paragraphs=0, adjustments=0, notices=0)
    display = {}
    notes = []
    documents = None
    try:
        _load_municipalities(stub, created, display)
        _load_committee(stub, created)
        _load_preparation_group(stub, created)
        _load_plan_attendance(stub, created)
        _load_attendance_0622(stub, created)
        _load_decisions_0622(stub, created, notes)
        adjustment = _adjust_0622(stub, chair_stub, created, notes)
        if adjustment is not None:
            adjustment = _post_notices_0622(stub, system_stubs, adjustment, created, notes)
            if documents_dir != "":
                documents = write_documents(reader_stub, stub,
                                            documents_dir or default_documents_dir(), notes)
        plan_meetings = {body: _meetings_summary(stub, body) for body in (BODY, PREP_BODY)}
        paragraphs = _list_all(stub.ListParagraphs,
                               M.ListParagraphsRequest(parent=MEETING_0622, page_size=100),
                               "paragraphs")
        counts = count_resources(stub)
    except grpc.RpcError as e:
        raise LoadError(f"the meetings service failed: {_describe(e)}") from e

    paragraphs.sort(key=lambda p: p.number)
    decisions = [dict(number=p.number, case_number=p.case_number,
                      kind=M.DecisionKind.Name(p.decision.kind), title=p.title,
                      recipients=[r.municipality or r.named for r in p.recipients])
                 for p in paragraphs]
    legal_states = {p.number: M.Paragraph.LegalState.Name(p.legal_state) for p in paragraphs}
    return dict(created=created, counts=counts, decisions=decisions, municipalities=display,
                legal_states=legal_states, plan_meetings=plan_meetings,
                adjustment=(_adjustment_summary(adjustment, display)
                            if adjustment is not None else None),
                documents=documents, notes=notes)


# ------------------------------------------------------------------ output

INVENTED_LINE = ("attendance (who; the counts of 16 March and of the preparation group are "
                 "§ 16's), seat names, chair, adjusters, the justering's place and the "
                 "justering and notice dates, the protocol archive, the extract's "
                 "certification (tools/demo/data, \"invented\"); § 8-16 texts are the "
                 "protocol's")


def print_summary(result, out=sys.stdout):
    demo_common.print_counts("Demo data of Norrbottens e-nämnd loaded.", result, out)
    print(f"  {MEETING_0622} (texts verbatim from the protocol):", file=out)
    names = result.get("municipalities", {})
    states = result.get("legal_states", {})
    for d in result["decisions"]:
        to = ", ".join(names.get(r, r) for r in d["recipients"]) or "-"
        state = states.get(d["number"], "").replace("LEGAL_STATE_", "")
        kind = d["kind"].replace("DECISION_KIND_", "")
        print(f"    § {d['number']:<3} {d['case_number']:<16} {kind:<13} {state:<9}"
              f"{d['title']}  [skickas till: {to}]", file=out)
    seats = len(MUNICIPALITIES["municipalities"])
    for body, meetings in result.get("plan_meetings", {}).items():
        held = [m for m in meetings if m[1] == "STATE_HELD"]
        print(f"  {body}: {len(meetings)} meetings, {len(held)} held; attendance: "
              + (", ".join(f"{d} {p} of {seats}" for d, _, p in held if p is not None) or "-"),
              file=out)
    print(f"  invented: {INVENTED_LINE}", file=out)
    a = result.get("adjustment")
    if a is None:
        print("  justering: none (the protocol is a draft)", file=out)
    else:
        late = [f"{n['display_name']} {n['posted_date']}" for n in a["notices"] if n["late"]]
        by_day = {}
        for n in a["notices"]:
            by_day[n["posted_date"]] = by_day.get(n["posted_date"], 0) + 1
        print(f"  justering {a['name']}:", file=out)
        print(f"    adjusted         {a['adjusted_date']} by {a['chair']} (ordförande) and "
              f"{', '.join(a['adjusters'])} (justerare)", file=out)
        print(f"    SHA-256          {a['sha256']}", file=out)
        print(f"    notice deadline  {a['notice_deadline']}; posted by {len(a['notices'])} of "
              f"{a['required']} members ("
              + ", ".join(f"{day}: {count}" for day, count in sorted(by_day.items()))
              + ")" + (f"; late: {', '.join(late)}" if late else ""), file=out)
        if a["appeal_deadline"]:
            print(f"    appeal deadline  {a['appeal_deadline']} (3 weeks from the last posting "
                  f"{a['appeal_period_start']}, moved off weekends and holidays)", file=out)
            print(f"    legal force      {a['legal_force_date']}"
                  + (" (reached: the decisions not appealed are final)" if a["finalized"]
                     else " (if no appeal is lodged by the appeal deadline)"), file=out)
        else:
            print("    appeal deadline  not running yet: not every member has posted the notice",
                  file=out)
    for label, file in _document_rows(result.get("documents")):
        print(f"  {label + ':':<16} {file['path']} ({file['size']} bytes, SHA-256 "
              f"{file['sha256']})", file=out)
    demo_common.print_notes(result, out)


def _document_rows(documents):
    """[(label, file)] of the documents written."""
    if not documents:
        return []
    rows = [("protocol PDF", documents["protocol"])]
    if documents["extract"]:
        rows.append((f"extract § {EXTRACT['paragraph']}", documents["extract"]))
    return rows


def facts(result, address, stubs_dir, tls_dir):
    """What tools/up prints about this demo: (label, text) rows."""
    a = result.get("adjustment")
    if a is None:
        protocol = ("a draft: not adjusted (the legal calendar's today is before the demo's "
                    "justering)")
        appeal = "-"
    else:
        protocol = f"adjusted {a['adjusted_date']} ({a['name']}, SHA-256 {a['sha256']})"
        posted = f"notice posted by {len(a['notices'])} of {a['required']} members"
        if a["appeal_deadline"]:
            appeal = (f"appeal deadline {a['appeal_deadline']}, legal force "
                      f"{a['legal_force_date']} ({posted})")
            if a["finalized"]:
                appeal += "; over: the decisions not appealed are final"
        else:
            appeal = f"not running: {posted} (deadline {a['notice_deadline']})"
    stub = (demo_common.try_channel(address, tls_dir, "public-reader")
            + 'from enamnd.meetings.v1 import meetings_pb2 as m, meetings_pb2_grpc as g; '
            's = g.MeetingsServiceStub(channel); ')
    documents = [(label, f"{file['path']}  (SHA-256 {file['sha256']})")
                 for label, file in _document_rows(result.get("documents"))]
    return [
        ("protocol", f"{MEETING_0622}: {protocol}"),
        *documents,
        ("appeal period", appeal),
        ("invented", INVENTED_LINE),
        ("try", demo_common.try_line(stubs_dir, stub + (
            '[print("§", p.number, p.case_number, m.Paragraph.LegalState.Name(p.legal_state), '
            f'p.title) for p in s.ListParagraphs(m.ListParagraphsRequest(parent="{MEETING_0622}"))'
            '.paragraphs]'))),
        ("try", demo_common.try_line(stubs_dir, stub + (
            f'print(s.RenderProtocol(m.RenderProtocolRequest(meeting="{MEETING_0622}")).text)'))),
    ]


def main(argv=None):
    return demo_common.run_main(
        argv, doc=__doc__, prog="load_demo", service="enamnd-meetings",
        address_flag="--meetings", address_env="ENAMND_MEETINGS_ADDR",
        default_address="127.0.0.1:50051", import_stubs_fn=import_stubs, load_fn=load,
        print_fn=print_summary, facts_fn=facts,
        extra_args=[("--documents",
                     dict(default=None, metavar="DIR",
                          help="where the protocol's PDF and the certified extract go "
                               "(default $ENAMND_DOCUMENTS_DIR or <repo>/var/documents)"),
                     "documents_dir")])


if __name__ == "__main__":
    sys.exit(main())
