#!/usr/bin/python3
"""Loads the audits demo data of Norrbottens e-nämnd into the audits service.

Usage:
    /usr/bin/python3 tools/demo/load_audits_demo.py --audits 127.0.0.1:50052 [--stubs build/python]

It talks to enamnd-audits only through its public gRPC API (no SQL). What it
loads:

  * the members' basic reviews (grundläggande granskning) of 2021 that the
    committee handled on 22 June 2022: by Kiruna and Gällivare together
    (reviews/2021-2584), by Arvidsjaur (reviews/2021-2505) and by Älvsbyn
    (reviews/2021-2560), with the three assessments, findings and report
    dates;
  * the auditors' recommendations and their follow-up: Kiruna and Gällivare
    give one shared recommendation (an annual reporting wheel, årshjul, with
    directives for reporting to the committee), Arvidsjaur one (follow up all
    control points of the internal control plan), Älvsbyn none (its finding
    is that application rules for the attestation regulation are missing).
    Both recommendations are IN_PROGRESS with an action, the coordinator
    (Samordnaren) responsible;
  * the members' councils' discharge (ansvarsfrihet) for 2021: GRANTED;
  * the reporting wheel reporting-years/2022 (budget, interim reports,
    internal control follow-ups, the auditors' reviews, the annual report),
    with what was reported at the 22 June 2022 meeting marked as reported,
    and reporting-years/2023 copied from it;
  * the internal control plan control-plans/2022 with six control points and
    their follow-ups; one point (invoicing per municipality) was not followed
    up by its reporting moment of 22 June 2022, so ListMissedControlPoints
    shows it, and the wheel's internal control follow-up of that day is
    overdue.

Dates are illustrative where the protocol does not give them (report dates,
discharge decisions, follow-ups, the wheel's due dates); they are chosen on
or before 2022-07-08, the legal calendar's today that tools/up pins. A day
after the service's today is left out and reported (a note), not an error.

The committee's handling of each review (§ 8, § 9, § 10 of 22 June 2022) is
not loaded here: the audits service links it from the meetings service's
DecisionRecorded events (stream enamnd:events:meetings, consumer group
audits), asynchronously. The loader waits up to --handlings-wait seconds for
those links and says so in its notes if they have not arrived.

Running it again changes nothing: every create carries a deterministic
request_id and looks the resource up first, ALREADY_EXISTS is treated as
"look it up instead", a recommendation is created only if its review has none
with the same text (so even a service whose request_id table was wiped gets
no duplicates), it is moved to IN_PROGRESS only while it is OPEN, a discharge
only for a member without one, a moment is marked reported only while it is
not, and a follow-up is recorded only if its point has none of that day.

Loading history after the fact has one visible effect: the service's deadline
job runs after every commit, so between creating the 2022 wheel (or a control
point) and marking its moments reported (or recording the point's follow-up)
it may raise MomentOverdue (or ControlPointMissed) for moments and points
that the next call reports as done. How many depends on timing; they are
raised once each and never again.

Tests import this module and call load(channel) -> dict; main() is the
command line. The generated Python stubs are found through --stubs, else
env ENAMND_PY_STUBS, else <repo>/build/python.
"""

import argparse
import os
import sys
import time
from pathlib import Path

# demo_common lives next to this file: importable whether this runs as a
# script or is imported as a module (tests put tools/demo on sys.path).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import (  # noqa: E402,F401 (re-exported: tests use load_audits_demo.*)
    CHANNEL_OPTIONS, REPO_ROOT, RPC_TIMEOUT, LoadError, _create, _date, _day, _describe,
    _in_future, _list_all, _ymd, default_stubs_dir)

# The municipalities the demo's audits concern (SCB code -> short name).
MUNICIPALITY_NAMES = {
    "2584": "Kiruna",
    "2523": "Gällivare",
    "2505": "Arvidsjaur",
    "2560": "Älvsbyn",
}

MEETING_0622 = "bodies/e-namnden/meetings/2022-06-22"

# The basic reviews of 2021. The auditors' conclusions follow the committee's
# protocol of 22 June 2022 (§ 8-10) in gist; the wording of the assessments
# and the report dates are illustrative. `paragraph` is the § of 22 June 2022
# whose case names the review as its subject (set by tools/demo/load_demo.py):
# the audits service links it from the meetings stream.
REVIEWS = [
    dict(
        id="2021-2584",
        auditors=["2584", "2523"],
        title="Grundläggande granskning 2021, Kiruna och Gällivare kommuners revisorer",
        report_date=(2022, 4, 7),
        assessments=dict(
            appropriate_administration=(
                "ANSWER_YES", "8 av 8 verksamhetsmål uppfyllda."),
            financially_satisfactory=(
                "ANSWER_YES", "Verksamheten bedrivs inom budget; kostnaderna fördelas på "
                       "medlemskommunerna enligt samverkansavtalet."),
            internal_control=(
                "ANSWER_IN_ALL_ESSENTIALS", "Internkontrollplan finns, men rapporteringen till "
                                     "nämnden saknar ett årshjul med direktiv."),
        ),
        findings=["Nämnden saknar ett årshjul med direktiv för när och hur rapportering "
                  "till nämnden ska ske."],
        paragraph=8,
    ),
    dict(
        id="2021-2505",
        auditors=["2505"],
        title="Grundläggande granskning 2021, Arvidsjaurs kommuns revisorer",
        report_date=(2022, 3, 31),
        assessments=dict(
            appropriate_administration=(
                "ANSWER_YES", "8 av 8 verksamhetsmål uppfyllda."),
            financially_satisfactory=(
                "ANSWER_YES", "Verksamheten bedrivs inom den budget som medlemskommunerna "
                       "tillskjutit."),
            internal_control=(
                "ANSWER_IN_ALL_ESSENTIALS", "Samtliga kontrollmoment i internkontrollplanen har "
                                     "inte följts upp."),
        ),
        findings=["Samtliga kontrollmoment i internkontrollplanen 2021 har inte följts upp "
                  "och återrapporterats till nämnden."],
        paragraph=9,
    ),
    dict(
        id="2021-2560",
        auditors=["2560"],
        title="Grundläggande granskning 2021, Älvsbyns kommuns revisorer",
        report_date=(2022, 4, 12),
        assessments=dict(
            appropriate_administration=(
                "ANSWER_YES", "8 av 8 verksamhetsmål uppfyllda."),
            financially_satisfactory=(
                "ANSWER_YES", "Verksamheten bedrivs inom budget."),
            internal_control=(
                "ANSWER_IN_ALL_ESSENTIALS", "Tillämpningsanvisningar till attestreglementet "
                                     "saknas."),
        ),
        findings=["Tillämpningsanvisningar till attestreglementet saknas."],
        paragraph=10,
    ),
]

# The members' councils' decisions on discharge for 2021: (review id, SCB
# code, decided date, reference). Illustrative: the demo does not know the
# councils' real dates and paragraphs; only "Kf 41" of Arvidsjaur is named in
# the protocol of 22 June 2022 (§ 9). All in spring 2022, after the reports.
DISCHARGES = [
    ("2021-2584", "2584", (2022, 5, 30), ""),         # Kiruna
    ("2021-2584", "2523", (2022, 4, 25), ""),         # Gällivare
    ("2021-2505", "2505", (2022, 4, 25), "Kf § 41"),  # Arvidsjaur
    ("2021-2560", "2560", (2022, 5, 2), ""),          # Älvsbyn
]

# The auditors' recommendations, followed up by the coordinator. `key` makes
# the request_id; each is created OPEN and then moved to IN_PROGRESS with its
# action (the committee took them into its development work on 22 June).
RECOMMENDATIONS = [
    dict(
        review="2021-2584",
        key="arshjul",
        text=("Upprätta ett årshjul med direktiv för rapportering till nämnden."),
        given_by=["2584", "2523"],
        responsible="Samordnaren",
        due_date=(2022, 12, 31),
        actions=[dict(
            description=("Årshjulet för 2022 med rapporteringstillfällen och direktiv för "
                         "rapporteringen till nämnden läggs upp; årshjulet för 2023 tas fram "
                         "ur det och redovisas för nämnden i december."),
            responsible="Samordnaren",
            due_date=(2022, 12, 14),
        )],
    ),
    dict(
        review="2021-2505",
        key="kontrollmoment",
        text="Följ upp samtliga kontrollmoment i internkontrollplanen.",
        given_by=["2505"],
        responsible="Samordnaren",
        due_date=(2022, 9, 30),
        actions=[dict(
            description=("Samtliga kontrollmoment i internkontrollplanen 2022 följs upp och "
                         "återrapporteras till nämnden i delårsrapport 2."),
            responsible="Samordnaren",
            due_date=(2022, 9, 30),
        )],
    ),
]

# The reporting wheel (årshjul) of 2022: (id, kind, title, due date,
# description, reported: (date, reference) or None). The due dates are the
# committee's 2022 meeting days (16 Mar, 22 Jun, 12 Oct, 14 Dec) where a
# report goes to a meeting, and 15 March 2023 for the annual report;
# illustrative. Reported are what the 22 June 2022 meeting handled: budget
# 2023 (§ 12), the interim report January-May (§ 16) and the reviews
# (§ 8-10). The first internal control follow-up of that day was not
# reported (a control point was not followed up): it is overdue. Titles and
# descriptions name no year: CopyReportingYear carries them over unchanged.
REPORTING_YEAR = 2022
COPY_TO_YEAR = 2023
MOMENTS_2022 = [
    ("verksamhetsplan-budget", "KIND_PLAN_AND_BUDGET", "Verksamhetsplan och budget för nästa år",
     (2022, 6, 22),
     "Budgeten för nästa år med fördelning per medlemskommun till junisammanträdet; "
     "verksamhetsplanen med mål och internkontrollplan antas senast i december.",
     ((2022, 6, 22), "§ 12, 2022-06-22")),
    ("delarsrapport-1", "KIND_INTERIM_REPORT", "Delårsrapport 1, januari–maj", (2022, 6, 22),
     "Utfall och prognos mot budget, måluppfyllelse; till nämnden och medlemskommunerna.",
     ((2022, 6, 22), "§ 16, 2022-06-22")),
    ("intern-kontroll-1", "KIND_INTERNAL_CONTROL_FOLLOW_UP",
     "Uppföljning av internkontrollplanen, första tertialen", (2022, 6, 22),
     "Resultatet av kontrollmomenten som följs upp varje tertial, till nämnden.",
     None),
    ("granskning", "KIND_REVIEW", "Revisorernas grundläggande granskning av föregående år",
     (2022, 6, 22),
     "Nämnden behandlar medlemskommunernas revisionsrapporter och beslutar hur "
     "rekommendationerna tas om hand.",
     ((2022, 6, 22), "§ 8–10, 2022-06-22")),
    ("delarsrapport-2", "KIND_INTERIM_REPORT", "Delårsrapport 2, januari–augusti", (2022, 10, 12),
     "Utfall och prognos mot budget, måluppfyllelse och återrapportering av samtliga "
     "kontrollmoment i internkontrollplanen (som nämnden beslutade 2022-06-22, § 9).",
     None),
    ("intern-kontroll", "KIND_INTERNAL_CONTROL_FOLLOW_UP",
     "Uppföljning av internkontrollplanen, helår", (2022, 12, 14),
     "Samtliga kontrollmoment följs upp och rapporteras till nämnden.",
     None),
    ("arsredovisning", "KIND_ANNUAL_REPORT", "Årsredovisning", (2023, 3, 15),
     "Verksamhetsberättelse, bokslut och måluppfyllelse; till medlemskommunerna och "
     "revisorerna.",
     None),
]

# The internal control plan of 2022, adopted with the operational plan for
# 2022 on 2021-12-16 (illustrative; the protocol names the plan, not its
# points). Risk value = probability x consequence (1-4 each). A follow-up is
# (date, outcome, deviations, followed up by); None: not followed up. The
# order matters a little: the deadline job runs after commits that publish
# (a follow-up does, creating a point does not), so the follow-up recorded
# after fakturering-per-kommun makes it raise ControlPointMissed for that
# point at once rather than at its next periodic run (a minute later).
CONTROL_PLAN = dict(year=2022, title="Internkontrollplan 2022", adopted_date=(2021, 12, 16))
CONTROL_POINTS = [
    dict(id="attest", process="Attest av leverantörsfakturor", risk_value=12,
         what_is_checked="Att fakturor attesteras av behörig attestant enligt "
                         "attestreglementet.",
         how="Stickprov om 20 fakturor per tertial i ekonomisystemet.",
         responsible="Samordnaren", frequency="varje tertial", moment="intern-kontroll-1",
         follow_up=((2022, 6, 15), "OUTCOME_DEVIATION",
                    "2 av 20 fakturor attesterades av en person utan delegation. "
                    "Tillämpningsanvisningar till attestreglementet tas fram och "
                    "attestantförteckningen uppdateras.",
                    "Ekonom, Luleå kommun")),
    dict(id="avtalsuppfoljning", process="Avtalsuppföljning", risk_value=9,
         what_is_checked="Att ramavtalen följs upp enligt rutinen och att avtal som löper ut "
                         "upphandlas i tid.",
         how="Genomgång av avtalsregistret: uppföljningsdatum, slutdatum och "
             "förlängningsoptioner.",
         responsible="Samordnaren", frequency="varje tertial", moment="intern-kontroll-1",
         follow_up=((2022, 6, 20), "OUTCOME_NO_DEVIATION", "", "Samordnaren")),
    dict(id="fakturering-per-kommun", process="Fakturering per kommun", risk_value=8,
         what_is_checked="Att kostnaderna faktureras medlemskommunerna enligt de beslutade "
                         "fördelningsmodellerna.",
         how="Avstämning av fakturaunderlagen mot budgetens fördelning per kommun och mot "
             "e-tjänsteplattformens transaktionsrapporter.",
         responsible="Ekonom, Luleå kommun", frequency="varje tertial",
         moment="intern-kontroll-1",
         follow_up=None),  # not followed up: ListMissedControlPoints shows it
    dict(id="budgetuppfoljning", process="Budgetuppföljning", risk_value=6,
         what_is_checked="Att utfall och prognos stäms av mot budget och att avvikelser "
                         "rapporteras till nämnden.",
         how="Månatlig avstämning av utfall mot budget; avvikelser redovisas i "
             "delårsrapporterna.",
         responsible="Ekonom, Luleå kommun", frequency="månadsvis", moment="delarsrapport-1",
         follow_up=((2022, 6, 10), "OUTCOME_NO_DEVIATION", "", "Ekonom, Luleå kommun")),
    dict(id="behorigheter", process="Informationssäkerhet: behörigheter", risk_value=12,
         what_is_checked="Att behörigheterna i e-tjänsteplattformen och de gemensamma "
                         "systemen motsvarar aktuella uppdrag.",
         how="Behörighetsgenomgång mot personalförändringar i medlemskommunerna.",
         responsible="Samordnaren", frequency="halvårsvis", moment="delarsrapport-2",
         follow_up=None),  # due 2022-10-12: not missed yet
    dict(id="rapportering-till-namnden", process="Rapportering till nämnden", risk_value=6,
         what_is_checked="Att rapporteringen till nämnden sker enligt årshjulet och dess "
                         "direktiv.",
         how="Genomgång av nämndens protokoll mot årshjulets rapporteringstillfällen.",
         responsible="Samordnaren", frequency="årligen", moment="intern-kontroll",
         follow_up=None),  # due 2022-12-14
]


# ------------------------------------------------------------------ stubs

grpc = None
field_mask_pb2 = None
audits_pb2 = None
audits_pb2_grpc = None
common_pb2 = None


def import_stubs(stubs_dir=None):
    """Imports grpc and the generated modules; stubs_dir goes first on sys.path."""
    global grpc, field_mask_pb2, audits_pb2, audits_pb2_grpc, common_pb2
    if audits_pb2 is not None and stubs_dir is None:
        return
    grpc, (audits_pb2, audits_pb2_grpc, common_pb2) = demo_common.import_stubs(
        stubs_dir, ["enamnd.audits.v1.audits_pb2", "enamnd.audits.v1.audits_pb2_grpc",
                    "enamnd.common.v1.common_pb2"])
    from google.protobuf import field_mask_pb2 as fm
    field_mask_pb2 = fm


# ------------------------------------------------------------------ helpers

def _municipality(code):
    return "municipalities/" + code


def _display(municipality):
    code = municipality.rpartition("/")[2]
    return MUNICIPALITY_NAMES.get(code, municipality)


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    audits_stub = audits_pb2_grpc.AuditsServiceStub(channel)

    def list_reviews(t):
        audits_stub.ListReviews(audits_pb2.ListReviewsRequest(page_size=1), timeout=t)

    demo_common.wait_until_serving(channel, list_reviews, timeout,
                                   service="the audits service")


# ------------------------------------------------------------------ loading

def _review_proto(spec):
    A = audits_pb2

    def assessment(pair):
        return A.Assessment(answer=A.Answer.Value(pair[0]), text=pair[1])

    return A.Review(
        year=int(spec["id"].split("-")[0]),
        auditing_municipalities=[_municipality(c) for c in spec["auditors"]],
        kind=A.Review.KIND_BASIC,
        title=spec["title"],
        assessments=A.Assessments(**{k: assessment(v) for k, v in spec["assessments"].items()}),
        findings=spec["findings"],
        report_date=_date(spec["report_date"]),
    )


def _load_reviews(stub, created):
    A = audits_pb2
    for spec in REVIEWS:
        name = "reviews/" + spec["id"]
        review, new = _create(
            name,
            lambda: stub.CreateReview(A.CreateReviewRequest(
                review=_review_proto(spec), request_id="demo-review-" + spec["id"]),
                timeout=RPC_TIMEOUT),
            lambda: stub.GetReview(A.GetReviewRequest(name=name), timeout=RPC_TIMEOUT))
        if review.name != name:
            raise LoadError(f"the review of {spec['auditors']} was created as {review.name}, "
                            f"expected {name}")
        created["reviews"] += new


def _load_discharges(stub, created, notes):
    A = audits_pb2
    for review_id, code, ymd, reference in DISCHARGES:
        name = "reviews/" + review_id
        municipality = _municipality(code)
        review = stub.GetReview(A.GetReviewRequest(name=name), timeout=RPC_TIMEOUT)
        if any(d.municipality == municipality for d in review.discharges):
            continue
        try:
            stub.RecordDischarge(A.RecordDischargeRequest(
                review=name,
                discharge=A.Discharge(municipality=municipality, decision=A.Discharge.DECISION_GRANTED,
                                      decided_date=_date(ymd), reference=reference)),
                timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.ALREADY_EXISTS:
                continue  # recorded meanwhile
            if _in_future(e):
                notes.append(f"discharge of {_display(municipality)} for {name} left out: "
                             f"{_ymd(ymd)} is after the service's today")
                continue
            raise LoadError(f"RecordDischarge({name}, {municipality}) failed: "
                            f"{_describe(e)}") from e
        created["discharges"] += 1


def _load_recommendations(stub, created):
    A = audits_pb2
    for spec in RECOMMENDATIONS:
        review = "reviews/" + spec["review"]
        existing = _list_all(stub.ListRecommendations,
                             A.ListRecommendationsRequest(parent=review, page_size=100),
                             "recommendations")
        rec = next((r for r in existing if r.text == spec["text"]), None)
        if rec is None:
            try:
                rec = stub.CreateRecommendation(A.CreateRecommendationRequest(
                    review=review,
                    recommendation=A.Recommendation(
                        text=spec["text"],
                        given_by=[_municipality(c) for c in spec["given_by"]],
                        status=A.Recommendation.STATUS_OPEN,
                        responsible=spec["responsible"],
                        due_date=_date(spec["due_date"])),
                    request_id=f"demo-recommendation-{spec['review']}-{spec['key']}"),
                    timeout=RPC_TIMEOUT)
            except grpc.RpcError as e:
                raise LoadError(f"creating the recommendation {spec['key']!r} of {review} "
                                f"failed: {_describe(e)}") from e
            if rec.name not in {r.name for r in existing}:
                created["recommendations"] += 1
        # The committee took it into its development work: IN_PROGRESS with
        # an action. Only from OPEN, so a later status is never undone.
        if rec.status != A.Recommendation.STATUS_OPEN:
            continue
        update = A.Recommendation(
            name=rec.name, etag=rec.etag, status=A.Recommendation.STATUS_IN_PROGRESS,
            actions=[A.FollowUpAction(description=a["description"],
                                      responsible=a["responsible"],
                                      due_date=_date(a["due_date"]))
                     for a in spec["actions"]])
        try:
            stub.UpdateRecommendation(A.UpdateRecommendationRequest(
                recommendation=update,
                update_mask=field_mask_pb2.FieldMask(paths=["status", "actions"])),
                timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.ABORTED:
                continue  # changed meanwhile by someone else: leave it
            raise LoadError(f"UpdateRecommendation({rec.name}) to IN_PROGRESS failed: "
                            f"{_describe(e)}") from e
        created["recommendation_updates"] += 1


def _reporting_year_proto(year, moments, with_reported=True):
    """The wheel; moments already reported carry their report, so that the
    deadline job never sees them overdue in between."""
    A = audits_pb2
    result = A.ReportingYear(year=year)
    for moment_id, kind, title, due, description, reported in moments:
        m = result.moments.add(name=moment_id, kind=A.ReportingMoment.Kind.Value(kind),
                               title=title, due_date=_date(due), description=description)
        if with_reported and reported is not None:
            m.reported_date.CopyFrom(_date(reported[0]))
            m.reported_reference = reported[1]
    return result


def _load_reporting_wheel(stub, created, notes):
    A = audits_pb2
    name = f"reporting-years/{REPORTING_YEAR}"
    def create_year():
        try:
            return stub.CreateReportingYear(A.CreateReportingYearRequest(
                reporting_year=_reporting_year_proto(REPORTING_YEAR, MOMENTS_2022),
                request_id=f"demo-reporting-year-{REPORTING_YEAR}"), timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            if not _in_future(e):
                raise
            # The service's today is before the reports: mark them below.
            return stub.CreateReportingYear(A.CreateReportingYearRequest(
                reporting_year=_reporting_year_proto(REPORTING_YEAR, MOMENTS_2022, False),
                request_id=f"demo-reporting-year-{REPORTING_YEAR}-unreported"),
                timeout=RPC_TIMEOUT)

    year, new = _create(
        name, create_year,
        lambda: stub.GetReportingYear(A.GetReportingYearRequest(name=name), timeout=RPC_TIMEOUT))
    created["reporting_years"] += new
    moments = {m.name: m for m in year.moments}
    for moment_id, _, _, _, _, reported in MOMENTS_2022:
        moment_name = f"{name}/moments/{moment_id}"
        if moment_name not in moments:
            notes.append(f"{name} has no moment {moment_id} (created by an older loader?)")
            continue
        if reported is None or moments[moment_name].reported_date.year:
            continue
        ymd, reference = reported
        try:
            stub.MarkMomentReported(A.MarkMomentReportedRequest(
                moment=moment_name, reported_date=_date(ymd), reported_reference=reference),
                timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.ALREADY_EXISTS:
                continue  # reported meanwhile
            if _in_future(e):
                notes.append(f"{moment_name} not marked reported: {_ymd(ymd)} is after the "
                             "service's today")
                continue
            raise LoadError(f"MarkMomentReported({moment_name}) failed: {_describe(e)}") from e
        created["moments_reported"] += 1

    # The next year's wheel: the same moments one year later.
    next_name = f"reporting-years/{COPY_TO_YEAR}"

    def copy():
        return stub.CopyReportingYear(A.CopyReportingYearRequest(name=next_name),
                                      timeout=RPC_TIMEOUT)

    _, new = _create(next_name, copy,
                     lambda: stub.GetReportingYear(A.GetReportingYearRequest(name=next_name),
                                                   timeout=RPC_TIMEOUT))
    created["reporting_years"] += new


def _load_control_plan(stub, created, notes):
    A = audits_pb2
    plan_name = f"control-plans/{CONTROL_PLAN['year']}"
    _, new = _create(
        plan_name,
        lambda: stub.CreateControlPlan(A.CreateControlPlanRequest(
            plan=A.ControlPlan(year=CONTROL_PLAN["year"], title=CONTROL_PLAN["title"],
                               reporting_year=f"reporting-years/{REPORTING_YEAR}",
                               adopted_date=_date(CONTROL_PLAN["adopted_date"])),
            request_id=f"demo-control-plan-{CONTROL_PLAN['year']}"), timeout=RPC_TIMEOUT),
        lambda: stub.GetControlPlan(A.GetControlPlanRequest(name=plan_name), timeout=RPC_TIMEOUT))
    created["control_plans"] += new

    def current_points():
        return {p.name: p for p in _list_all(
            stub.ListControlPoints, A.ListControlPointsRequest(plan=plan_name, page_size=100),
            "points")}

    points = current_points()
    # Each point's follow-up right after the point itself, so that the
    # deadline job has as little time as possible to see it missed.
    for spec in CONTROL_POINTS:
        name = f"{plan_name}/points/{spec['id']}"
        point = points.get(name)
        if point is None:
            proto = A.ControlPoint(
                process=spec["process"], risk_value=spec["risk_value"],
                what_is_checked=spec["what_is_checked"], how=spec["how"],
                responsible=spec["responsible"], frequency=spec["frequency"],
                reporting_moment=f"reporting-years/{REPORTING_YEAR}/moments/{spec['moment']}")
            if spec["follow_up"] is not None:
                # Created with its follow-up: never seen as missed in between.
                ymd, outcome, deviations, by = spec["follow_up"]
                proto.follow_ups.add(date=_date(ymd),
                                     outcome=A.ControlFollowUp.Outcome.Value(outcome),
                                     deviations=deviations, followed_up_by=by)
            request = A.CreateControlPointRequest(
                plan=plan_name, point_id=spec["id"], point=proto,
                request_id=f"demo-control-point-{CONTROL_PLAN['year']}-{spec['id']}")
            try:
                try:
                    point = stub.CreateControlPoint(request, timeout=RPC_TIMEOUT)
                except grpc.RpcError as e:
                    if not _in_future(e):
                        raise
                    # The follow-up is after the service's today: without it.
                    del request.point.follow_ups[:]
                    request.request_id += "-no-follow-up"
                    point = stub.CreateControlPoint(request, timeout=RPC_TIMEOUT)
                created["control_points"] += 1
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.ALREADY_EXISTS:
                    raise LoadError(f"creating {name} failed: {_describe(e)}") from e
                point = current_points().get(name)
                if point is None:
                    raise LoadError(f"{name} exists but is not listed") from e
        if spec["follow_up"] is None:
            continue
        ymd, outcome, deviations, by = spec["follow_up"]
        if any(_day(f.date) == _ymd(ymd) for f in point.follow_ups):
            continue
        try:
            stub.RecordControlFollowUp(A.RecordControlFollowUpRequest(
                point=name,
                follow_up=A.ControlFollowUp(
                    date=_date(ymd), outcome=A.ControlFollowUp.Outcome.Value(outcome),
                    deviations=deviations, followed_up_by=by)), timeout=RPC_TIMEOUT)
        except grpc.RpcError as e:
            if _in_future(e):
                notes.append(f"follow-up of {name} left out: {_ymd(ymd)} is after the "
                             "service's today")
                continue
            raise LoadError(f"RecordControlFollowUp({name}) failed: {_describe(e)}") from e
        created["follow_ups"] += 1


def _wait_for_handlings(stub, timeout):
    """Polls GetReview until every review shows its § of 22 June 2022 (or the
    deadline passes); returns {review name: Review}."""
    A = audits_pb2
    deadline = time.monotonic() + timeout
    while True:
        reviews = {}
        for spec in REVIEWS:
            name = "reviews/" + spec["id"]
            reviews[name] = stub.GetReview(A.GetReviewRequest(name=name), timeout=RPC_TIMEOUT)
        missing = [name for name, spec in zip(reviews, REVIEWS)
                   if spec["paragraph"] not in
                   {h.paragraph_number for h in reviews[name].handlings
                    if h.meeting == MEETING_0622}]
        if not missing or time.monotonic() >= deadline:
            return reviews, missing
        time.sleep(0.2)


def count_resources(stub):
    """Totals as the service lists them."""
    A = audits_pb2
    reviews = _list_all(stub.ListReviews, A.ListReviewsRequest(page_size=100), "reviews")
    years = 0
    for y in (REPORTING_YEAR, COPY_TO_YEAR):
        try:
            stub.GetReportingYear(A.GetReportingYearRequest(name=f"reporting-years/{y}"),
                                  timeout=RPC_TIMEOUT)
            years += 1
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.NOT_FOUND:
                raise
    plan = f"control-plans/{CONTROL_PLAN['year']}"
    return {
        "reviews": len(reviews),
        "discharges": sum(len(r.discharges) for r in reviews),
        "recommendations": len(_list_all(
            stub.ListRecommendations,
            A.ListRecommendationsRequest(parent="reviews/-", page_size=100), "recommendations")),
        "reporting_years": years,
        "control_points": len(_list_all(
            stub.ListControlPoints, A.ListControlPointsRequest(plan=plan, page_size=100),
            "points")),
    }


def _review_summary(review, recommendations):
    A = audits_pb2
    a = review.assessments
    return dict(
        name=review.name,
        title=review.title,
        auditors=list(review.auditing_municipalities),
        kind=A.Review.Kind.Name(review.kind),
        report_date=_day(review.report_date),
        assessments={
            field: (A.Answer.Name(getattr(a, field).answer), getattr(a, field).text)
            for field in ("appropriate_administration", "financially_satisfactory",
                          "internal_control")},
        findings=list(review.findings),
        discharges=[dict(municipality=d.municipality,
                         decision=A.Discharge.Decision.Name(d.decision),
                         decided_date=_day(d.decided_date), reference=d.reference)
                    for d in review.discharges],
        handlings=[dict(number=h.paragraph_number, paragraph=h.paragraph, meeting=h.meeting,
                        meeting_date=_day(h.meeting_date), case_number=h.case_number,
                        decision_kind=h.decision_kind, decision_text=h.decision_text)
                   for h in review.handlings],
        recommendations=[dict(name=r.name, text=r.text, given_by=list(r.given_by),
                              status=A.Recommendation.Status.Name(r.status),
                              responsible=r.responsible, due_date=_day(r.due_date),
                              overdue=r.overdue,
                              actions=[dict(description=x.description, due_date=_day(x.due_date))
                                       for x in r.actions])
                         for r in recommendations],
    )


def load(channel, wait_timeout=30.0, handlings_timeout=20.0):
    """Loads the audits demo data through `channel`; returns what it found and did.

    Returns a dict with
      created:    how many resources this run created (or recorded), per kind;
      counts:     totals the service lists afterwards, per kind;
      reviews:    per review (in REVIEWS order) its assessments, findings,
                  discharges, recommendations and committee handlings
                  (see _review_summary);
      handlings_complete: True when every review shows its § of 22 June 2022;
      missed:     the control points of control-plans/2022 not followed up by
                  their reporting moment (point, process, moment, due_date);
      overdue:    reporting moments past their due date and not reported;
      reporting_years: name -> [(moment name, due date, reported date)];
      notes:      what could not be loaded or seen, and why.
    Raises LoadError with a readable message on failure.
    """
    import_stubs()
    wait_until_serving(channel, wait_timeout)
    A = audits_pb2
    stub = audits_pb2_grpc.AuditsServiceStub(channel)
    created = dict(reviews=0, discharges=0, recommendations=0, recommendation_updates=0,
                   reporting_years=0, moments_reported=0, control_plans=0, control_points=0,
                   follow_ups=0)
    notes = []
    try:
        _load_reviews(stub, created)
        _load_discharges(stub, created, notes)
        _load_recommendations(stub, created)
        _load_reporting_wheel(stub, created, notes)
        _load_control_plan(stub, created, notes)

        reviews, missing = _wait_for_handlings(stub, handlings_timeout)
        for name in missing:
            spec = REVIEWS[list(reviews).index(name)]
            notes.append(f"{name} shows no handling of § {spec['paragraph']} of {MEETING_0622} "
                         f"after {handlings_timeout:.0f} s: the audits service links it from "
                         "the meetings service's DecisionRecorded on enamnd:events:meetings "
                         "(is the meetings demo loaded, on the same Redis?)")
        summaries = []
        for name, review in reviews.items():
            recs = _list_all(stub.ListRecommendations,
                             A.ListRecommendationsRequest(parent=name, page_size=100),
                             "recommendations")
            summaries.append(_review_summary(review, recs))

        plan = f"control-plans/{CONTROL_PLAN['year']}"
        missed = stub.ListMissedControlPoints(
            A.ListMissedControlPointsRequest(plan=plan), timeout=RPC_TIMEOUT).missed
        overdue = stub.ListOverdueMoments(
            A.ListOverdueMomentsRequest(parent="reporting-years/-"), timeout=RPC_TIMEOUT).moments
        years = {}
        for y in (REPORTING_YEAR, COPY_TO_YEAR):
            ry = stub.GetReportingYear(A.GetReportingYearRequest(name=f"reporting-years/{y}"),
                                       timeout=RPC_TIMEOUT)
            years[ry.name] = dict(copied_from=ry.copied_from, moments=[
                (m.name, _day(m.due_date), _day(m.reported_date)) for m in ry.moments])
        counts = count_resources(stub)
    except grpc.RpcError as e:
        raise LoadError(f"the audits service failed: {_describe(e)}") from e

    return dict(
        created=created,
        counts=counts,
        reviews=summaries,
        handlings_complete=not missing,
        missed=[dict(point=m.point.name, process=m.point.process, moment=m.moment.name,
                     moment_title=m.moment.title, due_date=_day(m.moment.due_date))
                for m in missed],
        overdue=[dict(name=m.name, title=m.title, due_date=_day(m.due_date)) for m in overdue],
        reporting_years=years,
        notes=notes,
    )


ANSWERS_SV = {"ANSWER_YES": "ja", "ANSWER_IN_ALL_ESSENTIALS": "i allt väsentligt", "ANSWER_NO": "nej",
              "ANSWER_UNSPECIFIED": "-"}
QUESTIONS_SV = {"appropriate_administration": "ändamålsenlig",
                "financially_satisfactory": "ekonomiskt tillfredsställande",
                "internal_control": "tillräcklig intern kontroll"}


def print_summary(result, out=sys.stdout):
    created, counts = result["created"], result["counts"]
    print("Audits demo data of Norrbottens e-nämnd loaded.", file=out)
    print("  created now: " + ", ".join(f"{k} {v}" for k, v in created.items()), file=out)
    print("  in service:  " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=out)
    for r in result["reviews"]:
        auditors = " och ".join(_display(m) for m in r["auditors"])
        print(f"  {r['name']}  {r['title']}  [{auditors}; rapport {r['report_date']}]", file=out)
        for field, (answer, text) in r["assessments"].items():
            print(f"    {QUESTIONS_SV[field] + ':':<31}{ANSWERS_SV.get(answer, answer)}"
                  + (f" ({text})" if text else ""), file=out)
        for f in r["findings"]:
            print(f"    iakttagelse: {f}", file=out)
        for rec in r["recommendations"]:
            given = ", ".join(_display(m) for m in rec["given_by"])
            print(f"    rekommendation {rec['name']} ({given}): {rec['text']}", file=out)
            print(f"      {rec['status']}, ansvarig {rec['responsible'] or '-'}, senast "
                  f"{rec['due_date'] or '-'}" + (" (OVERDUE)" if rec["overdue"] else ""),
                  file=out)
        if not r["recommendations"]:
            print("    rekommendationer: inga", file=out)
        for d in r["discharges"]:
            ref = f", {d['reference']}" if d["reference"] else ""
            print(f"    ansvarsfrihet {_display(d['municipality'])}: {d['decision']} "
                  f"{d['decided_date']}{ref}", file=out)
        if r["handlings"]:
            for h in r["handlings"]:
                print(f"    nämndens behandling: § {h['number']} {h['meeting_date']} "
                      f"({h['case_number']}, {h['decision_kind']}) {h['paragraph']}", file=out)
        else:
            print("    nämndens behandling: not linked (yet)", file=out)
    print(f"  missed control points of control-plans/{CONTROL_PLAN['year']}:", file=out)
    for m in result["missed"]:
        print(f"    {m['point']} ({m['process']}): not followed up by {m['moment']} "
              f"(due {m['due_date']})", file=out)
    if not result["missed"]:
        print("    none", file=out)
    print("  overdue reporting moments:", file=out)
    for m in result["overdue"]:
        print(f"    {m['name']} ({m['title']}): due {m['due_date']}, not reported", file=out)
    if not result["overdue"]:
        print("    none", file=out)
    for name, y in result["reporting_years"].items():
        reported = sum(1 for _, _, r in y["moments"] if r)
        copied = f", copied from {y['copied_from']}" if y["copied_from"] else ""
        print(f"  {name}: {len(y['moments'])} moments, {reported} reported{copied}", file=out)
    for note in result.get("notes", []):
        print(f"  note: {note}", file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--audits", default=os.environ.get("ENAMND_AUDITS_ADDR",
                                                           "127.0.0.1:50052"),
                        help="host:port of enamnd-audits (default $ENAMND_AUDITS_ADDR or "
                             "127.0.0.1:50052)")
    parser.add_argument("--stubs", default=None,
                        help="directory of the generated Python stubs "
                             "(default $ENAMND_PY_STUBS or <repo>/build/python)")
    parser.add_argument("--wait", type=float, default=30.0,
                        help="seconds to wait for the service to be SERVING (default 30)")
    parser.add_argument("--handlings-wait", type=float, default=20.0,
                        help="seconds to wait for the committee's decisions (§ 8-10 of "
                             "22 June 2022) to be linked to the reviews (default 20)")
    args = parser.parse_args(argv)
    try:
        import_stubs(args.stubs or default_stubs_dir())
        with grpc.insecure_channel(args.audits, options=CHANNEL_OPTIONS) as channel:
            result = load(channel, wait_timeout=args.wait,
                          handlings_timeout=args.handlings_wait)
    except LoadError as e:
        print(f"load_audits_demo: error: {e}", file=sys.stderr)
        return 1
    print_summary(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
