#!/usr/bin/python3
"""Loads the demo data of Norrbottens e-nämnd into the meetings service.

Usage:
    /usr/bin/python3 tools/demo/load_demo.py --meetings 127.0.0.1:50051 [--stubs build/python]

It talks to the service only through its public gRPC API (no SQL), so it
works against any running enamnd-meetings. What it loads:

  * the 14 member municipalities (SCB code, name, population 2023-12-31);
  * the body bodies/e-namnden "Norrbottens e-nämnd" with one seat per
    municipality. The real members' names are not part of the demo: the seats
    hold generic names ("Ledamot Kiruna", "Ersättare Kiruna");
  * the paragraph series of 2022 starting at § 8 (§ 1-7 were held on paper in
    March);
  * the 2022 meeting schedule, the attendance of 22 June 2022, the nine cases
    handled that day and their decisions as § 8-16;
  * the justering of that protocol on 2022-06-29 (chair: the Luleå member,
    adjuster: the Kiruna member, as the attendance names them) and the 14
    members' notices of it (anslag): most on 29 and 30 June, Pajala and
    Överkalix on 1 July (the notice deadline), Övertorneå late on 4 July. The
    appeal period runs from the last posting: to 2022-07-25, legal force
    2022-07-26. The service must accept those days, i.e. its legal calendar's
    today must be 2022-07-04 or later (tools/up pins it to 2022-07-08); a
    justering or posting dated after the service's today is left out and
    reported.

Running it again changes nothing: every create carries a deterministic
request_id, ALREADY_EXISTS is treated as "look it up instead", attendance is
recorded only while a meeting has none, a paragraph is recorded only if the
meeting has no paragraph for its case yet (so even a service whose
request_id table was wiped cannot get duplicates), the protocol is adjusted
only if the meeting has no PROTOCOL adjustment yet, and a notice is recorded
only for a member not yet among the adjustment's notices.

Tests import this module and call load(channel) -> dict; main() is the
command line. The generated Python stubs are found through --stubs, else
env ENAMND_PY_STUBS, else <repo>/build/python.
"""

import argparse
import os
import sys
from pathlib import Path

# demo_common lives next to this file: importable whether this runs as a
# script or is imported as a module (tests put tools/demo on sys.path).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import (  # noqa: E402,F401 (re-exported: tests use load_demo.*)
    CHANNEL_OPTIONS, REPO_ROOT, LoadError, _create, _date, _day, _describe, _in_future,
    _list_all, _ymd, default_stubs_dir)

BODY_ID = "e-namnden"
BODY = "bodies/" + BODY_ID
BODY_DISPLAY_NAME = "Norrbottens e-nämnd"
MEETING_0622 = BODY + "/meetings/2022-06-22"

# (SCB code, short name, official name, population 2023-12-31 according to SCB)
MUNICIPALITIES = [
    ("2506", "Arjeplog", "Arjeplogs kommun", 2609),
    ("2505", "Arvidsjaur", "Arvidsjaurs kommun", 6113),
    ("2582", "Boden", "Bodens kommun", 27943),
    ("2523", "Gällivare", "Gällivare kommun", 17330),
    ("2583", "Haparanda", "Haparanda kommun", 9177),
    ("2510", "Jokkmokk", "Jokkmokks kommun", 4728),
    ("2514", "Kalix", "Kalix kommun", 15547),
    ("2584", "Kiruna", "Kiruna kommun", 22433),
    ("2580", "Luleå", "Luleå kommun", 79352),
    ("2521", "Pajala", "Pajala kommun", 5871),
    ("2581", "Piteå", "Piteå kommun", 42344),
    ("2560", "Älvsbyn", "Älvsbyns kommun", 7783),
    ("2513", "Överkalix", "Överkalix kommun", 3162),
    ("2518", "Övertorneå", "Övertorneå kommun", 4088),
]
POPULATION_DATE = (2023, 12, 31)
TERM = ((2019, 1, 1), (2022, 12, 31))

# The 2022 schedule: (date, start hour, end hour, state). The times are those
# of the committee's plan; the location is illustrative (the demo does not know
# where each meeting was held). 16 March was held (its § 1-7 are on paper, so
# the demo records neither its attendance nor its paragraphs); 22 June becomes
# HELD when its attendance is recorded; October and December are planned.
MEETINGS_2022 = [
    ((2022, 3, 16), 13, 16, "STATE_HELD"),
    ((2022, 6, 22), 13, 16, "STATE_PLANNED"),
    ((2022, 10, 12), 10, 16, "STATE_PLANNED"),
    ((2022, 12, 14), 10, 16, "STATE_PLANNED"),
]
MEETING_LOCATION = "Luleå stadshus och digitalt via Teams"  # illustrative

# Attendance at 22 June 2022: illustrative, not the real protocol. 11 of the
# 14 members present, Pajala's substitute serving for its member (12 of 14
# seats represented: quorum), Arjeplog and Övertorneå not represented.
# The chair and the adjuster (justerare) sign the protocol, so they are
# display names of present members of the body's seats (AdjustProtocol
# checks that they are members or substitutes of the body).
ABSENT_0622 = {"2506", "2521", "2518"}
SUBSTITUTE_SERVED_0622 = {"2521"}
CHAIR = "Ledamot Luleå"
SECRETARY = "Nämndsekreterare, Luleå kommun"
ADJUSTER = "Ledamot Kiruna"
OTHERS_PRESENT_0622 = ["Samordnare, Norrbottens e-nämnd", "Ekonom, Luleå kommun"]

# The cases of 22 June 2022: (case number, title, subject).
CASES = [
    ("2022/9-2.2.0.1", "Grundläggande granskning 2021, Kiruna och Gällivare",
     "//audits/reviews/2021-2584"),
    ("2022/10-2.2.0.1", "Grundläggande granskning 2021, Arvidsjaur",
     "//audits/reviews/2021-2505"),
    ("2022/11-2.2.0.1", "Grundläggande granskning 2021, Älvsbyn",
     "//audits/reviews/2021-2560"),
    ("2022/12-2.2.0.1", "Reviderat förstudiedirektiv HR, avgränsat till lön (Rev B)", ""),
    ("2022/13-2.2.0.1", "Budget 2023", ""),
    ("2022/14-2.2.0.1", "Slutrapport förstudie e-learning", ""),
    ("2022/15-2.2.0.1", "Aktuella och pågående aktiviteter", ""),
    ("2022/16-2.2.0.1", "Revidering av nämndens reglemente och samverkansavtal", ""),
    ("2022/17-1.1.1.2", "Delårsrapport januari–maj 2022", ""),
]

# Justering of the 22 June 2022 protocol (a Wednesday a week after the
# meeting; the notice deadline is the second day after it, 2022-07-01).
ADJUSTED_0622 = (2022, 6, 29)
ADJUSTERS_0622 = [ADJUSTER]

# The members' notices of that justering on their notice boards (anslag), in
# the order they were posted. Illustrative. Övertorneå posts late (after the
# 2022-07-01 deadline); as the last posting it starts the three-week appeal
# period: appeal deadline 2022-07-25, legal force from 2022-07-26.
NOTICES_0622 = [
    ("2580", (2022, 6, 29)),  # Luleå, the host municipality
    ("2582", (2022, 6, 29)),  # Boden
    ("2581", (2022, 6, 29)),  # Piteå
    ("2584", (2022, 6, 29)),  # Kiruna
    ("2523", (2022, 6, 29)),  # Gällivare
    ("2514", (2022, 6, 29)),  # Kalix
    ("2505", (2022, 6, 30)),  # Arvidsjaur
    ("2506", (2022, 6, 30)),  # Arjeplog
    ("2583", (2022, 6, 30)),  # Haparanda
    ("2510", (2022, 6, 30)),  # Jokkmokk
    ("2560", (2022, 6, 30)),  # Älvsbyn
    ("2521", (2022, 7, 1)),   # Pajala
    ("2513", (2022, 7, 1)),   # Överkalix
    ("2518", (2022, 7, 4)),   # Övertorneå, late
]

# The decisions of 22 June 2022, in the order they were handled (§ 8-16).
# Texts follow the protocol's gist; they are not verbatim quotes.
DECISIONS = [
    dict(
        number=8,
        case="2022/9-2.2.0.1",
        kind="DECISION_KIND_ADOPT",
        text=("E-nämnden beslutar att ta med revisorernas synpunkter och rekommendationer "
              "i nämndens utvecklingsarbete. Nämnden hänvisar till verksamhetsplanen för "
              "2022, antagen 2021-12-16, som innehåller ett årshjul och direktiv för "
              "rapportering till nämnden."),
        summary=("Kiruna och Gällivare kommuners revisorer har genomfört en grundläggande "
                 "granskning av e-nämnden för 2021. Revisorerna rekommenderar nämnden att "
                 "upprätta ett årshjul med direktiv för rapportering till nämnden."),
        documents=["Revisionsrapport: Grundläggande granskning 2021, Kiruna och Gällivare "
                   "kommuners revisorer",
                   "Verksamhetsplan 2022"],
        recipients=["2523", "2584"],
    ),
    dict(
        number=9,
        case="2022/10-2.2.0.1",
        kind="DECISION_KIND_ADOPT",
        text=("E-nämnden beslutar att ta med revisorernas synpunkter och rekommendationer "
              "i nämndens utvecklingsarbete. Nämnden hänvisar till kontrollmomenten i "
              "verksamhetsplanen för 2022; uppföljningen av samtliga kontrollmoment "
              "återrapporteras i delårsrapport 2."),
        summary=("Arvidsjaurs kommuns revisorer har genomfört en grundläggande granskning "
                 "av e-nämnden för 2021 och rekommenderar nämnden att följa upp samtliga "
                 "kontrollmoment i internkontrollplanen."),
        documents=["Revisionsrapport: Grundläggande granskning 2021, Arvidsjaurs kommuns "
                   "revisorer",
                   "Kf 41, Arvidsjaurs kommun",
                   "Verksamhetsplan 2022"],
        recipients=["2505"],
    ),
    dict(
        number=10,
        case="2022/11-2.2.0.1",
        kind="DECISION_KIND_NOTE_AND_FILE",
        text="E-nämnden beslutar att lägga informationen till handlingarna.",
        summary=("Älvsbyns kommuns revisorer har genomfört en grundläggande granskning av "
                 "e-nämnden för 2021. Revisorerna lämnar inga rekommendationer men noterar "
                 "att tillämpningsanvisningar till attestreglementet saknas."),
        documents=["Revisionsrapport: Grundläggande granskning 2021, Älvsbyns kommuns "
                   "revisorer"],
        recipients=[],
    ),
    dict(
        number=11,
        case="2022/12-2.2.0.1",
        kind="DECISION_KIND_NOTE_AND_FILE",
        text="E-nämnden beslutar att lägga informationen till handlingarna.",
        summary=("Förstudiedirektivet för HR har reviderats (Rev B): förstudiens omfattning "
                 "har avgränsats från samtliga HR-processer till enbart lön. Styrgruppen "
                 "beslutade om revideringen 2022-05-04."),
        documents=["Förstudiedirektiv Rev B",
                   "Protokoll styrgruppen 2022-05-04"],
        recipients=[],
    ),
    dict(
        number=12,
        case="2022/13-2.2.0.1",
        kind="DECISION_KIND_APPROVE",
        text=("E-nämnden beslutar att godkänna budget 2023. Protokollet kompletteras med "
              "kostnaden per kommun för rollen e-tjänsteutvecklare."),
        summary=("Förslag till budget 2023 med fördelning per medlemskommun. Budgeten är "
                 "uppräknad med arbetskostnadsindex (AKI) enligt samverkansavtalet."),
        meeting_notes=("En ledamot efterfrågar kostnaden per kommun för rollen "
                       "e-tjänsteutvecklare, som saknas i underlaget. Protokollet ska "
                       "kompletteras med den uppgiften."),
        proposals=[(CHAIR, "Ordföranden föreslår att e-nämnden godkänner budget 2023.")],
        order_put="Ordföranden ställer proposition på eget förslag och finner det bifallet.",
        documents=["Budget 2023, fördelning 2023, budget 2022"],
        recipients=[],
    ),
    dict(
        number=13,
        case="2022/14-2.2.0.1",
        kind="DECISION_KIND_NOTE_AND_FILE",
        text="E-nämnden beslutar att lägga slutrapporten till handlingarna.",
        summary=("Förstudien om e-learning, med sex av de fjorton medlemskommunerna som "
                 "deltagare, har avslutats och slutrapporten redovisas för nämnden."),
        documents=["Förstudierapport e-learning rev A 22-06-13",
                   "Presentation av förstudierapport e-learning"],
        recipients=[],
    ),
    dict(
        number=14,
        case="2022/15-2.2.0.1",
        kind="DECISION_KIND_NOTE_AND_FILE",
        text="E-nämnden beslutar att lägga informationen till handlingarna.",
        summary=("Lägesrapport över nämndens aktiviteter: gemensamt datacenter i drift sedan "
                 "2021 med tre kommuner migrerade och fler under migrering, upphandling av "
                 "verksamhetssystem för socialtjänsten med rekrytering av en gemensam "
                 "förvaltningsorganisation, projektet elevhälsosystem enligt plan, "
                 "e-tjänsteplattformen i drift sedan 2017 och e-arkiv sedan 2019."),
        documents=[],
        recipients=[],
    ),
    dict(
        number=15,
        case="2022/16-2.2.0.1",
        kind="DECISION_KIND_NOTE_AND_FILE",
        text="E-nämnden beslutar att lägga informationen till handlingarna.",
        summary=("Information om arbetet med att revidera nämndens reglemente och "
                 "samverkansavtalet mellan medlemskommunerna."),
        documents=[],
        recipients=[],
    ),
    dict(
        number=16,
        case="2022/17-1.1.1.2",
        kind="DECISION_KIND_APPROVE",
        text="E-nämnden beslutar att godkänna delårsrapporten för januari–maj 2022.",
        summary=("Delårsrapport januari–maj 2022: intäkter 1 792 tkr och kostnader "
                 "1 673 tkr; avvikelsen redovisas som 120 tkr eftersom avrundningen görs "
                 "på exakta belopp."),
        documents=[],
        recipients=["2580"],
    ),
]


# ------------------------------------------------------------------ stubs

grpc = None
meetings_pb2 = None
meetings_pb2_grpc = None
common_pb2 = None


def import_stubs(stubs_dir=None):
    """Imports grpc and the generated modules; stubs_dir goes first on sys.path."""
    global grpc, meetings_pb2, meetings_pb2_grpc, common_pb2
    if meetings_pb2 is not None and stubs_dir is None:
        return
    grpc, (common_pb2, meetings_pb2, meetings_pb2_grpc) = demo_common.import_stubs(
        stubs_dir, ["enamnd.common.v1.common_pb2", "enamnd.meetings.v1.meetings_pb2",
                    "enamnd.meetings.v1.meetings_pb2_grpc"])


# ------------------------------------------------------------------ helpers

def _person(name):
    return meetings_pb2.Person(display_name=name)


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    meetings_stub = meetings_pb2_grpc.MeetingsServiceStub(channel)

    def list_municipalities(t):
        meetings_stub.ListMunicipalities(meetings_pb2.ListMunicipalitiesRequest(page_size=1),
                                         timeout=t)

    demo_common.wait_until_serving(channel, list_municipalities, timeout,
                                   service="the meetings service")


# ------------------------------------------------------------------ loading

def _body_proto():
    seats = []
    for code, short, _, _ in MUNICIPALITIES:
        seats.append(meetings_pb2.Seat(
            municipality="municipalities/" + code,
            member=_person("Ledamot " + short),
            substitute=_person("Ersättare " + short),
            term_start=_date(TERM[0]),
            term_end=_date(TERM[1]),
        ))
    return meetings_pb2.Body(display_name=BODY_DISPLAY_NAME,
                             kind=meetings_pb2.Body.KIND_COMMITTEE, seats=seats)


def _attendance_0622():
    seats = []
    for code, _, _, _ in MUNICIPALITIES:
        seats.append(meetings_pb2.SeatAttendance(
            municipality="municipalities/" + code,
            member_present=code not in ABSENT_0622,
            substitute_served=code in SUBSTITUTE_SERVED_0622,
        ))
    return meetings_pb2.Attendance(
        seats=seats,
        others_present=[_person(n) for n in OTHERS_PRESENT_0622],
        chair=_person(CHAIR),
        secretary=_person(SECRETARY),
        adjusters=[_person(ADJUSTER)],
    )


def _case_name(case_number):
    year, rest = case_number.split("/", 1)
    return f"cases/{year}-{rest.split('-', 1)[0]}"


def _paragraph_proto(d, titles):
    p = meetings_pb2.Paragraph(
        case=_case_name(d["case"]),
        title=titles[d["case"]],
        decision=meetings_pb2.Decision(kind=meetings_pb2.DecisionKind.Value(d["kind"]),
                                       text=d["text"]),
        summary=d["summary"],
        meeting_notes=d.get("meeting_notes", ""),
        documents=[meetings_pb2.Document(title=t) for t in d["documents"]],
        recipients=[meetings_pb2.Recipient(municipality="municipalities/" + c)
                    for c in d["recipients"]],
    )
    if "order_put" in d:
        p.procedure.CopyFrom(meetings_pb2.DecisionProcedure(
            proposals=[meetings_pb2.Proposal(mover=_person(m), text=t)
                       for m, t in d.get("proposals", [])],
            order_put=d["order_put"],
        ))
    return p


def count_resources(stub):
    """Totals as the service lists them."""
    M = meetings_pb2
    return {
        "municipalities": len(_list_all(stub.ListMunicipalities,
                                         M.ListMunicipalitiesRequest(page_size=100),
                                         "municipalities")),
        "bodies": len(_list_all(stub.ListBodies, M.ListBodiesRequest(page_size=100), "bodies")),
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
            for b in _list_all(stub.ListBodies, M.ListBodiesRequest(page_size=100), "bodies")),
    }


def find_protocol_adjustment(stub, meeting):
    """The meeting's PROTOCOL adjustment (justering of the whole protocol), or None."""
    for a in _list_all(stub.ListAdjustments,
                       meetings_pb2.ListAdjustmentsRequest(parent=meeting, page_size=100),
                       "adjustments"):
        if a.kind == meetings_pb2.Adjustment.KIND_PROTOCOL:
            return a
    return None


def _adjust_0622(stub, created, notes):
    """Adjusts the 22 June protocol unless it is; returns the adjustment or None."""
    M = meetings_pb2
    adjustment = find_protocol_adjustment(stub, MEETING_0622)
    if adjustment is not None:
        return adjustment
    try:
        adjustment = stub.AdjustProtocol(M.AdjustProtocolRequest(
            meeting=MEETING_0622, chair=_person(CHAIR),
            adjusters=[_person(n) for n in ADJUSTERS_0622],
            adjusted_date=_date(ADJUSTED_0622), request_id="demo-adjust-2022-06-22"),
            timeout=30)
    except grpc.RpcError as e:
        if _in_future(e):
            notes.append(f"{MEETING_0622} not adjusted: the service's today is before "
                         f"{_ymd(ADJUSTED_0622)} ({e.details()})")
            return None
        if e.code() == grpc.StatusCode.FAILED_PRECONDITION:
            # Adjusted meanwhile by someone else?
            adjustment = find_protocol_adjustment(stub, MEETING_0622)
            if adjustment is not None:
                return adjustment
        raise LoadError(f"AdjustProtocol({MEETING_0622}) failed: {_describe(e)}") from e
    created["adjustments"] += 1
    return adjustment


def _post_notices_0622(stub, adjustment, created, notes):
    """Records the members' notices not yet recorded; returns the adjustment."""
    M = meetings_pb2
    posted = {n.municipality for n in adjustment.notices}
    required = set(adjustment.required_municipalities)
    for code, ymd in NOTICES_0622:
        municipality = "municipalities/" + code
        if municipality in posted or municipality not in required:
            continue
        try:
            adjustment = stub.RecordNoticePosting(M.RecordNoticePostingRequest(
                adjustment=adjustment.name, municipality=municipality,
                posted_date=_date(ymd)), timeout=30)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.ALREADY_EXISTS:
                continue  # posted meanwhile
            if _in_future(e):
                notes.append(f"{municipality} has not posted the notice yet: "
                             f"{_ymd(ymd)} is after the service's today")
                continue
            raise LoadError(f"RecordNoticePosting({adjustment.name}, {municipality}, "
                            f"{_ymd(ymd)}) failed: {_describe(e)}") from e
        created["notices"] += 1
    return stub.GetAdjustment(M.GetAdjustmentRequest(name=adjustment.name), timeout=30)


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


def load(channel, wait_timeout=30.0):
    """Loads the demo data through `channel`; returns what it found and did.

    Returns a dict with
      created:      how many resources this run created (or recorded), per kind;
      counts:       totals the service lists afterwards, per kind;
      decisions:    the 22 June 2022 paragraphs (number, case_number, kind,
                    title, recipients) in § order;
      legal_states: § number -> legal state name (DRAFT, ADJUSTED, ...);
      adjustment:   the justering of 22 June 2022 (name, sha256, dates,
                    notices; see _adjustment_summary), or None;
      notes:        what could not be loaded and why (e.g. days after the
                    service's today).
    Raises LoadError with a readable message on failure.
    """
    import_stubs()
    wait_until_serving(channel, wait_timeout)
    M = meetings_pb2
    stub = meetings_pb2_grpc.MeetingsServiceStub(channel)
    created = dict(municipalities=0, bodies=0, meetings=0, attendance=0, cases=0, paragraphs=0,
                   adjustments=0, notices=0)
    display = {}
    notes = []

    try:
        # Municipalities.
        for code, _, name, population in MUNICIPALITIES:
            m, new = _create(
                f"municipalities/{code}",
                lambda: stub.CreateMunicipality(M.CreateMunicipalityRequest(
                    municipality_id=code,
                    municipality=M.Municipality(display_name=name, population=population,
                                                population_date=_date(POPULATION_DATE)),
                    request_id=f"demo-municipality-{code}"), timeout=30),
                lambda: stub.GetMunicipality(
                    M.GetMunicipalityRequest(name=f"municipalities/{code}"), timeout=30))
            created["municipalities"] += new
            display[m.name] = m.display_name

        # The committee.
        _, new = _create(
            BODY,
            lambda: stub.CreateBody(M.CreateBodyRequest(
                body_id=BODY_ID, body=_body_proto(), request_id="demo-body-" + BODY_ID),
                timeout=30),
            lambda: stub.GetBody(M.GetBodyRequest(name=BODY), timeout=30))
        created["bodies"] += new

        # § 1-7 of 2022 were held on paper in March: 22 June starts at § 8.
        try:
            stub.StartParagraphSeries(M.StartParagraphSeriesRequest(
                body=BODY, year=2022, next_number=8), timeout=30)
        except grpc.RpcError as e:
            raise LoadError(f"StartParagraphSeries({BODY}, 2022, 8) failed: {_describe(e)}; "
                            "the body already has 2022 paragraphs numbered differently") from e

        # The 2022 schedule.
        for ymd, start, end, state in MEETINGS_2022:
            meeting_id = "%04d-%02d-%02d" % ymd
            name = f"{BODY}/meetings/{meeting_id}"
            _, new = _create(
                name,
                lambda: stub.CreateMeeting(M.CreateMeetingRequest(
                    parent=BODY,
                    meeting=M.Meeting(date=_date(ymd),
                                      start_time=common_pb2.TimeOfDay(hours=start),
                                      end_time=common_pb2.TimeOfDay(hours=end),
                                      location=MEETING_LOCATION,
                                      state=M.Meeting.State.Value(state)),
                    request_id=f"demo-meeting-{meeting_id}"), timeout=30),
                lambda: stub.GetMeeting(M.GetMeetingRequest(name=name), timeout=30))
            created["meetings"] += new

        # Attendance of 22 June, only while none is recorded (recording it
        # again would replace whatever is there and publish a new event).
        meeting = stub.GetMeeting(M.GetMeetingRequest(name=MEETING_0622), timeout=30)
        if not meeting.HasField("attendance"):
            stub.RecordAttendance(M.RecordAttendanceRequest(
                meeting=MEETING_0622, attendance=_attendance_0622(), etag=meeting.etag),
                timeout=30)
            created["attendance"] += 1
        elif ((meeting.attendance.chair.display_name != CHAIR
               or [p.display_name for p in meeting.attendance.adjusters] != ADJUSTERS_0622)
              and find_protocol_adjustment(stub, MEETING_0622) is None):
            # Data of an older loader named the chair and the adjuster by
            # role; the justering needs them as the body's members. Only
            # possible before the protocol is adjusted (then it is locked).
            attendance = M.Attendance()
            attendance.CopyFrom(meeting.attendance)
            attendance.chair.CopyFrom(_person(CHAIR))
            del attendance.adjusters[:]
            attendance.adjusters.extend(_person(n) for n in ADJUSTERS_0622)
            try:
                stub.RecordAttendance(M.RecordAttendanceRequest(
                    meeting=MEETING_0622, attendance=attendance, etag=meeting.etag),
                    timeout=30)
            except grpc.RpcError as e:
                raise LoadError(f"updating the chair and adjuster of {MEETING_0622} failed: "
                                f"{_describe(e)}") from e
            created["attendance"] += 1

        # Cases.
        titles = {}
        for case_number, title, subject in CASES:
            name = _case_name(case_number)
            c, new = _create(
                name,
                lambda: stub.CreateCase(M.CreateCaseRequest(
                    case=M.Case(case_number=case_number, title=title, subject=subject),
                    request_id="demo-case-" + name.split("/", 1)[1]), timeout=30),
                lambda: stub.GetCase(M.GetCaseRequest(name=name), timeout=30))
            if c.case_number != case_number:
                raise LoadError(f"{name} holds case number {c.case_number}, expected {case_number}")
            created["cases"] += new
            titles[case_number] = c.title

        # Decisions, in § order. A paragraph is recorded only if the meeting
        # has none for the case yet.
        for d in DECISIONS:
            existing = stub.ListParagraphs(M.ListParagraphsRequest(
                parent=MEETING_0622, filter=f'case = "{_case_name(d["case"])}"'), timeout=30)
            if existing.paragraphs:
                continue
            try:
                p = stub.RecordDecision(M.RecordDecisionRequest(
                    parent=MEETING_0622, paragraph=_paragraph_proto(d, titles),
                    request_id=f"demo-2022-06-22-p{d['number']}"), timeout=30)
            except grpc.RpcError as e:
                raise LoadError(f"recording § {d['number']} ({d['case']}) failed: "
                                f"{_describe(e)}") from e
            created["paragraphs"] += 1
            if p.number != d["number"]:
                raise LoadError(f"{d['case']} was recorded as § {p.number}, expected "
                                f"§ {d['number']}: {BODY} already had other 2022 paragraphs")

        # Justering of the protocol, then the members' notices of it. The
        # postings are recorded in the order they happened, so the last one
        # (Övertorneå's) completes the set and starts the appeal period.
        adjustment = _adjust_0622(stub, created, notes)
        if adjustment is not None:
            adjustment = _post_notices_0622(stub, adjustment, created, notes)

        paragraphs = _list_all(stub.ListParagraphs,
                               M.ListParagraphsRequest(parent=MEETING_0622, page_size=100),
                               "paragraphs")
        counts = count_resources(stub)
    except grpc.RpcError as e:
        raise LoadError(f"the meetings service failed: {_describe(e)}") from e

    decisions = []
    for p in sorted(paragraphs, key=lambda p: p.number):
        decisions.append(dict(
            number=p.number,
            case_number=p.case_number,
            kind=M.DecisionKind.Name(p.decision.kind),
            title=p.title,
            recipients=[r.municipality or r.named for r in p.recipients],
        ))
    legal_states = {p.number: M.Paragraph.LegalState.Name(p.legal_state) for p in paragraphs}
    return dict(created=created, counts=counts, decisions=decisions, municipalities=display,
                legal_states=legal_states,
                adjustment=(_adjustment_summary(adjustment, display)
                            if adjustment is not None else None),
                notes=notes)


def print_summary(result, out=sys.stdout):
    created, counts = result["created"], result["counts"]
    print("Demo data of Norrbottens e-nämnd loaded.", file=out)
    print("  created now: " + ", ".join(f"{k} {v}" for k, v in created.items()), file=out)
    print("  in service:  " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=out)
    print(f"  {MEETING_0622}:", file=out)
    names = result.get("municipalities", {})
    states = result.get("legal_states", {})
    for d in result["decisions"]:
        to = ", ".join(names.get(r, r) for r in d["recipients"]) or "-"
        state = states.get(d["number"], "")
        print(f"    § {d['number']:<3} {d['case_number']:<16} {d['kind']:<14} {state:<9}"
              f"{d['title']}  [skickas till: {to}]", file=out)
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
    for note in result.get("notes", []):
        print(f"  note: {note}", file=out)


def write_facts(result, path):
    """KEY=VALUE lines for scripts (tools/up): the justering of 22 June 2022."""
    a = result.get("adjustment") or {}
    facts = dict(
        adjustment=a.get("name", ""),
        sha256=a.get("sha256", ""),
        adjusted_date=a.get("adjusted_date", ""),
        notice_deadline=a.get("notice_deadline", ""),
        notices_posted=str(len(a.get("notices", []))),
        notices_required=str(a.get("required", 0)),
        appeal_deadline=a.get("appeal_deadline", ""),
        legal_force_date=a.get("legal_force_date", ""),
        finalized="yes" if a.get("finalized") else "no",
    )
    Path(path).write_text("".join(f"{k}={v}\n" for k, v in facts.items()), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", default=os.environ.get("ENAMND_MEETINGS_ADDR",
                                                             "127.0.0.1:50051"),
                        help="host:port of enamnd-meetings (default 127.0.0.1:50051)")
    parser.add_argument("--stubs", default=None,
                        help="directory of the generated Python stubs "
                             "(default $ENAMND_PY_STUBS or <repo>/build/python)")
    parser.add_argument("--wait", type=float, default=30.0,
                        help="seconds to wait for the service to be SERVING (default 30)")
    parser.add_argument("--facts", default=None, metavar="FILE",
                        help="also write KEY=VALUE lines about the justering of 22 June 2022 "
                             "(adjustment, sha256, notice_deadline, appeal_deadline, "
                             "legal_force_date, ...) to FILE")
    args = parser.parse_args(argv)
    try:
        import_stubs(args.stubs or default_stubs_dir())
        with grpc.insecure_channel(args.meetings, options=CHANNEL_OPTIONS) as channel:
            result = load(channel, wait_timeout=args.wait)
    except LoadError as e:
        print(f"load_demo: error: {e}", file=sys.stderr)
        return 1
    print_summary(result)
    if args.facts:
        write_facts(result, args.facts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
