#!/usr/bin/python3
"""The plan demo loader against an in-process fake of the finance service.

The real service is tested with the demo by tests/e2e/test_plan_report.py.
This test checks the loader's own logic without it: what it sends
(CreatePlan with the ten goals, AdoptPlan with the decision of 2021-12-16,
RecordPlanFollowUp with the follow-up through May), that a second run
changes nothing, that a draft with other goals is updated before it is
adopted, that a recorded follow-up that differs is replaced with its etag,
that the report is written as HTML and Markdown, that an incomplete report
is named in the notes, and that print_summary and facts read the result.
The fake keeps the rules of the proto in their simplest form (no roles, no
events, no computed figures).

Needs the generated stubs ($ENAMND_BUILD_DIR/python) and grpc; no service,
no Redis: /usr/bin/python3 tests/demo/test_plan_loader.py (ctest:
demo_plan_loader).
"""

import io
import os
import sys
import tempfile
import unittest
from concurrent import futures
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("ENAMND_SOURCE_DIR") or Path(__file__).resolve().parents[2])
BUILD_DIR = Path(os.environ.get("ENAMND_BUILD_DIR") or SOURCE_DIR / "build")
sys.path.insert(0, str(BUILD_DIR / "python"))
sys.path.insert(0, str(SOURCE_DIR / "tools" / "demo"))

import grpc  # noqa: E402

from enamnd.finance.v1 import finance_pb2 as F  # noqa: E402
from enamnd.finance.v1 import finance_pb2_grpc as G  # noqa: E402

import load_plan_demo as L  # noqa: E402

L.import_stubs(str(BUILD_DIR / "python"))


class FakeFinance(G.FinanceServiceServicer):
    """The plan RPCs the loader calls, in their simplest form."""

    def __init__(self, complete=True):
        self.complete = complete
        self.error = "UNAVAILABLE: failed to connect"  # the contracts source's, when incomplete
        self.plans = {}
        self.follow_ups = {}
        self.calls = []

    def ListBudgets(self, request, context):  # wait_until_serving's cheap call
        return F.ListBudgetsResponse()

    def GetPlan(self, request, context):
        if request.name not in self.plans:
            context.abort(grpc.StatusCode.NOT_FOUND, f"{request.name} does not exist")
        return self.plans[request.name]

    def CreatePlan(self, request, context):
        self.calls.append("CreatePlan")
        name = f"plans/{request.year}"
        if name in self.plans:
            context.abort(grpc.StatusCode.ALREADY_EXISTS, name)
        plan = F.Plan()
        plan.CopyFrom(request.plan)
        plan.name, plan.year, plan.state, plan.etag = name, request.year, F.Plan.STATE_DRAFT, "1"
        self.plans[name] = plan
        return plan

    def UpdatePlan(self, request, context):
        self.calls.append("UpdatePlan")
        plan = self.plans[request.plan.name]
        if plan.state != F.Plan.STATE_DRAFT:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "adopted")
        if request.plan.etag and request.plan.etag != plan.etag:
            context.abort(grpc.StatusCode.ABORTED, "etag")
        assert sorted(request.update_mask.paths) == ["goals", "title"]
        plan.title = request.plan.title
        del plan.goals[:]
        plan.goals.extend(request.plan.goals)
        plan.etag = str(int(plan.etag) + 1)
        return plan

    def AdoptPlan(self, request, context):
        self.calls.append("AdoptPlan")
        plan = self.plans[request.name]
        if plan.state != F.Plan.STATE_DRAFT:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "adopted already")
        if request.etag and request.etag != plan.etag:
            context.abort(grpc.StatusCode.ABORTED, "etag")
        plan.state = F.Plan.STATE_ADOPTED
        plan.adopted_by.CopyFrom(request.decision)
        plan.etag = str(int(plan.etag) + 1)
        return plan

    def GetPlanFollowUp(self, request, context):
        if request.name not in self.follow_ups:
            context.abort(grpc.StatusCode.NOT_FOUND, f"{request.name} does not exist")
        return self.follow_ups[request.name]

    def RecordPlanFollowUp(self, request, context):
        self.calls.append(f"RecordPlanFollowUp {request.follow_up.etag or '-'}")
        plan = self.plans[request.plan]
        if plan.state != F.Plan.STATE_ADOPTED:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "not adopted")
        name = f"{request.plan}/follow-ups/{request.through_month}"
        old = self.follow_ups.get(name)
        if old is not None and request.follow_up.etag != old.etag:
            context.abort(grpc.StatusCode.ABORTED, "etag")
        f = F.PlanFollowUp()
        f.CopyFrom(request.follow_up)
        f.name, f.through_month = name, request.through_month
        f.etag = str(int(old.etag) + 1 if old else 1)
        f.update_time.seconds = 1_700_000_000
        f.update_principal = "spiffe://enamnd/person/finance-officer"
        self.follow_ups[name] = f
        return f

    def RenderPlanReport(self, request, context):
        self.calls.append("RenderPlanReport")
        f = self.follow_ups[request.follow_up]
        plan = self.plans[request.follow_up.rpartition("/follow-ups/")[0]]
        report = F.RenderedPlanReport(follow_up=request.follow_up, title=f.title,
                                      markdown=f"# {f.title}\n",
                                      html=f"<!DOCTYPE html><html><h1>{f.title}</h1></html>",
                                      complete=self.complete)
        by_goal = {g.goal: g for g in f.goals}
        for goal in plan.goals:
            g = report.goals.add(goal=goal, follow_up=by_goal[goal.id])
            if goal.measure == F.MEASURE_AGREEMENTS_IN_FORCE and not self.complete:
                g.figures.add(label="Avtal i kraft", missing=True,
                              missing_reason="contracts: UNAVAILABLE: failed to connect")
            elif goal.measure == F.MEASURE_ATTENDANCE_AVERAGE:
                g.figures.add(label="Närvaro", value=9, denominator=14, percent=64,
                              unit=F.UNIT_PERCENT)
                g.computed_outlook = F.OUTLOOK_AT_RISK
        report.financial_statement.budget = "budgets/2022"
        report.financial_statement.total.outcome.income_tkr = 1792
        for service in ("meetings", "contracts", "projects"):
            ok = self.complete or service != "contracts"
            report.sources.add(service=service, ok=ok, calls=1,
                               error="" if ok else self.error)
        return report


class LoaderTest(unittest.TestCase):
    def serve(self, fake):
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        G.add_FinanceServiceServicer_to_server(fake, server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self.addCleanup(server.stop, 0)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.addCleanup(channel.close)
        return channel

    def reports(self):
        directory = tempfile.mkdtemp(prefix="enamnd-plan-loader-")
        self.addCleanup(lambda: [p.unlink() for p in Path(directory).iterdir()]
                        and Path(directory).rmdir())
        return directory

    def test_first_and_second_load(self):
        fake = FakeFinance()
        channel = self.serve(fake)
        reports = self.reports()
        first = L.load(channel, reports_dir=reports)
        self.assertEqual(first["notes"], [])
        self.assertEqual(first["created"], dict(plans=1, plan_updates=0, adoptions=1,
                                                follow_ups=1, follow_up_replacements=0))
        self.assertEqual(fake.calls, ["CreatePlan", "AdoptPlan", "RecordPlanFollowUp -",
                                      "RenderPlanReport"])
        plan = fake.plans["plans/2022"]
        self.assertEqual(plan.title, "Verksamhetsplan 2022")
        self.assertEqual([(g.id, F.Goal.Kind.Name(g.kind), g.text, F.Measure.Name(g.measure),
                           g.body, g.target, F.Unit.Name(g.unit)) for g in plan.goals],
                         [(g["id"], g["kind"], g["text"], g["measure"], g["body"], g["target"],
                           g["unit"]) for g in L.plan_goals()])
        d = plan.adopted_by
        self.assertEqual((d.paragraph, d.paragraph_number, d.case_number, d.decision_kind,
                          "%04d-%02d-%02d" % (d.meeting_date.year, d.meeting_date.month,
                                              d.meeting_date.day)),
                         (L.adoption()["paragraph"], 30, L.adoption()["case_number"],
                          "DECISION_KIND_ADOPT", "2021-12-16"))
        f = fake.follow_ups["plans/2022/follow-ups/5"]
        want = L.follow_up_fields()
        self.assertEqual(f.title, "Delårsrapport 2022")
        self.assertEqual((f.as_of_date.year, f.as_of_date.month, f.as_of_date.day),
                         (2022, 6, 21))
        self.assertEqual([b.text for b in f.summary], [b["text"] for b in want["summary"]])
        self.assertEqual(list(f.outcome_notes), want["outcome_notes"])
        self.assertEqual(len(f.goals), 10)
        for got, w in zip(f.goals, want["goals"]):
            with self.subTest(goal=w["goal"]):
                self.assertEqual(got.goal, w["goal"])
                self.assertEqual(got.forecast_text, w["forecast_text"])
                self.assertEqual(F.Outlook.Name(got.forecast), w["forecast"])
                self.assertEqual(got.HasField("value"), w["value"] is not None)
                blocks = [{k: v for k, v in (("text", b.text), ("bullets", list(b.bullets)),
                                             ("marker", b.marker), ("lines", list(b.lines)))
                           if v} for b in got.comment]
                self.assertEqual(blocks, w["comment"])
        self.assertEqual([g.value for g in f.goals if g.HasField("value")], [0])
        html, md = first["files"]
        self.assertEqual(Path(html).name, "delarsrapport-2022-05.html")
        self.assertEqual(Path(md).name, "delarsrapport-2022-05.md")
        self.assertIn("<h1>Delårsrapport 2022</h1>", Path(html).read_text(encoding="utf-8"))
        self.assertEqual(Path(md).read_text(encoding="utf-8"), "# Delårsrapport 2022\n")
        self.assertTrue(first["report"]["complete"])
        self.assertEqual(first["plan"]["adopted_by"], ("2021-12-16", 30,
                                                       L.adoption()["case_number"]))

        fake.calls.clear()
        second = L.load(channel, reports_dir=reports)
        self.assertEqual(second["notes"], [])
        self.assertFalse(any(second["created"].values()), second["created"])
        self.assertEqual(fake.calls, ["RenderPlanReport"])

        out = io.StringIO()
        L.print_summary(second, out)
        text = out.getvalue()
        self.assertIn("plans/2022 \"Verksamhetsplan 2022\": adopted, 10 goals", text)
        self.assertIn("9 av 14 (64 %)", text)
        self.assertIn("delarsrapport-2022-05.html", text)
        rows = L.facts(second, "127.0.0.1:1", "/stubs", "/tls")
        self.assertIn(("", f"open {html} (Markdown: {md})"), rows)
        self.assertTrue(any(label == "try" and "RenderPlanReport" in t for label, t in rows))

    def test_a_changed_follow_up_is_replaced(self):
        fake = FakeFinance()
        channel = self.serve(fake)
        L.load(channel, reports_dir="")
        f = fake.follow_ups["plans/2022/follow-ups/5"]
        f.goals[0].comment[0].text = "En äldre kommentar."
        fake.calls.clear()
        result = L.load(channel, reports_dir="")
        self.assertEqual(result["created"]["follow_up_replacements"], 1)
        self.assertIsNone(result["files"])
        self.assertEqual(fake.calls, ["RecordPlanFollowUp 1", "RenderPlanReport"])
        self.assertEqual(fake.follow_ups["plans/2022/follow-ups/5"].goals[0].comment[0].text,
                         L.SAMPLE["plan_followup_2022"][0]["comment"][0]["text"])

    def test_a_draft_with_other_goals_is_updated_then_adopted(self):
        fake = FakeFinance()
        fake.plans["plans/2022"] = F.Plan(name="plans/2022", year=2022, title="Gammal",
                                          state=F.Plan.STATE_DRAFT, etag="1", goals=[F.Goal(
                                              id="old", kind=F.Goal.KIND_GOAL, text="x",
                                              measure=F.MEASURE_MANUAL)])
        channel = self.serve(fake)
        result = L.load(channel, reports_dir="")
        self.assertEqual(result["created"], dict(plans=0, plan_updates=1, adoptions=1,
                                                 follow_ups=1, follow_up_replacements=0))
        self.assertEqual(fake.calls[:2], ["UpdatePlan", "AdoptPlan"])
        self.assertEqual([g.id for g in fake.plans["plans/2022"].goals],
                         [g["id"] for g in L.plan_goals()])

    def test_an_adopted_plan_with_other_goals_is_a_note(self):
        fake = FakeFinance()
        fake.plans["plans/2022"] = F.Plan(name="plans/2022", year=2022, title="Gammal",
                                          state=F.Plan.STATE_ADOPTED, etag="2", goals=[F.Goal(
                                              id="agreements", kind=F.Goal.KIND_GOAL, text="x",
                                              measure=F.MEASURE_MANUAL)])
        channel = self.serve(fake)
        result = L.load(channel, reports_dir="")
        self.assertNotIn("AdoptPlan", fake.calls)
        self.assertNotIn("UpdatePlan", fake.calls)
        self.assertEqual(result["created"]["adoptions"], 0)
        self.assertTrue(any("adopted with other goals" in n and "remove ./var" in n
                            for n in result["notes"]), result["notes"])

    def test_an_incomplete_report_is_a_note(self):
        fake = FakeFinance(complete=False)
        channel = self.serve(fake)
        result = L.load(channel, reports_dir="")
        self.assertFalse(result["report"]["complete"])
        self.assertEqual(len(result["notes"]), 1, result["notes"])
        note = result["notes"][0]
        self.assertIn("incomplete", note)
        self.assertIn("agreements", note)
        self.assertIn("contracts: UNAVAILABLE", note)
        self.assertNotIn("policy", note)

    def test_a_refused_source_names_the_policy(self):
        fake = FakeFinance(complete=False)
        fake.error = "PERMISSION_DENIED: spiffe://enamnd/service/finance lacks a role"
        channel = self.serve(fake)
        note = L.load(channel, reports_dir="")["notes"][0]
        self.assertIn("PERMISSION_DENIED", note)
        self.assertIn("spiffe://enamnd/service/finance", note)
        self.assertIn("SIGHUP", note)


if __name__ == "__main__":
    unittest.main(verbosity=2)
