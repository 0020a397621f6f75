#!/usr/bin/python3
"""Loads the audits demo data of Norrbottens e-nämnd into the audits service.

Usage:
    /usr/bin/python3 tools/demo/load_audits_demo.py --address 127.0.0.1:50052 [--stubs build/python]
        [--tls var/tls]

(--audits is the same as --address.) It connects with mTLS, with the demo
certificates of --tls (default var/tls, made by ./tools/up): as the
secretary, and as Kiruna's municipal system for Kiruna's discharge. It talks to enamnd-audits only through
its public gRPC API (no SQL). The records are tools/demo/data/audits.json:

  * the members' basic reviews (grundläggande granskning) of 2021 that the
    committee handled on 22 June 2022: by Kiruna and Gällivare together
    (reviews/2021-2584, § 8), by Arvidsjaur (reviews/2021-2505, § 9) and by
    Älvsbyn (reviews/2021-2560, § 10). Their titles, assessment texts,
    findings and recommendations are the protocol's words, taken from the
    sample's structured.audit_reviews records copied into the data file
    (review_fields says how; tests/demo checks them against the sample).
    Kiruna and Gällivare give one shared recommendation (an annual
    reporting wheel, årshjul, with directives for reporting to the
    committee), Arvidsjaur one (follow up all control points of the internal
    control plan), Älvsbyn none;
  * marked "invented" in the data file: the report dates, the members'
    councils' discharge (ansvarsfrihet) for 2021, the follow-up of the
    recommendations (both IN_PROGRESS with an action, the coordinator
    responsible), the reporting wheel reporting-years/2022 (what the 22 June
    2022 meeting handled is marked as reported) and reporting-years/2023
    copied from it, and the internal control plan control-plans/2022 with six
    control points and their follow-ups. One point (invoicing per
    municipality) was not followed up by its reporting moment of 22 June
    2022, so ListMissedControlPoints shows it, and the wheel's internal
    control follow-up of that day is overdue.

The invented dates are on or before 2022-07-08, the legal calendar's today
that tools/up pins. A day after the service's today is left out and
reported (a note), not an error.

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
command line, the same as load_demo.py's (demo_common.run_main) plus
--handlings-wait.
"""

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
    _in_future, _list_all, _ymd, default_stubs_dir, read_data)

DATA = read_data("audits.json")
REVIEWS = DATA["reviews"]
_INVENTED = DATA["invented"]
DISCHARGES = _INVENTED["discharges"]
RECOMMENDATION_FOLLOW_UP = {(r["review"], r["key"]): r
                            for r in _INVENTED["recommendation_follow_up"]}
REPORTING_YEAR = _INVENTED["reporting_year"]
COPY_TO_YEAR = _INVENTED["copy_to_year"]
MOMENTS_2022 = _INVENTED["moments"]
CONTROL_PLAN = _INVENTED["control_plan"]
CONTROL_POINTS = _INVENTED["control_points"]

MEETING_0622 = "bodies/e-namnden/meetings/2022-06-22"

# SCB code -> official name, and official name -> SCB code.
NAMES = demo_common.municipality_names()
CODES = {name: code for code, name in NAMES.items()}
QUESTIONS = ("appropriate_administration", "financially_satisfactory", "internal_control")


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


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    audits_stub = audits_pb2_grpc.AuditsServiceStub(channel)

    def list_reviews(t):
        audits_stub.ListReviews(audits_pb2.ListReviewsRequest(page_size=1), timeout=t)

    demo_common.wait_until_serving(channel, list_reviews, timeout,
                                   service="the audits service")


# ------------------------------------------------------------------ texts (no gRPC)

def _municipality(code):
    return "municipalities/" + code


def _display(municipality):
    code = municipality.rpartition("/")[2]
    return NAMES.get(code, municipality)


def _unique(items):
    return list(dict.fromkeys(items))


def review_fields(spec):
    """What the demo sends for review `spec` of the data file, as plain
    values (the rules are in audits.json, review_rules): title, auditors,
    answers and texts per question, findings, and recommendations as
    [(key, text, [given by])]."""
    records = spec["sample"]
    derived = spec["derived"]
    assessments = {}
    for question in QUESTIONS:
        i = derived["assessment_index"][question]
        if len(records) == 1:
            text = records[0]["assessments"][i]
        else:
            text = "\n".join(f"{r['municipality']}: {r['assessments'][i]}" for r in records)
        assessments[question] = (derived["answers"][question], text)
    findings = _unique(x for r in records for x in r["findings"] + r["noted_issues"])
    recommendations = []
    for i, text in enumerate(_unique(x for r in records for x in r["recommendations"])):
        giving = {CODES[r["municipality"]] for r in records if text in r["recommendations"]}
        given_by = [_municipality(c) for c in spec["auditors"] if c in giving]
        recommendations.append((derived["recommendation_keys"][i], text, given_by))
    return dict(id=spec["id"], title=spec["title"], auditors=spec["auditors"],
                report_date=spec["invented"]["report_date"], assessments=assessments,
                findings=findings, recommendations=recommendations)


# ------------------------------------------------------------------ loading

def _review_proto(f):
    A = audits_pb2

    def assessment(pair):
        return A.Assessment(answer=A.Answer.Value(pair[0]), text=pair[1])

    return A.Review(
        year=int(f["id"].split("-")[0]),
        auditing_municipalities=[_municipality(c) for c in f["auditors"]],
        kind=A.Review.KIND_BASIC,
        title=f["title"],
        assessments=A.Assessments(**{k: assessment(v) for k, v in f["assessments"].items()}),
        findings=f["findings"],
        report_date=_date(f["report_date"]),
    )


def _load_reviews(stub, created):
    A = audits_pb2
    for spec in REVIEWS:
        name = "reviews/" + spec["id"]
        review, new = _create(
            name,
            lambda: stub.CreateReview(A.CreateReviewRequest(
                review=_review_proto(review_fields(spec)), request_id="demo-review-" + spec["id"]),
                timeout=RPC_TIMEOUT),
            lambda: stub.GetReview(A.GetReviewRequest(name=name), timeout=RPC_TIMEOUT))
        if review.name != name:
            raise LoadError(f"the review of {spec['auditors']} was created as {review.name}, "
                            f"expected {name}")
        created["reviews"] += new


def _load_discharges(stub, system_stubs, created, notes):
    """A member with a stub in system_stubs (SCB code -> stub) records its
    own discharge through it: its municipal system."""
    A = audits_pb2
    for spec in DISCHARGES:
        name = "reviews/" + spec["review"]
        municipality = _municipality(spec["municipality"])
        day = spec["decided_date"]
        review = stub.GetReview(A.GetReviewRequest(name=name), timeout=RPC_TIMEOUT)
        if any(d.municipality == municipality for d in review.discharges):
            continue
        discharge = A.Discharge(municipality=municipality,
                                decision=A.Discharge.DECISION_GRANTED,
                                decided_date=_date(day), reference=spec["reference"])
        if demo_common.record_dated(
                f"the discharge of {_display(municipality)} for {name}",
                lambda: system_stubs.get(spec["municipality"], stub).RecordDischarge(
                    A.RecordDischargeRequest(review=name, discharge=discharge),
                    timeout=RPC_TIMEOUT),
                day, notes) is not None:
            created["discharges"] += 1


def _recommendations():
    """(review name, key, text, given by, invented follow-up) of every
    recommendation, in data order."""
    for spec in REVIEWS:
        for key, text, given_by in review_fields(spec)["recommendations"]:
            yield ("reviews/" + spec["id"], key, text, given_by,
                   RECOMMENDATION_FOLLOW_UP[(spec["id"], key)])


def _load_recommendations(stub, created):
    A = audits_pb2
    for review, key, text, given_by, follow_up in _recommendations():
        existing = _list_all(stub.ListRecommendations,
                             A.ListRecommendationsRequest(parent=review, page_size=100),
                             "recommendations")
        rec = next((r for r in existing if r.text == text), None)
        if rec is None:
            try:
                rec = stub.CreateRecommendation(A.CreateRecommendationRequest(
                    review=review,
                    recommendation=A.Recommendation(
                        text=text, given_by=given_by, status=A.Recommendation.STATUS_OPEN,
                        responsible=follow_up["responsible"],
                        due_date=_date(follow_up["due_date"])),
                    request_id=f"demo-recommendation-{review.partition('/')[2]}-{key}"),
                    timeout=RPC_TIMEOUT)
            except grpc.RpcError as e:
                raise LoadError(f"creating the recommendation {key!r} of {review} "
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
                     for a in follow_up["actions"]])
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
    for spec in moments:
        m = result.moments.add(name=spec["id"], kind=A.ReportingMoment.Kind.Value(spec["kind"]),
                               title=spec["title"], due_date=_date(spec["due_date"]),
                               description=spec["description"])
        if with_reported and "reported" in spec:
            m.reported_date.CopyFrom(_date(spec["reported"]["date"]))
            m.reported_reference = spec["reported"]["reference"]
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
    for spec in MOMENTS_2022:
        moment_name = f"{name}/moments/{spec['id']}"
        if moment_name not in moments:
            notes.append(f"{name} has no moment {spec['id']} (created by an older loader?)")
            continue
        reported = spec.get("reported")
        if reported is None or moments[moment_name].reported_date.year:
            continue
        if demo_common.record_dated(
                f"the report of {moment_name}",
                lambda: stub.MarkMomentReported(A.MarkMomentReportedRequest(
                    moment=moment_name, reported_date=_date(reported["date"]),
                    reported_reference=reported["reference"]), timeout=RPC_TIMEOUT),
                reported["date"], notes) is not None:
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


def _follow_up_proto(spec):
    A = audits_pb2
    return A.ControlFollowUp(date=_date(spec["date"]),
                             outcome=A.ControlFollowUp.Outcome.Value(spec["outcome"]),
                             deviations=spec["deviations"],
                             followed_up_by=spec["followed_up_by"])


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
                proto.follow_ups.append(_follow_up_proto(spec["follow_up"]))
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
        day = spec["follow_up"]["date"]
        if any(_day(f.date) == day for f in point.follow_ups):
            continue
        if demo_common.record_dated(
                f"the follow-up of {name}",
                lambda: stub.RecordControlFollowUp(A.RecordControlFollowUpRequest(
                    point=name, follow_up=_follow_up_proto(spec["follow_up"])),
                    timeout=RPC_TIMEOUT),
                day, notes) is not None:
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


def load(channel, wait_timeout=30.0, handlings_timeout=20.0, callers=None):
    """Loads the audits demo data through `channel`; returns what it found and did.

    callers (demo_common.Callers, or a dict of principal name -> channel):
    "kiruna-system" records Kiruna's discharge; without it that call goes
    through `channel` too.

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
    system_stubs = {"2584": audits_pb2_grpc.AuditsServiceStub(
        demo_common.channel_as(callers, "kiruna-system", channel))}
    created = dict(reviews=0, discharges=0, recommendations=0, recommendation_updates=0,
                   reporting_years=0, moments_reported=0, control_plans=0, control_points=0,
                   follow_ups=0)
    notes = []
    try:
        _load_reviews(stub, created)
        _load_discharges(stub, system_stubs, created, notes)
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



# ------------------------------------------------------------------ output

INVENTED_LINE = ("report and discharge dates, the follow-up of the recommendations, the "
                 "reporting wheel and the internal control plan (tools/demo/data/audits.json, "
                 "\"invented\"); the reviews' texts are the protocol's")
ANSWERS_SV = {"ANSWER_YES": "ja", "ANSWER_IN_ALL_ESSENTIALS": "i allt väsentligt",
              "ANSWER_NO": "nej", "ANSWER_UNSPECIFIED": "-"}
QUESTIONS_SV = {"appropriate_administration": "ändamålsenlig",
                "financially_satisfactory": "ekonomiskt tillfredsställande",
                "internal_control": "tillräcklig intern kontroll"}


def print_summary(result, out=sys.stdout):
    demo_common.print_counts("Audits demo data of Norrbottens e-nämnd loaded.", result, out)
    for r in result["reviews"]:
        auditors = " och ".join(_display(m) for m in r["auditors"])
        print(f"  {r['name']}  {r['title']}  [{auditors}; rapport {r['report_date']}]", file=out)
        for field, (answer, text) in r["assessments"].items():
            print(f"    {QUESTIONS_SV[field] + ':':<31}{ANSWERS_SV.get(answer, answer)}"
                  + (" ({})".format(text.replace("\n", "\n" + " " * 35)) if text else ""),
                  file=out)
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
    print(f"  invented: {INVENTED_LINE}", file=out)
    demo_common.print_notes(result, out)


def facts(result, address, stubs_dir, tls_dir):
    """What tools/up prints about this demo: (label, text) rows."""
    linked = sum(1 for r in result["reviews"] if r["handlings"])
    stub = (demo_common.try_channel(address, tls_dir, "auditor-2584")
            + 'from enamnd.audits.v1 import audits_pb2 as a, audits_pb2_grpc as g; '
            's = g.AuditsServiceStub(channel); ')
    return [
        ("reviews", f"{len(result['reviews'])} reviews of 2021, {linked} linked to their § of "
                    f"{MEETING_0622}; {len(result['missed'])} missed control point(s), "
                    f"{len(result['overdue'])} overdue reporting moment(s)"),
        ("invented", INVENTED_LINE),
        ("try", demo_common.try_line(stubs_dir, stub + (
            '[print(h.paragraph, h.decision_kind) for h in '
            's.GetReview(a.GetReviewRequest(name="reviews/2021-2584")).handlings]; '
            '[print(m.point.name, "missed at", m.moment.name) for m in '
            's.ListMissedControlPoints(a.ListMissedControlPointsRequest('
            f'plan="control-plans/{CONTROL_PLAN["year"]}")).missed]'))),
    ]


def main(argv=None):
    return demo_common.run_main(
        argv, doc=__doc__, prog="load_audits_demo", service="enamnd-audits",
        address_flag="--audits", address_env="ENAMND_AUDITS_ADDR",
        default_address="127.0.0.1:50052", import_stubs_fn=import_stubs, load_fn=load,
        print_fn=print_summary, facts_fn=facts,
        extra_args=[("--handlings-wait",
                     dict(type=float, default=20.0,
                          help="seconds to wait for the committee's decisions (§ 8-10 of "
                               "22 June 2022) to be linked to the reviews (default 20)"),
                     "handlings_timeout")])


if __name__ == "__main__":
    sys.exit(main())
