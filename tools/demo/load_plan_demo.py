#!/usr/bin/python3
"""Loads the plan demo of Norrbottens e-nämnd into the finance service and renders its report.

Usage:
    /usr/bin/python3 tools/demo/load_plan_demo.py --address 127.0.0.1:50055
        [--stubs build/python] [--tls var/tls] [--reports var/reports]

(--finance is the same as --address.) It connects with mTLS, with the demo
certificates of --tls (default var/tls, made by ./tools/up), as the
committee's finance officer (role finance, which every write of the plan
needs). It talks to enamnd-finance only through its public gRPC API (no
SQL). The records are tools/demo/data/plan.json:

  * the operational plan plans/2022 "Verksamhetsplan 2022" (CreatePlan) with
    the ten goals and indicators of § 16 of 22 June 2022, texts verbatim
    from the sample, each with how its value is measured (derived from its
    words): the committee's meetings held (bodies/e-namnden, at least 4) and
    its average attendance (at least 75 %), the preparation group's meetings
    held (bodies/beredningsgruppen, at least 10) and its attendance at every
    meeting (at least 75 %), the agreements in force (the contracts
    service), the initiatives coordinated (the projects service), the
    competence-raising activities entered by hand (at least 1), the rest
    text only;
  * adopted (AdoptPlan) by the committee's decision of 2021-12-16 (§ 8 of 22
    June 2022 names that meeting; the paragraph, case number and texts of
    the decision are invented);
  * its follow-up through May, plans/2022/follow-ups/5 (RecordPlanFollowUp),
    "Delårsrapport 2022" as § 16: § 16's summary, each goal's comment and
    forecast verbatim with the forecast read as an outlook, the competence
    goal's value 0 read from its comment, § 16's outcome notes verbatim; the
    other services' facts counted to 2022-06-21 (invented: the day before
    the meeting that approved the report);
  * then the interim report (RenderPlanReport): the finance service computes
    the figures by calling the meetings, contracts and projects services and
    adds the financial statement of budgets/2022 through May (the finance
    demo, load_finance_demo.py, must be loaded first). The HTML is written to
    --reports/delarsrapport-2022-05.html (default var/reports, $ENAMND_REPORTS_DIR)
    and the Markdown next to it (.md), for a person to open.

Running it again changes nothing in the service: the plan is looked up
before it is created (deterministic request_id); a draft plan whose goals
differ from the data is updated before it is adopted, and it is adopted only
while it is a draft (an adopted plan that differs is named in the notes:
it is locked); the follow-up is recorded only when there is none or the
recorded one differs from the data (then it is replaced, with its etag).
The report is rendered and written on every run. A figure the finance
service could not get (a service down or slow) is marked missing in the
report; the loader names it in its notes.

Tests import this module: plan_goals, follow_up_fields and adoption are
what tests/demo checks the data with, load(channel) -> dict is what
tests/e2e runs. main() is the command line, the same as load_demo.py's
(demo_common.run_main) plus --reports.
"""

import os
import sys
from pathlib import Path

# demo_common lives next to this file: importable whether this runs as a
# script or is imported as a module (tests put tools/demo on sys.path).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import (  # noqa: E402,F401 (re-exported: tests use load_plan_demo.*)
    REPO_ROOT, RPC_TIMEOUT, LoadError, _create, _date, _day, read_data)

DATA = read_data("plan.json")
SAMPLE = DATA["sample"]
DERIVED = DATA["derived"]
INVENTED = DATA["invented"]

YEAR = DATA["plan"]["year"]
PLAN = f"plans/{YEAR}"
THROUGH_MONTH = DERIVED["follow_up"]["through_month"]
FOLLOW_UP = f"{PLAN}/follow-ups/{THROUGH_MONTH}"
AS_OF_DATE = INVENTED["as_of_date"]
REPORT_BASENAME = f"delarsrapport-{YEAR}-{THROUGH_MONTH:02d}"

# The demo principal the loader calls as (role finance).
FINANCE = "finance-officer"
FINANCE_HINT = ("the loader calls as the demo principal 'finance-officer' (role finance); a "
                "var/tls/policy.textproto written before it was a demo principal lacks its "
                "grant: remove that file and run ./tools/up again")
SERVICE_GRANT_HINT = ("the finance service reads the other services as "
                      "spiffe://enamnd/service/finance, which the policy must grant the role "
                      "finance: a var/tls/policy.textproto written before that grant lacks it "
                      "(add the line demo_tls.py names and send tools/up SIGHUP, or remove the "
                      "file and run ./tools/up again)")
# RenderPlanReport calls three services, each within the finance service's
# own deadlines; this is the loader's deadline for the whole call.
RENDER_TIMEOUT = 30


def default_reports_dir():
    return os.environ.get("ENAMND_REPORTS_DIR") or str(REPO_ROOT / "var" / "reports")


# ------------------------------------------------------------------ stubs

grpc = None
finance_pb2 = None
finance_pb2_grpc = None
common_pb2 = None
decision_pb2 = None
field_mask_pb2 = None


def import_stubs(stubs_dir=None):
    """Imports grpc and the generated modules; stubs_dir goes first on sys.path."""
    global grpc, finance_pb2, finance_pb2_grpc, common_pb2, decision_pb2, field_mask_pb2
    if finance_pb2 is not None and stubs_dir is None:
        return
    grpc, (finance_pb2, finance_pb2_grpc, common_pb2, decision_pb2) = demo_common.import_stubs(
        stubs_dir, ["enamnd.finance.v1.finance_pb2", "enamnd.finance.v1.finance_pb2_grpc",
                    "enamnd.common.v1.common_pb2", "enamnd.common.v1.decision_pb2"])
    from google.protobuf import field_mask_pb2 as mask_module
    field_mask_pb2 = mask_module


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    stub = finance_pb2_grpc.FinanceServiceStub(channel)

    def list_budgets(t):
        stub.ListBudgets(finance_pb2.ListBudgetsRequest(page_size=1), timeout=t)

    demo_common.wait_until_serving(channel, list_budgets, timeout,
                                   service="the finance service")


# ------------------------------------------------------------------ the data (no gRPC)

def _goal_records():
    """(sample record, derived entry) per goal, in § 16's order."""
    records = SAMPLE["plan_followup_2022"]
    derived = DERIVED["goals"]
    if len(records) != len(derived):
        raise LoadError(f"plan.json: {len(records)} goals in sample.plan_followup_2022, "
                        f"{len(derived)} in derived.goals")
    return list(zip(records, derived))


def plan_goals():
    """The plan's goals as sent: [{id, kind, text, measure, body, target,
    unit}], the text verbatim from the sample."""
    kinds = {"goal": "KIND_GOAL", "indicator": "KIND_INDICATOR"}
    goals = []
    for record, d in _goal_records():
        if kinds[record["kind"]] != d["kind"]:
            raise LoadError(f"plan.json: goal {d['id']} is {d['kind']}, the sample says "
                            f"{record['kind']}")
        goals.append(dict(id=d["id"], kind=d["kind"], text=record["text"], measure=d["measure"],
                          body=d.get("body", ""), target=d["target"], unit=d["unit"]))
    return goals


def follow_up_fields():
    """The follow-up as sent: {title, summary (blocks), goals [{goal, value
    (or None), comment (blocks), forecast_text, forecast}], outcome_notes,
    as_of_date, through_month}; texts verbatim from the sample."""
    goals = []
    for record, d in _goal_records():
        goals.append(dict(goal=d["id"], value=d.get("value"), comment=record["comment"],
                          forecast_text=record["forecast"], forecast=d["forecast"]))
    return dict(title=SAMPLE["title"], summary=SAMPLE["summary"], goals=goals,
                outcome_notes=list(SAMPLE["outcome_notes"]), as_of_date=AS_OF_DATE,
                through_month=THROUGH_MONTH)


def adoption():
    """The adopting decision's fields (invented; its day is § 8's)."""
    return {k: v for k, v in INVENTED["adopted_by"].items() if not k.startswith("_")}


# ------------------------------------------------------------------ protos

def _plan_proto():
    F = finance_pb2
    return F.Plan(title=SAMPLE["plan_title"], goals=[
        F.Goal(id=g["id"], kind=F.Goal.Kind.Value(g["kind"]), text=g["text"],
               measure=F.Measure.Value(g["measure"]), body=g["body"], target=g["target"],
               unit=F.Unit.Value(g["unit"]))
        for g in plan_goals()])


def _decision_proto():
    d = adoption()
    return decision_pb2.CommitteeDecision(
        paragraph=d["paragraph"], paragraph_number=d["paragraph_number"], meeting=d["meeting"],
        meeting_date=_date(d["meeting_date"]), case_number=d["case_number"], title=d["title"],
        decision_kind=d["decision_kind"], decision_text=d["decision_text"])


def _blocks(blocks):
    """The sample's blocks (text, bullets with their marker, lines) as TextBlocks."""
    out = []
    for b in blocks:
        if set(b) - {"text", "bullets", "marker", "lines"}:
            raise LoadError(f"plan.json: a comment block the API cannot hold: {sorted(b)}")
        out.append(finance_pb2.TextBlock(text=b.get("text", ""), bullets=b.get("bullets", []),
                                         marker=b.get("marker", ""), lines=b.get("lines", [])))
    return out


def _follow_up_proto():
    F = finance_pb2
    f = follow_up_fields()
    follow_up = F.PlanFollowUp(as_of_date=_date(f["as_of_date"]), title=f["title"],
                               summary=_blocks(f["summary"]),
                               outcome_notes=f["outcome_notes"])
    for g in f["goals"]:
        goal = follow_up.goals.add(goal=g["goal"], comment=_blocks(g["comment"]),
                                   forecast_text=g["forecast_text"],
                                   forecast=F.Outlook.Value(g["forecast"]))
        if g["value"] is not None:
            goal.value = g["value"]
    return follow_up


def _content(follow_up):
    """What the loader compares of a follow-up: the fields it sends."""
    c = finance_pb2.PlanFollowUp()
    c.CopyFrom(follow_up)
    for field in ("name", "through_month", "etag", "update_time", "update_principal"):
        c.ClearField(field)
    # A marker means something only with bullets, and "" is "•".
    blocks = list(c.summary) + [b for g in c.goals for b in g.comment]
    for b in blocks:
        b.marker = (b.marker or "•") if b.bullets else ""
    return c


# ------------------------------------------------------------------ loading

def _load_plan(stub, created, notes):
    """Creates plans/2022 unless it exists; updates a draft that differs."""
    F = finance_pb2
    wanted = _plan_proto()
    plan, new = _create(
        PLAN,
        lambda: stub.CreatePlan(F.CreatePlanRequest(year=YEAR, plan=wanted,
                                                    request_id=f"demo-plan-{YEAR}"),
                                timeout=RPC_TIMEOUT),
        lambda: stub.GetPlan(F.GetPlanRequest(name=PLAN), timeout=RPC_TIMEOUT))
    created["plans"] += new
    same = plan.title == wanted.title and list(plan.goals) == list(wanted.goals)
    if same:
        return plan
    if plan.state == F.Plan.STATE_DRAFT:
        update = F.Plan(name=PLAN, title=wanted.title, goals=wanted.goals, etag=plan.etag)
        plan = stub.UpdatePlan(F.UpdatePlanRequest(
            plan=update, update_mask=field_mask_pb2.FieldMask(paths=["title", "goals"])),
            timeout=RPC_TIMEOUT)
        created["plan_updates"] += 1
    else:
        notes.append(f"{PLAN} is adopted with other goals than tools/demo/data/plan.json (loaded "
                     "by an earlier demo?); an adopted plan is locked: remove ./var to load "
                     "the data's")
    return plan


def _adopt(stub, plan, created):
    """Adopts the plan by the decision of 2021-12-16 while it is a draft."""
    F = finance_pb2
    if plan.state != F.Plan.STATE_DRAFT:
        return plan
    plan = stub.AdoptPlan(F.AdoptPlanRequest(name=PLAN, decision=_decision_proto(),
                                             etag=plan.etag), timeout=RPC_TIMEOUT)
    created["adoptions"] += 1
    return plan


def _load_follow_up(stub, plan, created, notes):
    """Records the follow-up unless the service holds it as the data has it.
    Only the goals the stored plan has are followed up (an adopted plan with
    other goals is locked; the rest are named in the notes)."""
    F = finance_pb2
    wanted = _follow_up_proto()
    ids = {g.id for g in plan.goals}
    unknown = [g.goal for g in wanted.goals if g.goal not in ids]
    if unknown:
        kept = [g for g in wanted.goals if g.goal in ids]
        del wanted.goals[:]
        wanted.goals.extend(kept)
        notes.append(f"{PLAN} lacks the goals {', '.join(unknown)}: their follow-up is left out")
    etag = ""
    try:
        recorded = stub.GetPlanFollowUp(F.GetPlanFollowUpRequest(name=FOLLOW_UP),
                                        timeout=RPC_TIMEOUT)
        if _content(recorded) == _content(wanted):
            return recorded
        etag = recorded.etag
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.NOT_FOUND:
            raise
    wanted.etag = etag
    recorded = stub.RecordPlanFollowUp(F.RecordPlanFollowUpRequest(
        plan=PLAN, through_month=THROUGH_MONTH, follow_up=wanted), timeout=RPC_TIMEOUT)
    created["follow_ups" if not etag else "follow_up_replacements"] += 1
    return recorded


def render(stub, timeout=RENDER_TIMEOUT):
    """RenderPlanReport of the demo's follow-up."""
    return stub.RenderPlanReport(finance_pb2.RenderPlanReportRequest(follow_up=FOLLOW_UP),
                                 timeout=timeout)


def write_report(report, reports_dir):
    """Writes the report's HTML and Markdown; returns (html path, md path)."""
    directory = Path(reports_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        html = directory / f"{REPORT_BASENAME}.html"
        markdown = directory / f"{REPORT_BASENAME}.md"
        html.write_text(report.html, encoding="utf-8")
        markdown.write_text(report.markdown, encoding="utf-8")
    except OSError as e:
        raise LoadError(f"cannot write the report to {directory}: {e}") from e
    return str(html), str(markdown)


def _figure_text(f):
    """A figure as the summary prints it: "9 av 14 (64 %)", "6", "saknas (...)"."""
    F = finance_pb2
    if f.missing:
        return f"saknas ({f.missing_reason})"
    if f.unit == F.UNIT_PERCENT:
        return f"{f.value} av {f.denominator} ({f.percent} %)"
    return str(f.value)


def report_summary(report):
    """What the loader shows of a rendered report."""
    F = finance_pb2
    goals = []
    for g in report.goals:
        main = g.figures[0] if g.figures else None
        goals.append(dict(
            id=g.goal.id, kind=F.Goal.Kind.Name(g.goal.kind), label=main.label if main else "",
            figure=_figure_text(main) if main else "-", missing=bool(main and main.missing),
            computed=F.Outlook.Name(g.computed_outlook), reason=g.computed_reason,
            forecast=F.Outlook.Name(g.follow_up.forecast)))
    statement = None
    if report.HasField("financial_statement"):
        total = report.financial_statement.total
        statement = {key: (getattr(total, key).income_tkr, getattr(total, key).cost_tkr,
                           getattr(total, key).deviation_tkr)
                     for key in ("budget", "outcome", "forecast")}
    return dict(follow_up=report.follow_up, title=report.title, complete=report.complete,
                goals=goals, statement=statement,
                statement_missing=report.financial_statement_missing,
                sources=[dict(service=s.service, ok=s.ok, error=s.error, calls=s.calls)
                         for s in report.sources])


def load(channel, wait_timeout=30.0, callers=None, reports_dir=None,
         render_timeout=RENDER_TIMEOUT):
    """Loads the plan demo and renders its report; returns what it found and did.

    callers (demo_common.Callers, or a dict of principal name -> channel):
    "finance-officer" makes every call; without it `channel` does.
    reports_dir: where the report's HTML and Markdown go (None:
    default_reports_dir(); "": nowhere).

    Returns a dict with
      created:  what this run created or changed, per kind (plans,
                plan_updates, adoptions, follow_ups, follow_up_replacements);
      counts:   plans and follow-ups the service holds of the demo's;
      plan:     {name, title, state, goals, adopted_by (meeting date,
                paragraph number, case number)};
      report:   the rendered report (report_summary): complete, per goal the
                main figure and the computed outlook beside the committee's
                forecast, the financial statement in tkr, the sources;
      files:    (html path, markdown path) written, or None;
      notes:    what could not be loaded or computed, and why.
    Raises LoadError with a readable message on failure.
    """
    import_stubs()
    F = finance_pb2
    finance = demo_common.channel_as(callers, FINANCE, channel)
    wait_until_serving(finance, wait_timeout)
    stub = finance_pb2_grpc.FinanceServiceStub(finance)
    created = dict(plans=0, plan_updates=0, adoptions=0, follow_ups=0, follow_up_replacements=0)
    notes = []
    with demo_common.failures_of("the finance service", FINANCE_HINT):
        plan = _load_plan(stub, created, notes)
        plan = _adopt(stub, plan, created)
        _load_follow_up(stub, plan, created, notes)
        report = render(stub, render_timeout)
    summary = report_summary(report)
    if not report.complete:
        missing = [f"{g['id']} ({g['figure']})" for g in summary["goals"] if g["missing"]]
        failed = [f"{s['service']}: {s['error']}" for s in summary["sources"] if not s["ok"]]
        notes.append(f"the report of {FOLLOW_UP} is incomplete: missing "
                     + (", ".join(missing) or "figures") + "; "
                     + ("; ".join(failed) or "no source failed")
                     + (f"; {SERVICE_GRANT_HINT}" if "PERMISSION_DENIED" in " ".join(failed)
                        else ""))
    if summary["statement"] is None:
        notes.append(f"the report has no financial statement: {summary['statement_missing']} "
                     "(is the finance demo loaded?)")
    files = None
    if reports_dir != "":
        files = write_report(report, reports_dir or default_reports_dir())
    d = plan.adopted_by
    return dict(
        created=created,
        counts=dict(plans=1, follow_ups=1),
        plan=dict(name=plan.name, title=plan.title, state=F.Plan.State.Name(plan.state),
                  goals=len(plan.goals),
                  adopted_by=(_day(d.meeting_date), d.paragraph_number, d.case_number)),
        report=summary,
        files=files,
        notes=notes,
    )


# ------------------------------------------------------------------ output

INVENTED_LINE = ("the adopting decision's paragraph, case number and texts (its day 2021-12-16 "
                 "is § 8's) and the follow-up's as-of day 2022-06-21 (tools/demo/data/plan.json, "
                 "\"invented\"); goals, comments, forecasts and notes are § 16's, verbatim")

OUTLOOK_WORDS = {"OUTLOOK_WILL_BE_MET": "kommer att nås",
                 "OUTLOOK_AT_RISK": "risk att det inte nås",
                 "OUTLOOK_WILL_NOT_BE_MET": "kommer inte att nås",
                 "OUTLOOK_UNSPECIFIED": "kan inte bedömas"}


def print_summary(result, out=sys.stdout):
    demo_common.print_counts("Plan demo of Norrbottens e-nämnd loaded.", result, out)
    p = result["plan"]
    day, number, case = p["adopted_by"]
    print(f"  {p['name']} \"{p['title']}\": {p['state'].replace('STATE_', '').lower()}, "
          f"{p['goals']} goals; adopted by the decision of {day} § {number} ({case})", file=out)
    r = result["report"]
    print(f"  {r['follow_up']} \"{r['title']}\" (facts as of {AS_OF_DATE}): "
          + ("complete" if r["complete"] else "INCOMPLETE (figures missing)"), file=out)
    for g in r["goals"]:
        print(f"    {g['id']:<29} {g['figure']:<22} computed: "
              f"{OUTLOOK_WORDS.get(g['computed'], g['computed']):<22} committee: "
              f"{OUTLOOK_WORDS.get(g['forecast'], g['forecast'])}", file=out)
    if r["statement"]:
        print("    financial statement (tkr, income / costs / deviation): " + "; ".join(
            f"{label} " + " / ".join(f"{n:,}".replace(",", "\u00a0") for n in r["statement"][key])
            for label, key in (("budget", "budget"), ("outcome Jan-May", "outcome"),
                               ("forecast", "forecast"))), file=out)
    elif r["statement_missing"]:
        print(f"    financial statement: missing ({r['statement_missing']})", file=out)
    for s in r["sources"]:
        print(f"    source {s['service']}: " + ("ok" if s["ok"] else f"FAILED: {s['error']}")
              + f" ({s['calls']} calls)", file=out)
    if result["files"]:
        print(f"  report: {result['files'][0]} (open it in a browser); Markdown "
              f"{result['files'][1]}", file=out)
    print(f"  invented: {INVENTED_LINE}", file=out)
    demo_common.print_notes(result, out)


def facts(result, address, stubs_dir, tls_dir):
    """What tools/up prints about this demo: (label, text) rows."""
    p, r = result["plan"], result["report"]
    reader = (demo_common.try_channel(address, tls_dir, "public-reader")
              + 'from enamnd.finance.v1 import finance_pb2 as f, finance_pb2_grpc as g; '
              's = g.FinanceServiceStub(channel); ')
    rows = [("plan", f"{p['name']} \"{p['title']}\" {p['state'].replace('STATE_', '').lower()} "
                     f"({p['goals']} goals; adopted {p['adopted_by'][0]})"),
            ("interim report", f"{r['follow_up']} \"{r['title']}\": "
                               + ("complete" if r["complete"] else
                                  "INCOMPLETE: some figures are missing"))]
    if result["files"]:
        rows.append(("", f"open {result['files'][0]} (Markdown: {result['files'][1]})"))
    rows += [("invented", INVENTED_LINE),
             ("try", demo_common.try_line(stubs_dir, reader + (
                 f'print(s.RenderPlanReport(f.RenderPlanReportRequest(follow_up="{FOLLOW_UP}"), '
                 'timeout=30).markdown)')))]
    return rows


def main(argv=None):
    return demo_common.run_main(
        argv, doc=__doc__, prog="load_plan_demo", service="enamnd-finance",
        address_flag="--finance", address_env="ENAMND_FINANCE_ADDR",
        default_address="127.0.0.1:50055", import_stubs_fn=import_stubs, load_fn=load,
        print_fn=print_summary, facts_fn=facts,
        extra_args=[("--reports",
                     dict(default=None, metavar="DIR",
                          help="where the report's HTML and Markdown go (default "
                               "$ENAMND_REPORTS_DIR or <repo>/var/reports)"),
                     "reports_dir")])


if __name__ == "__main__":
    sys.exit(main())
