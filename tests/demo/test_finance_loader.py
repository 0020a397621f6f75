#!/usr/bin/python3
"""The finance demo loader against an in-process fake of the finance service.

The real service is tested with the demo by tests/e2e/test_finance_demo.py.
This test checks the loader's own logic without it: what it sends
(budgets, the revision, outcome months, forecast, uprating, prices, the
IngestUsage stream in messages of 1 000, the invoice basis), that it
retries while the service does not know the members yet, that it polls
until § 12 adopts the budget 2023 (and says so in a note when it does
not), that a second run creates nothing and streams the same records
again, and that print_summary and facts read the result. The fake keeps
the rules of docs/finance.md in their simplest form (no etag checks beyond
UpdateBudget, no roles, no events).

Needs the generated stubs ($ENAMND_BUILD_DIR/python) and grpc; no service,
no Redis: /usr/bin/python3 tests/demo/test_finance_loader.py (ctest:
demo_finance_loader).
"""

import io
import os
import sys
import threading
import time
import unittest
from concurrent import futures
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("ENAMND_SOURCE_DIR") or Path(__file__).resolve().parents[2])
BUILD_DIR = Path(os.environ.get("ENAMND_BUILD_DIR") or SOURCE_DIR / "build")
sys.path.insert(0, str(BUILD_DIR / "python"))
sys.path.insert(0, str(SOURCE_DIR / "tools" / "demo"))

import grpc  # noqa: E402

from enamnd.common.v1 import common_pb2 as C  # noqa: E402
from enamnd.finance.v1 import finance_pb2 as F  # noqa: E402
from enamnd.finance.v1 import finance_pb2_grpc as G  # noqa: E402

import load_finance_demo as L  # noqa: E402

L.import_stubs(str(BUILD_DIR / "python"))


def figures(income, cost):
    return F.Figures(income=C.Money(ore=income), cost=C.Money(ore=cost),
                     deviation=C.Money(ore=income - cost), income_tkr=L.tkr(income),
                     cost_tkr=L.tkr(cost), deviation_tkr=L.tkr(income - cost))


def allocation_dict(model):
    """An AllocationModel as the data file writes it."""
    kind = model.WhichOneof("model")
    if kind == "mix":
        return {"mix": [{"basis_points": p.basis_points, "model": allocation_dict(p.model)}
                        for p in model.mix.parts]}
    if kind == "equal":
        return {"equal": [m.rpartition("/")[2] for m in model.equal.municipalities]}
    if kind == "population":
        return {"population": model.population.population_figures}
    return {"participation": model.participation.initiative}


class FakeFinance(G.FinanceServiceServicer):
    """What the loader calls, in the simplest form of docs/finance.md."""

    def __init__(self, member_refusals=2, links_decision=True):
        self.member_refusals = member_refusals  # CreatePopulationFigures "not a member" first
        self.links_decision = links_decision    # § 12 reaches budgets/2023 after a moment
        self.resources = {}
        self.revisions = {}
        self.outcomes = {}
        self.forecasts = {}
        self.usage = {}
        self.calls = []

    def _get(self, name, context):
        if name not in self.resources:
            context.abort(grpc.StatusCode.NOT_FOUND, f"{name} does not exist")
        return self.resources[name]

    def _keep(self, budget):
        budget.total_income.ore = sum(x.income.ore for x in budget.lines)
        budget.total_cost.ore = sum(x.cost.ore for x in budget.lines)
        budget.etag = str(budget.revision)
        copy = F.Budget()
        copy.CopyFrom(budget)
        self.revisions.setdefault(budget.name, []).append(copy)

    def _call(self, name):
        self.calls.append(name)

    # ---------------------------------------------------------------- reads
    def GetIndexSeries(self, request, context):
        return self._get(request.name, context)

    def GetPopulationFigures(self, request, context):
        return self._get(request.name, context)

    def GetBudget(self, request, context):
        return self._get(request.name, context)

    def GetPriceList(self, request, context):
        return self._get(request.name, context)

    def GetInvoiceBasis(self, request, context):
        return self._get(request.name, context)

    def ListBudgets(self, request, context):
        return F.ListBudgetsResponse(budgets=sorted(
            (r for n, r in self.resources.items() if n.startswith("budgets/")),
            key=lambda b: b.year))

    def ListBudgetRevisions(self, request, context):
        return F.ListBudgetRevisionsResponse(revisions=self.revisions[request.budget])

    # ---------------------------------------------------------------- writes
    def CreateIndexSeries(self, request, context):
        self._call("CreateIndexSeries")
        series = F.IndexSeries()
        series.CopyFrom(request.index_series)
        series.name = "index-series/" + request.index_series_id
        self.resources[series.name] = series
        return series

    def CreatePopulationFigures(self, request, context):
        self._call("CreatePopulationFigures")
        if self.member_refusals:
            self.member_refusals -= 1
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          "population_figures.entries[0].municipality: municipalities/2506 is not "
                          "a member municipality (0 members are registered with the meetings "
                          "service)")
        figures_ = F.PopulationFigures()
        figures_.CopyFrom(request.population_figures)
        d = figures_.reference_date
        figures_.name = "population-figures/%04d-%02d-%02d" % (d.year, d.month, d.day)
        figures_.total = sum(e.inhabitants for e in figures_.entries)
        self.resources[figures_.name] = figures_
        return figures_

    def CreateBudget(self, request, context):
        self._call("CreateBudget")
        budget = F.Budget()
        budget.CopyFrom(request.budget)
        budget.name, budget.year, budget.revision = f"budgets/{request.year}", request.year, 1
        budget.state = F.Budget.STATE_DRAFT
        if request.HasField("adopted_by"):
            budget.state = F.Budget.STATE_ADOPTED
            budget.adoption.revision = 1
            budget.adoption.decision.CopyFrom(request.adopted_by)
        self.resources[budget.name] = budget
        self._keep(budget)
        return budget

    def UpdateBudget(self, request, context):
        self._call("UpdateBudget")
        budget = self._get(request.budget.name, context)
        if request.budget.etag != budget.etag or list(request.update_mask.paths) != ["lines"]:
            context.abort(grpc.StatusCode.ABORTED, "etag or mask")
        del budget.lines[:]
        budget.lines.extend(request.budget.lines)
        budget.revision += 1
        if budget.state == F.Budget.STATE_ADOPTED:
            budget.state = F.Budget.STATE_REVISED
        self._keep(budget)
        return budget

    def UprateBudget(self, request, context):
        self._call("UprateBudget")
        source = self._get(request.source_budget, context)
        by_year = {f.year: f for f in self._get(request.index_series, context).figures}
        low, high = by_year[source.year], by_year[request.year]
        budget = F.Budget(name=f"budgets/{request.year}", year=request.year, title=request.title,
                          comments=request.comments, revision=1, state=F.Budget.STATE_DRAFT)
        for line in source.lines:
            if line.id in request.omit_lines:
                continue
            new = budget.lines.add()
            new.CopyFrom(line)
            new.income.ore = L.uprate(line.income.ore, low.value_thousandths,
                                      high.value_thousandths)
            new.cost.ore = L.uprate(line.cost.ore, low.value_thousandths, high.value_thousandths)
        budget.uprated_from.source_budget = request.source_budget
        budget.uprated_from.index_series = request.index_series
        budget.uprated_from.from_figure.CopyFrom(low)
        budget.uprated_from.to_figure.CopyFrom(high)
        self.resources[budget.name] = budget
        self._keep(budget)
        if self.links_decision:
            threading.Timer(0.5, self._adopt, [budget]).start()
        return budget

    def _adopt(self, budget):
        adopted = F.Budget()
        adopted.CopyFrom(budget)
        adopted.state = F.Budget.STATE_ADOPTED
        adopted.adoption.revision = 1
        adopted.adoption.decision.paragraph = L.ADOPTING_PARAGRAPH
        adopted.adoption.decision.paragraph_number = 12
        adopted.decisions.add().CopyFrom(adopted.adoption.decision)
        self.resources[budget.name] = adopted

    def RecordOutcome(self, request, context):
        self._call(f"RecordOutcome {request.outcome.month}")
        self.outcomes[request.outcome.month] = request.outcome
        return request.outcome

    def MakeForecast(self, request, context):
        self._call("MakeForecast")
        forecast = F.Forecast()
        forecast.CopyFrom(request.forecast)
        forecast.name = f"{request.budget}/forecasts/{forecast.as_of_month}"
        self.forecasts[forecast.as_of_month] = forecast
        return forecast

    def CreatePriceList(self, request, context):
        self._call("CreatePriceList")
        prices = F.PriceList()
        prices.CopyFrom(request.price_list)
        prices.name = f"price-lists/{prices.year}"
        self.resources[prices.name] = prices
        return prices

    def IngestUsage(self, request_iterator, context):
        reply, messages = F.IngestUsageResponse(), 0
        for message in request_iterator:
            messages += 1
            assert len(message.records) <= 1000, len(message.records)
            for r in message.records:
                if r.transaction_id not in self.usage:
                    self.usage[r.transaction_id] = r
                    reply.new_count += 1
                elif self.usage[r.transaction_id] == r:
                    reply.duplicate_count += 1
                else:
                    reply.conflict_count += 1
        self._call(f"IngestUsage {messages}")
        return reply

    def IssueInvoiceBasis(self, request, context):
        self._call("IssueInvoiceBasis")
        municipalities = self._usage(request.year)
        basis = F.InvoiceBasis(name=f"invoice-bases/{request.year}", year=request.year,
                               revision=1, municipalities=municipalities,
                               total=C.Money(ore=sum(m.total.ore for m in municipalities)),
                               record_count=len(self.usage))
        self.resources[basis.name] = basis
        return basis

    # ---------------------------------------------------------------- computed
    def _usage(self, year):
        prices = {k.kind: k.price.ore for k in self.resources[f"price-lists/{year}"].prices}
        counts = {}
        for r in self.usage.values():
            counts.setdefault(r.municipality, {}).setdefault(r.kind, 0)
            counts[r.municipality][r.kind] += 1
        out = []
        for m in sorted(counts):
            usage = F.MunicipalityUsage(municipality=m, display_name=L.NAMES[m[-4:]])
            for kind in sorted(prices):
                n = counts[m].get(kind, 0)
                usage.kinds.add(kind=kind, count=n, unit_price=C.Money(ore=prices[kind]),
                                amount=C.Money(ore=n * prices[kind]))
            usage.total.ore = sum(k.amount.ore for k in usage.kinds)
            out.append(usage)
        return out

    def GetUsageSummary(self, request, context):
        municipalities = self._usage(request.year)
        return F.UsageSummary(year=request.year, municipalities=municipalities,
                              total=C.Money(ore=sum(m.total.ore for m in municipalities)),
                              record_count=len(self.usage), priced=True)

    def GetFinancialReport(self, request, context):
        budget = self._get(request.budget, context)
        through = request.through_month or max(self.outcomes, default=0)
        report = F.FinancialReport(budget=request.budget, through_month=through)
        made = [m for m in self.forecasts if m <= through]
        forecast = self.forecasts[max(made)] if made else None
        if forecast:
            report.forecast = forecast.name
            report.forecast_notes.extend(forecast.notes)
        sums = [0] * 6
        for line in budget.lines:
            cells = [x for m, o in self.outcomes.items() if m <= through for x in o.lines
                     if x.line == line.id]
            expected = [x for x in (forecast.lines if forecast else []) if x.line == line.id]
            values = (line.income.ore, line.cost.ore, sum(x.income.ore for x in cells),
                      sum(x.cost.ore for x in cells),
                      expected[0].income.ore if expected else line.income.ore,
                      expected[0].cost.ore if expected else line.cost.ore)
            report.rows.add(line=line.id, title=line.title, budget=figures(*values[0:2]),
                            outcome=figures(*values[2:4]), forecast=figures(*values[4:6]))
            sums = [a + b for a, b in zip(sums, values)]
        report.total.budget.CopyFrom(figures(*sums[0:2]))
        report.total.outcome.CopyFrom(figures(*sums[2:4]))
        report.total.forecast.CopyFrom(figures(*sums[4:6]))
        return report

    def GetCostShares(self, request, context):
        budget = self._get(request.budget, context)
        line = next(x for x in budget.lines if x.id == request.line)
        shares = L.line_shares(line.cost.ore, allocation_dict(line.allocation))
        result = F.LineShares(line=line.id, title=line.title, total=C.Money(ore=line.cost.ore),
                              model="by the fake")
        for code in sorted(shares):
            result.shares.add(municipality="municipalities/" + code, display_name=L.NAMES[code],
                              amount=C.Money(ore=shares[code]),
                              amount_kr=(shares[code] + 50) // 100)
        return F.CostShares(budget=request.budget, lines=[result])


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

    def test_first_and_second_load(self):
        fake = FakeFinance()
        channel = self.serve(fake)
        started = time.monotonic()
        first = L.load(channel, members_timeout=10, decisions_timeout=10)
        records = len(L.usage_records())
        messages = -(-records // 1000)
        self.assertEqual(first["notes"], [])
        self.assertTrue(first["adopted"])
        self.assertEqual(first["created"], dict(
            index_series=1, population_figures=1, budgets=2, budget_revisions=1,
            outcome_months=5, forecasts=1, price_lists=1, usage_records=records,
            invoice_bases=1))
        self.assertEqual(fake.member_refusals, 0, "the loader did not retry")
        self.assertEqual([c for c in fake.calls if c.startswith(("Record", "Ingest"))],
                         [f"RecordOutcome {m}" for m in range(1, 6)] + [f"IngestUsage {messages}"])
        total = first["report"]["total"]
        self.assertEqual((total["outcome"]["income_tkr"], total["outcome"]["cost_tkr"],
                          total["outcome"]["deviation_tkr"]), (1792, 1673, 120))
        self.assertEqual((total["budget"]["income_tkr"], total["forecast"]["income_tkr"]),
                         (5034, 6193))
        self.assertEqual(first["revisions"], [(1, "STATE_ADOPTED"), (2, "STATE_REVISED")])
        self.assertEqual([x["id"] for x in first["budgets"][L.BUDGET]["lines"]],
                         [x["id"] for x in L.budget_2022_lines()])
        self.assertEqual([(x["id"], x["cost"]) for x in first["budgets"][L.NEXT_BUDGET]["lines"]],
                         [(x["id"], x["cost_ore"]) for x in L.budget_2023_lines()])
        self.assertEqual(first["budgets"][L.NEXT_BUDGET]["comments"], L.budget_2023_comments())
        self.assertEqual(sum(s["amount"] for s in first["question"]["shares"]),
                         first["question"]["total"])
        self.assertEqual(first["invoice_basis"]["total"], sum(L.usage_amounts().values()))

        fake.calls.clear()
        second = L.load(channel, members_timeout=10, decisions_timeout=10)
        self.assertFalse(any(second["created"].values()), second["created"])
        self.assertEqual(second["ingest"], dict(sent=records, messages=messages, new=0,
                                                duplicate=records, conflict=0))
        self.assertEqual(fake.calls, [f"IngestUsage {messages}"])
        for key in ("counts", "budgets", "revisions", "report", "question", "invoice_basis"):
            self.assertEqual(second[key], first[key], key)

        out = io.StringIO()
        L.print_summary(second, out)
        text = out.getvalue()
        for expected in ("1 792", "1 673", "120", "6 193", "Verksamhetsutvecklare e-tjänster",
                         "0 new", "invented:"):
            self.assertIn(expected, text)
        labels = [label for label, _ in L.facts(second, "127.0.0.1:1", "/stubs", "/tls")]
        self.assertEqual(labels[:5], ["budgets", "report", "cost shares", "usage", "invented"])
        self.assertLess(time.monotonic() - started, 60)

    def test_a_decision_that_does_not_come_is_a_note(self):
        channel = self.serve(FakeFinance(member_refusals=0, links_decision=False))
        result = L.load(channel, decisions_timeout=0.5)
        self.assertFalse(result["adopted"])
        self.assertEqual(len(result["notes"]), 1)
        self.assertIn("//finance/budgets/2023", result["notes"][0])

    def test_members_never_known(self):
        channel = self.serve(FakeFinance(member_refusals=10**6))
        with self.assertRaises(L.LoadError) as caught:
            L.load(channel, members_timeout=0.5)
        self.assertIn("does not know every member", str(caught.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
