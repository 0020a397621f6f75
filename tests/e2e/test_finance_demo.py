#!/usr/bin/python3
"""Outside-client end-to-end test of enamnd-finance with the demo (issue 12).

Runs as an external system would: Debian's /usr/bin/python3 with grpc,
protobuf and redis, the generated stubs, and nothing else. It starts a real
redis-server (unix socket in a temp dir) and the real enamnd-meetings,
enamnd-projects and enamnd-finance binaries as tools/up runs them
(e2e_harness: mTLS with the demo's certificates and policy file, today
pinned to 2022-07-08, each with its own data dir), loads
tools/demo/load_demo.py, load_projects_demo.py and load_finance_demo.py in
tools/up's order and calls as the finance officer, the e-service platform,
Kiruna's system and the public reader.

It checks:

  1. the finance demo loads without notes: § 12 of 22 June 2022 (case
     subject //finance/budgets/2023) adopts the budget 2023; the consumer
     group finance has consumed the meetings and the projects streams;
  2. budgets/2022 is revised (revision 2: the four projects of § 16 added at
     zero), its revision 1 adopted by the decision of 2021 and kept
     (ListBudgetRevisions); the public reader sees it as adopted (revision
     1, without the project lines);
  3. the financial report of budgets/2022 through May: budget 5 034 / 5 034
     / 0 tkr, outcome 1 792 / 1 673 / 120 tkr (each rounded from its exact
     sum), forecast 6 193 / 6 193 / 0 tkr, § 16's notes verbatim;
  4. budgets/2023: uprated from budgets/2022 by index-series/aki without the
     project lines, § 12's comments verbatim, adopted by § 12 as the
     meetings service holds it;
  5. § 12's question: the line e-service developer of 2023 per municipality,
     exact to the öre by the service's rules (recomputed here), ordered by
     SCB code; Kiruna's system reads its own share and no other;
  6. the usage of 2021: every generated record counted per municipality and
     kind, the invoice basis at the price list's prices; one
     InvoiceBasisIssued per municipality on the stream, addressed to it;
  7. loading the finance demo again adds nothing: IngestUsage counts every
     record as a duplicate, no resource is created, the log head stays;
  8. bad input from outside is refused and writes nothing: a stream message
     with one record of a non-member (the whole message is refused), an
     outcome for a month not begun, an invoice basis for a year not ended,
     a public reader's CreateBudget;
  9. enamnd-finance restarted (SIGTERM, exit 0): the same head, budgets and
     report; every entry of enamnd:events:finance decodes with the
     generated classes.

It needs the finance service's handlers: until they are written (they
answer UNIMPLEMENTED) it fails at step 1.

Environment: ENAMND_BUILD_DIR (stubs in $ENAMND_BUILD_DIR/python, binaries in
$ENAMND_BUILD_DIR/services/<service>/enamnd-<service>), ENAMND_SOURCE_DIR
(the repository root). The last line printed is "N passed, M failed"; the
exit status is non-zero when anything failed.
"""

import sys

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import Processes, day, decode_entry, poll, scb_code, tail

import grpc  # noqa: E402

from enamnd.finance.v1 import events_pb2  # noqa: E402
from enamnd.finance.v1 import finance_pb2  # noqa: E402
from enamnd.finance.v1 import finance_pb2_grpc  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2_grpc  # noqa: E402

import demo_common  # noqa: E402
import load_demo  # noqa: E402
import load_finance_demo  # noqa: E402
import load_projects_demo  # noqa: E402

F = finance_pb2
L = load_finance_demo
L.import_stubs()
STREAM = "enamnd:events:finance"
READS = ("enamnd:events:meetings", "enamnd:events:projects")
GROUP = "finance"  # the finance service's consumer group on both
PACKAGE = "enamnd.finance.v1"
KIRUNA = "municipalities/2584"
LULEA = "municipalities/2580"
STOCKHOLM = "municipalities/0180"  # a real municipality, not a member
RPC_TIMEOUT = 10
SETTLE_TIMEOUT = 30  # seconds for the consumers and the relay
TKR = 100_000


class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.procs = {}        # service name -> process
        self.callers = {}      # service name -> demo_common.Callers
        self.stub = None       # finance, as the finance officer
        self.first_load = None
        self.settled = None    # (head, budgets, report) after the first load

    # ------------------------------------------------------------ processes

    def make_demo_certificates(self):
        self.make_certificates(["meetings", "projects", "finance"])

    def start(self, name, principal, wait_until_serving):
        proc, address, log_path = self.launch(e2e_harness.binary(name), name)
        callers = demo_common.Callers(address, self.tls)
        channel = callers[principal]
        self.await_serving(proc, name, log_path,
                           lambda timeout: wait_until_serving(channel, timeout))
        self.procs[name], self.callers[name] = proc, callers
        return channel

    def start_meetings_and_load(self):
        channel = self.start("meetings", "secretary", load_demo.wait_until_serving)
        result = load_demo.load(channel, callers=self.callers["meetings"])
        assert not result["notes"], result["notes"]

    def start_projects_and_load(self):
        channel = self.start("projects", "coordinator", load_projects_demo.wait_until_serving)
        result = load_projects_demo.load(channel, callers=self.callers["projects"],
                                         members_timeout=SETTLE_TIMEOUT,
                                         decisions_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]

    def start_finance(self):
        channel = self.start("finance", L.FINANCE, L.wait_until_serving)
        self.stub = finance_pb2_grpc.FinanceServiceStub(channel)

    def as_(self, principal):
        return finance_pb2_grpc.FinanceServiceStub(self.callers["finance"][principal])

    def stop(self):
        for name in ("finance", "projects", "meetings"):
            self.stop_service(name)
        self.stop_redis()

    # ------------------------------------------------------------ helpers

    def load(self):
        return L.load(self.callers["finance"][L.FINANCE], callers=self.callers["finance"],
                      members_timeout=SETTLE_TIMEOUT, decisions_timeout=SETTLE_TIMEOUT)

    def budget(self, name, stub=None):
        return (stub or self.stub).GetBudget(F.GetBudgetRequest(name=name), timeout=RPC_TIMEOUT)

    def report(self):
        return self.stub.GetFinancialReport(F.GetFinancialReportRequest(
            budget=L.BUDGET, through_month=L.THROUGH_MONTH), timeout=RPC_TIMEOUT)

    def summary(self):
        return self.stub.GetUsageSummary(F.GetUsageSummaryRequest(year=L.USAGE_YEAR),
                                         timeout=RPC_TIMEOUT)

    def head(self):
        return e2e_harness.log_head(self.stub)

    def settle(self):
        """Waits until finance has consumed the meetings and projects streams
        and the relay has put its whole log on Redis; returns the log head."""
        for stream in READS:
            poll(lambda: e2e_harness.consumer_caught_up(self.redis, stream, GROUP),
                 SETTLE_TIMEOUT, f"group {GROUP} to consume {stream}")
        head = self.head()
        poll(lambda: self.redis.xlen(STREAM) >= head, SETTLE_TIMEOUT, f"XLEN {STREAM} >= {head}")
        assert self.redis.xlen(STREAM) == head, (self.redis.xlen(STREAM), head)
        return head

    def state(self):
        """What must not change when nothing is written."""
        later = self.stub.GetUsageSummary(F.GetUsageSummaryRequest(year=L.USAGE_YEAR + 1),
                                          timeout=RPC_TIMEOUT)
        return (self.head(), self.budget(L.BUDGET), self.budget(L.NEXT_BUDGET), self.report(),
                self.summary(), later)

    # ------------------------------------------------------------ 1) first load

    def check_first_load(self):
        result = self.load()
        self.first_load = result
        assert not result["notes"], result["notes"]
        assert result["adopted"], "budgets/2023 not adopted by § 12"
        records = len(L.usage_records())
        assert result["created"] == dict(
            index_series=1, population_figures=1, budgets=2, budget_revisions=1,
            outcome_months=5, forecasts=1, price_lists=1, usage_records=records,
            invoice_bases=1), result["created"]
        assert result["ingest"] == dict(sent=records, messages=-(-records // 1000), new=records,
                                        duplicate=0, conflict=0), result["ingest"]
        assert result["counts"] == dict(budgets=2, budget_revisions=3, outcome_months=5,
                                        forecasts=1, usage_records=records,
                                        invoice_basis_revision=1), result["counts"]
        self.settle()

    # ------------------------------------------------------------ 2) budget 2022

    def check_budget_2022(self):
        b = self.budget(L.BUDGET)
        assert F.Budget.State.Name(b.state) == "STATE_REVISED", F.Budget.State.Name(b.state)
        assert (b.revision, b.title, list(b.comments)) == (
            2, "Budget 2022", [L.FINANCIALS["funding_text"]]), (b.revision, b.title, b.comments)
        want = L.budget_2022_lines()
        assert [(x.id, x.title, x.income.ore, x.cost.ore, x.initiative) for x in b.lines] == [
            (x["id"], x["title"], x["income_ore"], x["cost_ore"], x["initiative"])
            for x in want], b.lines
        assert (b.total_income.ore, b.total_cost.ore) == (5034 * TKR, 5034 * TKR)
        d = L.INVENTED["budget_2022"]["adopted_by"]
        a = b.adoption
        assert (a.revision, a.decision.paragraph, day(a.decision.meeting_date),
                a.decision.case_number, a.decision.decision_kind, a.decision.decision_text) == (
            1, d["paragraph"], d["meeting_date"], d["case_number"], d["decision_kind"],
            d["decision_text"]), a
        revisions = self.stub.ListBudgetRevisions(F.ListBudgetRevisionsRequest(
            budget=L.BUDGET), timeout=RPC_TIMEOUT).revisions
        assert [(r.revision, F.Budget.State.Name(r.state)) for r in revisions] == [
            (1, "STATE_ADOPTED"), (2, "STATE_REVISED")], revisions
        assert [x.id for x in revisions[0].lines] == [x["id"] for x in L.base_lines()]
        public = self.budget(L.BUDGET, self.as_("public-reader"))
        assert (F.Budget.State.Name(public.state), public.revision) == ("STATE_ADOPTED", 1), (
            public.state, public.revision)
        assert [x.id for x in public.lines] == [x["id"] for x in L.base_lines()], public.lines

    # ------------------------------------------------------------ 3) report

    def check_report(self):
        r = self.report()
        income, cost = L.outcome_totals()
        t = r.total
        assert (t.outcome.income.ore, t.outcome.cost.ore, t.outcome.deviation.ore) == (
            income, cost, income - cost), t.outcome
        assert (t.outcome.income_tkr, t.outcome.cost_tkr, t.outcome.deviation_tkr) == (
            1792, 1673, 120), t.outcome
        assert (t.budget.income_tkr, t.budget.cost_tkr, t.budget.deviation_tkr) == (
            5034, 5034, 0), t.budget
        assert (t.forecast.income.ore, t.forecast.cost.ore) == (6193 * TKR, 6193 * TKR)
        assert (t.forecast.income_tkr, t.forecast.cost_tkr, t.forecast.deviation_tkr) == (
            6193, 6193, 0), t.forecast
        assert (t.forecast_deviation.income_tkr, t.forecast_deviation.cost_tkr) == (1159, 1159)
        assert r.forecast == f"{L.BUDGET}/forecasts/{L.FORECAST_MONTH}", r.forecast
        assert list(r.forecast_notes) == L.FINANCIALS["forecast_notes"], r.forecast_notes
        per_line = {}
        for m in L.outcome_months():
            for x in m["lines"]:
                i, c = per_line.get(x["line"], (0, 0))
                per_line[x["line"]] = (i + x["income_ore"], c + x["cost_ore"])
        got = {row.line: (row.outcome.income.ore, row.outcome.cost.ore) for row in r.rows}
        assert {k: v for k, v in got.items() if v != (0, 0)} == per_line, got
        assert [row.line for row in r.rows] == [x["id"] for x in L.budget_2022_lines()]

    # ------------------------------------------------------------ 4) budget 2023

    def check_budget_2023(self):
        b = self.budget(L.NEXT_BUDGET)
        assert F.Budget.State.Name(b.state) == "STATE_ADOPTED", F.Budget.State.Name(b.state)
        want = L.budget_2023_lines()
        assert [(x.id, x.income.ore, x.cost.ore) for x in b.lines] == [
            (x["id"], x["income_ore"], x["cost_ore"]) for x in want], b.lines
        assert list(b.comments) == L.BUDGET_2023_TEXT["comments"], b.comments
        figures = L.index_figures()
        u = b.uprated_from
        assert (u.source_budget, u.index_series, u.from_figure.value_thousandths,
                u.to_figure.value_thousandths) == (L.BUDGET, L.INDEX_SERIES, figures[2022],
                                                    figures[2023]), u
        meetings = meetings_pb2_grpc.MeetingsServiceStub(self.callers["meetings"]["secretary"])
        paragraph = meetings.GetParagraph(meetings_pb2.GetParagraphRequest(
            name=L.ADOPTING_PARAGRAPH), timeout=RPC_TIMEOUT)
        d = b.adoption.decision
        assert (d.paragraph, d.paragraph_number, d.case_number, d.decision_kind,
                d.decision_text, day(d.meeting_date)) == (
            paragraph.name, 12, "2022/13-2.2.0.1", "DECISION_KIND_APPROVE",
            paragraph.decision.text, "2022-06-22"), d
        assert b.adoption.revision == 1, b.adoption.revision
        assert [x.paragraph for x in b.decisions] == [L.ADOPTING_PARAGRAPH], b.decisions
        public = self.as_("public-reader").ListBudgets(F.ListBudgetsRequest(),
                                                      timeout=RPC_TIMEOUT).budgets
        assert [x.name for x in public] == [L.BUDGET, L.NEXT_BUDGET], [x.name for x in public]

    # ------------------------------------------------------------ 5) § 12's question

    def check_question(self):
        line = next(x for x in L.budget_2023_lines() if x["id"] == L.QUESTION_LINE)
        expected = L.line_shares(line["cost_ore"], line["allocation"])
        shares = self.stub.GetCostShares(F.GetCostSharesRequest(
            budget=L.NEXT_BUDGET, line=L.QUESTION_LINE), timeout=RPC_TIMEOUT)
        assert [x.line for x in shares.lines] == [L.QUESTION_LINE], shares.lines
        got = shares.lines[0]
        assert got.total.ore == line["cost_ore"], got.total
        assert [s.municipality for s in got.shares] == sorted(
            "municipalities/" + c for c in expected), [s.municipality for s in got.shares]
        assert {scb_code(s.municipality): s.amount.ore for s in got.shares} == expected
        names = L.NAMES
        assert all(s.display_name == names[scb_code(s.municipality)] for s in got.shares)
        assert self.first_load["question"]["shares"][0]["amount"] == got.shares[0].amount.ore
        kiruna = self.as_("kiruna-system")
        own = kiruna.GetCostShares(F.GetCostSharesRequest(
            budget=L.NEXT_BUDGET, line=L.QUESTION_LINE, municipality=KIRUNA), timeout=RPC_TIMEOUT)
        assert [(s.municipality, s.amount.ore) for s in own.lines[0].shares] == [
            (KIRUNA, expected["2584"])], own
        self.expect_code(grpc.StatusCode.PERMISSION_DENIED, lambda: kiruna.GetCostShares(
            F.GetCostSharesRequest(budget=L.NEXT_BUDGET, municipality=LULEA),
            timeout=RPC_TIMEOUT))
        # The whole budget: each municipality's total over the lines.
        whole = self.stub.GetCostShares(F.GetCostSharesRequest(budget=L.NEXT_BUDGET),
                                        timeout=RPC_TIMEOUT)
        assert sum(s.amount.ore for s in whole.totals) == sum(x["cost_ore"]
                                                              for x in L.budget_2023_lines())
        print(f"     (Luleå pays {L.kronor(expected['2580'])} of {L.kronor(line['cost_ore'])})",
              flush=True)

    # ------------------------------------------------------------ 6) usage

    def check_usage(self):
        counts, amounts = L.usage_counts(), L.usage_amounts()
        s = self.summary()
        assert s.record_count == sum(counts.values()) and s.priced, (s.record_count, s.priced)
        assert [m.municipality for m in s.municipalities] == sorted(L.MEMBERS)
        for m in s.municipalities:
            code = scb_code(m.municipality)
            assert [(F.UsageKind.Name(k.kind), k.count) for k in m.kinds] == [
                (kind, counts[(code, kind)]) for kind in L.KINDS], (code, m.kinds)
            assert m.total.ore == amounts[code], (code, m.total.ore, amounts[code])
        basis = self.stub.GetInvoiceBasis(F.GetInvoiceBasisRequest(name=L.INVOICE_BASIS),
                                          timeout=RPC_TIMEOUT)
        assert (basis.revision, basis.record_count, basis.records_after_issue, basis.total.ore) == (
            1, s.record_count, 0, sum(amounts.values())), basis
        assert {scb_code(m.municipality): m.total.ore for m in basis.municipalities} == amounts
        issued = {}
        for entry_id, fields in self.redis.xrange(STREAM, "-", "+"):
            if fields[b"type"].decode() != PACKAGE + ".InvoiceBasisIssued":
                continue
            payload, _, attrs, where = decode_entry(entry_id, fields, "//enamnd/finance",
                                                    PACKAGE, events_pb2)
            code = scb_code(payload.municipality.municipality)
            assert attrs["audience"].ce_string == code, f"{where}: audience"
            assert payload.municipality.total.ore == amounts[code], where
            issued[code] = issued.get(code, 0) + 1
        assert issued == {code: 1 for code in amounts}, issued
        print(f"     ({s.record_count} transactions of {L.USAGE_YEAR}, "
              f"{L.kronor(basis.total.ore)})", flush=True)

    # ------------------------------------------------------------ 7) second load

    def check_second_load(self):
        self.settled = self.state()
        result = self.load()
        assert not any(result["created"].values()), f"the second load created {result['created']}"
        assert not result["notes"], result["notes"]
        i = result["ingest"]
        assert (i["new"], i["duplicate"], i["conflict"]) == (0, i["sent"], 0), i
        for key in ("counts", "budgets", "revisions", "report", "question", "invoice_basis"):
            assert result[key] == self.first_load[key], (key, result[key], self.first_load[key])
        self.settle()
        assert self.state() == self.settled, "the second load changed something"

    # ------------------------------------------------------------ 8) bad input

    def check_refused(self, codes, call):
        """call() fails with one of `codes` and writes nothing."""
        self.settle()
        before = self.state()
        try:
            call()
        except grpc.RpcError as e:
            assert e.code() in codes, f"{e.code().name}: {e.details()}"
        else:
            raise AssertionError("the call succeeded")
        assert self.state() == before, "something was written"

    def bad_inputs(self):
        platform = self.as_("e-service-platform")
        good = [F.UsageRecord(transaction_id=f"e2e-good-{n}", municipality=KIRUNA,
                              kind=F.USAGE_KIND_SMS, time=L.timestamp_pb2.Timestamp(
                                  seconds=L._epoch_seconds("2022-03-01T12:00:00Z")),
                              e_service="e2e") for n in range(3)]
        bad = F.UsageRecord(transaction_id="e2e-stockholm", municipality=STOCKHOLM,
                            kind=F.USAGE_KIND_SMS, time=good[0].time, e_service="e2e")
        invalid = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)
        return [
            ("a stream message with a non-member's record", (grpc.StatusCode.INVALID_ARGUMENT,),
             lambda: platform.IngestUsage(iter([F.IngestUsageRequest(records=good + [bad])]),
                                          timeout=RPC_TIMEOUT)),
            ("the outcome of December 2022 (not begun)", invalid,
             lambda: self.stub.RecordOutcome(F.RecordOutcomeRequest(
                 budget=L.BUDGET, outcome=F.MonthlyOutcome(month=12)), timeout=RPC_TIMEOUT)),
            ("the invoice basis of 2022 (not ended)", invalid,
             lambda: self.stub.IssueInvoiceBasis(F.IssueInvoiceBasisRequest(
                 year=2022, request_id="e2e-2022"), timeout=RPC_TIMEOUT)),
            ("CreateBudget by the public reader", (grpc.StatusCode.PERMISSION_DENIED,),
             lambda: self.as_("public-reader").CreateBudget(F.CreateBudgetRequest(
                 year=2024, budget=F.Budget(title="Budget 2024")), timeout=RPC_TIMEOUT)),
        ]

    # ------------------------------------------------------------ 9) restart, stream

    def check_restart(self):
        assert self.settled is not None, "no settled state"
        code = self.stop_service("finance")
        assert code == 0, f"enamnd-finance exited with {code} on SIGTERM:\n" + tail(
            self.log_paths["finance"])
        self.start_finance()
        self.settle()
        assert self.state() == self.settled, "the restarted service differs"

    def check_stream(self):
        head = self.settle()
        counts = {}
        for entry_id, fields in self.redis.xrange(STREAM, "-", "+"):
            _, message, _, _ = decode_entry(entry_id, fields, "//enamnd/finance", PACKAGE,
                                            events_pb2)
            counts[message] = counts.get(message, 0) + 1
        assert sum(counts.values()) == head, (counts, head)
        for message, count in dict(BudgetCreated=2, BudgetChanged=1, IndexSeriesChanged=1,
                                   PopulationFiguresRecorded=1, OutcomeRecorded=5, ForecastMade=1,
                                   PriceListChanged=1, InvoiceBasisIssued=14).items():
            assert counts.get(message) == count, (message, counts)
        assert counts.get("BudgetAdopted", 0) >= 1, counts
        print("     (" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ")",
              flush=True)

    def check_clean_stop(self):
        self.stop_cleanly(("finance", "projects", "meetings"))


def run_checks(results, scenario):
    # Each step needs the ones before it.
    for name, fn in [
            ("make the demo certificates and policy (tools/tls)", scenario.make_demo_certificates),
            ("start redis-server on a unix socket", scenario.start_redis),
            ("start enamnd-meetings and load its demo", scenario.start_meetings_and_load),
            ("start enamnd-projects and load its demo", scenario.start_projects_and_load),
            ("start enamnd-finance and wait for SERVING", scenario.start_finance),
            ("1) load the finance demo: no notes, § 12 adopts budgets/2023",
             scenario.check_first_load)]:
        results.check(name, fn)
        if results.failed:
            return
    results.check("2) budgets/2022 revised with the projects; revision 1 adopted and kept; "
                  "public sees it adopted", scenario.check_budget_2022)
    results.check("3) report Jan-May 2022: 1 792 / 1 673 / 120 tkr; forecast 6 193 tkr",
                  scenario.check_report)
    results.check("4) budgets/2023 uprated by AKI, § 12's comments, adopted by § 12",
                  scenario.check_budget_2023)
    results.check("5) § 12's question: the e-service developer per municipality, to the öre",
                  scenario.check_question)
    results.check("6) usage 2021 and its invoice basis; one InvoiceBasisIssued per member",
                  scenario.check_usage)
    results.check("7) loading the finance demo again adds nothing", scenario.check_second_load)
    for what, codes, call in scenario.bad_inputs():
        results.check(f"8) {what}: refused, nothing written", scenario.check_refused, codes, call)
    results.check("9) SIGTERM -> exit 0; restarted: the same state", scenario.check_restart)
    results.check(f"9) every {STREAM} entry decodes; the counts of the demo",
                  scenario.check_stream)
    results.check("SIGTERM: enamnd-finance, enamnd-projects and enamnd-meetings exit 0",
                  scenario.check_clean_stop)


if __name__ == "__main__":
    sys.exit(e2e_harness.main(Scenario, run_checks))
