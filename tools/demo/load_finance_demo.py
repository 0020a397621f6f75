#!/usr/bin/python3
"""Loads the finance demo data of Norrbottens e-nämnd into the finance service.

Usage:
    /usr/bin/python3 tools/demo/load_finance_demo.py --address 127.0.0.1:50055
        [--stubs build/python] [--tls var/tls]

(--finance is the same as --address.) It connects with mTLS, with the demo
certificates of --tls (default var/tls, made by ./tools/up), as the
committee's finance officer (role finance: every write of the finance
service but IngestUsage needs it) and as the e-service platform (role
e-service-platform, which IngestUsage needs). It talks to enamnd-finance
only through its public gRPC API (no SQL). The records are
tools/demo/data/finance.json:

  * the index series index-series/aki, "Arbetskostnadsindex (AKI)", with a
    figure for 2022 and 2023 (source SCB; the values are invented);
  * the population figures population-figures/2023-12-31 of the 14 members
    (SCB, 248 480 inhabitants; DOMAIN.md, municipalities.json): the only
    figures the demo has, so both budgets allocate by them;
  * the budget 2022: 5 034 tkr income and cost (§ 16), in invented lines
    (base funding 30 % equal shares + 70 % by population, e-office and the
    e-service developer by population, the coordinator in equal shares, the
    e-service platform 30/70), registered as adopted by an invented decision
    of 2021 (CreateBudget.adopted_by); then revised (UpdateBudget: revision
    2) with the four projects § 16 says were added during the year (Projekt
    Elevhälsan, HR, e-learning, DCBD) at zero, each distributed by
    participation in its initiative;
  * the outcome January-May 2022 per month and line (an invented split
    whose exact sums are reported as 1 792, 1 673 and 120 tkr, as § 16;
    May's note is § 16's "Noteringar avvikelser", verbatim) and the forecast
    made after May: 6 193 tkr income and cost (§ 16), with § 16's notes;
  * the budget 2023: the budget 2022 uprated by AKI without the project
    lines ("Inga projekt budgeterade för 2023"), with § 12's comments
    verbatim. § 12 of 22 June 2022 approves it: its case has the subject
    //finance/budgets/2023, and the finance service links the decision from
    the meetings service's events (consumer group finance). The loader
    waits up to --decisions-wait seconds until the budget shows it adopted;
  * what each municipality pays for the line e-service developer in 2023
    (GetCostShares), the question § 12's meeting asked;
  * the price list price-lists/2021 (invented prices) and a year 2021 of the
    e-service platform's metered transactions, generated from the data
    file's seed and rates (tens of thousands of records), sent through
    IngestUsage in messages of 1 000 records, and the invoice basis of 2021.

The members must be known to the finance service before population
figures can name them: it learns them from the meetings service's
MunicipalityRegistered events, asynchronously. The loader retries while the
service answers that a member "is not a member municipality", up to
--members-wait seconds.

Running it again changes nothing: every resource is looked up before it is
created (with a deterministic request_id); the budget 2022 is revised only
while it lacks a project line; a month's outcome is recorded only when the
financial report does not show it as the data has it, the forecast only
when the report shows another one; the transactions have stable ids, so
IngestUsage stores none of them again (the reply counts them as
duplicates); the invoice basis is issued only when the year has none.

Tests import this module: the functions without gRPC (budget_2022_lines,
outcome_months, forecast_lines, uprate, tkr, distribute, line_shares,
usage_counts, usage_records, ...) are what tests/demo checks the data with;
load(channel) -> dict is what tests/e2e runs. main() is the command line,
the same as load_demo.py's (demo_common.run_main) plus --members-wait and
--decisions-wait.
"""

import sys
import time
from pathlib import Path

# demo_common lives next to this file: importable whether this runs as a
# script or is imported as a module (tests put tools/demo on sys.path).
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import (  # noqa: E402,F401 (re-exported: tests use load_finance_demo.*)
    RPC_TIMEOUT, LoadError, _create, _date, _day, _list_all, read_data)

DATA = read_data("finance.json")
SAMPLE = DATA["sample"]
FINANCIALS = SAMPLE["financials_2022"]  # § 16
BUDGET_2023_TEXT = SAMPLE["budget_2023"]  # § 12
POPULATION = DATA["population"]
DERIVED = DATA["derived"]
INVENTED = DATA["invented"]

YEAR = DERIVED["budget_2022"]["year"]
NEXT_YEAR = DERIVED["budget_2023"]["year"]
BUDGET = f"budgets/{YEAR}"
NEXT_BUDGET = f"budgets/{NEXT_YEAR}"
INDEX_SERIES = "index-series/" + INVENTED["index_series"]["id"]
POPULATION_FIGURES = "population-figures/" + POPULATION["reference_date"]
THROUGH_MONTH = DERIVED["outcome_through_month"]
FORECAST_MONTH = DERIVED["forecast_as_of_month"]
QUESTION_LINE = DERIVED["question_line"]
USAGE = INVENTED["usage_2021"]
USAGE_YEAR = DERIVED["usage_year"]
PRICE_LIST = f"price-lists/{USAGE_YEAR}"
INVOICE_BASIS = f"invoice-bases/{USAGE_YEAR}"

MEETING_0622 = "bodies/e-namnden/meetings/2022-06-22"
ADOPTING_PARAGRAPH = f"{MEETING_0622}/paragraphs/{DERIVED['budget_2023']['adopted_by_paragraph']}"

# The kinds of metered transaction, in the enum's order.
KINDS = ("USAGE_KIND_BANKID_AUTHENTICATION", "USAGE_KIND_BANKID_SIGNATURE",
         "USAGE_KIND_FREJA_EID", "USAGE_KIND_SMS")

# SCB code -> official name; the members in the data file's order.
NAMES = demo_common.municipality_names()
MEMBERS = ["municipalities/" + code for code in NAMES]

# The demo principals the loader calls as.
FINANCE = "finance-officer"  # not "finance": that is the service's certificate
PLATFORM = "e-service-platform"
FINANCE_HINT = ("the loader calls as the demo principals 'finance-officer' (role finance) and "
                "'e-service-platform' (role e-service-platform); a var/tls/policy.textproto "
                "written before 'finance-officer' was a demo principal lacks its grant: remove "
                "that file and run ./tools/up again")
# The deadline of the IngestUsage stream (every record of the year).
INGEST_TIMEOUT = 600


# ------------------------------------------------------------------ stubs

grpc = None
finance_pb2 = None
finance_pb2_grpc = None
common_pb2 = None
decision_pb2 = None
field_mask_pb2 = None
timestamp_pb2 = None


def import_stubs(stubs_dir=None):
    """Imports grpc and the generated modules; stubs_dir goes first on sys.path."""
    global grpc, finance_pb2, finance_pb2_grpc, common_pb2, decision_pb2
    global field_mask_pb2, timestamp_pb2
    if finance_pb2 is not None and stubs_dir is None:
        return
    grpc, (finance_pb2, finance_pb2_grpc, common_pb2, decision_pb2) = demo_common.import_stubs(
        stubs_dir, ["enamnd.finance.v1.finance_pb2", "enamnd.finance.v1.finance_pb2_grpc",
                    "enamnd.common.v1.common_pb2", "enamnd.common.v1.decision_pb2"])
    from google.protobuf import field_mask_pb2 as mask_module
    from google.protobuf import timestamp_pb2 as timestamp_module
    field_mask_pb2, timestamp_pb2 = mask_module, timestamp_module


def wait_until_serving(channel, timeout=30.0):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC)."""
    import_stubs()
    stub = finance_pb2_grpc.FinanceServiceStub(channel)

    def list_budgets(t):
        stub.ListBudgets(finance_pb2.ListBudgetsRequest(page_size=1), timeout=t)

    demo_common.wait_until_serving(channel, list_budgets, timeout,
                                   service="the finance service")


# ------------------------------------------------------------------ rules (no gRPC)

def tkr(ore):
    """An exact amount in whole tkr (100 000 öre), rounded half away from
    zero, as the service reports it (finance::ToTkr)."""
    magnitude = (abs(ore) + 50_000) // 100_000
    return magnitude if ore >= 0 else -magnitude


def uprate(ore, from_value, to_value):
    """ore * to_value / from_value rounded to the öre half away from zero
    (finance::Uprate)."""
    numerator, denominator = abs(ore) * to_value, from_value
    magnitude = (2 * numerator + denominator) // (2 * denominator)
    return magnitude if ore >= 0 else -magnitude


def population_entries():
    """[(municipalities/{code}, inhabitants)] of the population figures, in
    the data's order (municipalities.json holds the figures of
    population.reference_date)."""
    municipalities = read_data("municipalities.json")
    if municipalities["population_date"] != POPULATION["reference_date"]:
        raise LoadError(f"municipalities.json holds the population of "
                        f"{municipalities['population_date']}, finance.json wants "
                        f"{POPULATION['reference_date']}")
    return [("municipalities/" + m["code"], m["population"])
            for m in municipalities["municipalities"]]


def project_lines():
    """The lines § 16 says were added during 2022: [{id, title, income_ore,
    cost_ore, allocation, initiative}], at zero, by participation."""
    added = FINANCIALS["projects_added"]
    lines = []
    for p in DERIVED["project_lines"]:
        if p["added_as"] not in added:
            raise LoadError(f"finance.json: {p['added_as']!r} is not among § 16's projects_added")
        initiative = "initiatives/" + p["id"]
        lines.append(dict(id=p["id"], title=p["added_as"], income_ore=0, cost_ore=0,
                          allocation={"participation": initiative}, initiative=initiative))
    return lines


def base_lines():
    """The lines of the budget 2022 as adopted (invented)."""
    return [dict(id=x["id"], title=x["title"], income_ore=x["income_ore"],
                 cost_ore=x["cost_ore"], allocation=x["allocation"],
                 initiative=x.get("initiative", ""))
            for x in INVENTED["budget_2022"]["lines"]]


def budget_2022_lines():
    """Every line of the budget 2022 as revised: the adopted ones, then the
    projects added."""
    return base_lines() + project_lines()


def outcome_months():
    """[{month, lines: [{line, income_ore, cost_ore}], note}] January-May
    2022; May's note is § 16's notes on the outcome, one a line."""
    months = []
    for m in INVENTED["outcome_2022"]:
        note = "\n".join(FINANCIALS["outcome_notes"]) if m["month"] == THROUGH_MONTH else ""
        months.append(dict(month=m["month"], lines=[dict(x) for x in m["lines"]], note=note))
    return months


def outcome_totals(through=THROUGH_MONTH):
    """(income, cost) in öre, exact, of the outcome through a month."""
    cells = [x for m in outcome_months() if m["month"] <= through for x in m["lines"]]
    return sum(x["income_ore"] for x in cells), sum(x["cost_ore"] for x in cells)


def forecast_lines():
    return [dict(x) for x in INVENTED["forecast_2022"]["lines"]]


def forecast_notes():
    return list(FINANCIALS["forecast_notes"])


def index_figures():
    """{year: value_thousandths} of the index series."""
    return {f["year"]: f["value_thousandths"] for f in INVENTED["index_series"]["figures"]}


def budget_2023_lines():
    """The lines the service must make of the budget 2022 uprated to 2023,
    without the project lines."""
    figures = index_figures()
    omitted = {p["id"] for p in DERIVED["project_lines"]}
    return [dict(line, income_ore=uprate(line["income_ore"], figures[YEAR], figures[NEXT_YEAR]),
                 cost_ore=uprate(line["cost_ore"], figures[YEAR], figures[NEXT_YEAR]))
            for line in budget_2022_lines() if line["id"] not in omitted]


def budget_2023_comments():
    """§ 12's "Kommentarer Budget 2023", verbatim."""
    return list(BUDGET_2023_TEXT["comments"])


def distribute(total, weights):
    """{code: öre}: total (not negative) in proportion to weights {code:
    weight}, each share rounded down and the öre left over one each by
    largest remainder, ties to the lower SCB code (finance::Allocate)."""
    whole = sum(weights.values())
    if whole == 0:
        if total:
            raise ValueError("a nonzero total over zero weights")
        return {code: 0 for code in weights}
    shares, remainders = {}, []
    for code in sorted(weights):
        share, remainder = divmod(total * weights[code], whole)
        shares[code] = share
        remainders.append((-remainder, code))
    for _, code in sorted(remainders)[:total - sum(shares.values())]:
        shares[code] += 1
    return shares


def _simple_weights(model, population):
    if "equal" in model:
        codes = model["equal"] or [m.rpartition("/")[2] for m in MEMBERS]
        return {code: 1 for code in codes}
    if "population" in model:
        return dict(population)
    raise ValueError(f"no reference weights for {model}")


def line_shares(total, allocation, population=None):
    """{code: öre}: what each municipality pays of `total` by an equal,
    population or mix allocation of the data (the service's rules, for the
    checks; participation and usage need the service's own records).
    population: {code: inhabitants}, default the population figures."""
    if population is None:
        population = {m.rpartition("/")[2]: n for m, n in population_entries()}
    if "mix" not in allocation:
        return distribute(total, _simple_weights(allocation, population))
    parts = allocation["mix"]
    # The total over the parts first: largest remainder, ties to the earlier part.
    amounts = distribute(total, {f"{i:04d}": p["basis_points"] for i, p in enumerate(parts)})
    shares = {}
    for i, part in enumerate(parts):
        for code, amount in distribute(amounts[f"{i:04d}"],
                                       _simple_weights(part["model"], population)).items():
            shares[code] = shares.get(code, 0) + amount
    return shares


def usage_counts():
    """{(SCB code, kind): records} of the generated year: round(inhabitants
    * rate / 1000) each."""
    rates = USAGE["rates_per_1000_inhabitants"]
    return {(m.rpartition("/")[2], kind): (inhabitants * rates[kind] + 500) // 1000
            for m, inhabitants in population_entries() for kind in KINDS}


def _splitmix64(state):
    """The next (state, value) of splitmix64: the same numbers on every
    machine and Python version."""
    state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return state, z ^ (z >> 31)


def _epoch_seconds(text):
    """"2021-01-01T06:00:00Z" -> seconds since the epoch (UTC)."""
    import datetime
    return int(datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp())


def usage_records():
    """Every generated record of the year, in time order (then id):
    [{transaction_id, municipality, kind, seconds, e_service}]. The ids
    depend only on the counts; the times and e-services on the seed."""
    first, last = _epoch_seconds(USAGE["first_time"]), _epoch_seconds(USAGE["last_time"])
    services = USAGE["e_services"]
    state = USAGE["seed"]
    records = []
    for (code, kind), count in usage_counts().items():
        short = kind.replace("USAGE_KIND_", "").lower().replace("_", "-")
        for n in range(1, count + 1):
            state, a = _splitmix64(state)
            state, b = _splitmix64(state)
            records.append(dict(transaction_id=f"demo-{USAGE_YEAR}-{code}-{short}-{n:06d}",
                                municipality="municipalities/" + code, kind=kind,
                                seconds=first + a % (last - first),
                                e_service=services[b % len(services)]))
    records.sort(key=lambda r: (r["seconds"], r["transaction_id"]))
    return records


def usage_amounts():
    """{code: öre} of the generated year at the price list's prices."""
    prices = INVENTED["price_list_2021"]["prices_ore"]
    amounts = {}
    for (code, kind), count in usage_counts().items():
        amounts[code] = amounts.get(code, 0) + count * prices[kind]
    return amounts


# ------------------------------------------------------------------ messages

def _money(ore):
    return common_pb2.Money(ore=ore)


def _allocation_proto(allocation):
    F = finance_pb2
    model = F.AllocationModel()
    if "mix" in allocation:
        model.mix.SetInParent()
        for part in allocation["mix"]:
            model.mix.parts.add(basis_points=part["basis_points"]).model.CopyFrom(
                _allocation_proto(part["model"]))
    elif "equal" in allocation:
        model.equal.SetInParent()
        model.equal.municipalities.extend("municipalities/" + c for c in allocation["equal"])
    elif "population" in allocation:
        model.population.population_figures = allocation["population"]
    elif "participation" in allocation:
        model.participation.initiative = allocation["participation"]
    else:
        raise LoadError(f"finance.json: an allocation the loader does not know: {allocation}")
    return model


def _line_proto(line):
    return finance_pb2.BudgetLine(
        id=line["id"], title=line["title"], income=_money(line["income_ore"]),
        cost=_money(line["cost_ore"]), allocation=_allocation_proto(line["allocation"]),
        initiative=line["initiative"])


def _decision_proto(d):
    return decision_pb2.CommitteeDecision(
        paragraph=d["paragraph"], paragraph_number=d["paragraph_number"], meeting=d["meeting"],
        meeting_date=_date(d["meeting_date"]), case_number=d["case_number"], title=d["title"],
        decision_kind=d["decision_kind"], decision_text=d["decision_text"])


def _amounts_proto(x):
    return finance_pb2.LineAmounts(line=x["line"], income=_money(x["income_ore"]),
                                   cost=_money(x["cost_ore"]))


def _usage_messages(records, batch_size):
    """The IngestUsage stream: messages of batch_size records."""
    F = finance_pb2
    for start in range(0, len(records), batch_size):
        yield F.IngestUsageRequest(records=[
            F.UsageRecord(transaction_id=r["transaction_id"], municipality=r["municipality"],
                          kind=F.UsageKind.Value(r["kind"]),
                          time=timestamp_pb2.Timestamp(seconds=r["seconds"]),
                          e_service=r["e_service"])
            for r in records[start:start + batch_size]])


# ------------------------------------------------------------------ loading

def _load_index_series(stub, created, notes):
    F = finance_pb2
    spec = INVENTED["index_series"]
    series, new = _create(
        INDEX_SERIES,
        lambda: stub.CreateIndexSeries(F.CreateIndexSeriesRequest(
            index_series_id=spec["id"], request_id="demo-index-series-" + spec["id"],
            index_series=F.IndexSeries(display_name=spec["display_name"], figures=[
                F.IndexFigure(**f) for f in spec["figures"]])), timeout=RPC_TIMEOUT),
        lambda: stub.GetIndexSeries(F.GetIndexSeriesRequest(name=INDEX_SERIES),
                                    timeout=RPC_TIMEOUT))
    created["index_series"] += new
    have = {f.year: f.value_thousandths for f in series.figures}
    if any(have.get(year) != value for year, value in index_figures().items()):
        notes.append(f"{INDEX_SERIES} has the figures {have}, the demo's are {index_figures()} "
                     "(created by an earlier demo?): left as they are")


def _create_population_figures(stub, deadline):
    """CreatePopulationFigures, retried while the service does not know
    every member yet (it learns them from the meetings stream)."""
    F = finance_pb2
    request = F.CreatePopulationFiguresRequest(
        request_id="demo-" + POPULATION_FIGURES.replace("/", "-"),
        population_figures=F.PopulationFigures(
            reference_date=_date(POPULATION["reference_date"]), source=POPULATION["source"],
            entries=[F.MunicipalityPopulation(municipality=m, inhabitants=n)
                     for m, n in population_entries()]))
    return demo_common.create_once_members_known(
        POPULATION_FIGURES, lambda: stub.CreatePopulationFigures(request, timeout=RPC_TIMEOUT),
        deadline, "the finance service")


def _load_population(stub, created, members_deadline):
    F = finance_pb2
    _, new = _create(
        POPULATION_FIGURES, lambda: _create_population_figures(stub, members_deadline),
        lambda: stub.GetPopulationFigures(F.GetPopulationFiguresRequest(name=POPULATION_FIGURES),
                                          timeout=RPC_TIMEOUT))
    created["population_figures"] += new


def _load_budget_2022(stub, created, notes):
    """The budget 2022 as adopted in 2021, then revised with the projects."""
    F = finance_pb2
    budget, new = _create(
        BUDGET,
        lambda: stub.CreateBudget(F.CreateBudgetRequest(
            year=YEAR, request_id=f"demo-budget-{YEAR}",
            budget=F.Budget(title=DERIVED["budget_2022"]["title"],
                            lines=[_line_proto(x) for x in base_lines()],
                            comments=[FINANCIALS["funding_text"]]),
            adopted_by=_decision_proto(INVENTED["budget_2022"]["adopted_by"])),
            timeout=RPC_TIMEOUT),
        lambda: stub.GetBudget(F.GetBudgetRequest(name=BUDGET), timeout=RPC_TIMEOUT))
    created["budgets"] += new
    have = {x.id for x in budget.lines}
    missing = [x for x in project_lines() if x["id"] not in have]
    if not missing:
        return budget
    revised = stub.UpdateBudget(F.UpdateBudgetRequest(
        budget=F.Budget(name=BUDGET, etag=budget.etag,
                        lines=list(budget.lines) + [_line_proto(x) for x in missing]),
        update_mask=field_mask_pb2.FieldMask(paths=["lines"])), timeout=RPC_TIMEOUT)
    created["budget_revisions"] += 1
    if F.Budget.State.Name(revised.state) != "STATE_REVISED":
        notes.append(f"{BUDGET} is {F.Budget.State.Name(revised.state)} after UpdateBudget, not "
                     "STATE_REVISED (was it adopted?)")
    return revised


def _report_request(through_month):
    return finance_pb2.GetFinancialReportRequest(budget=BUDGET, through_month=through_month)


def _months_as_recorded(stub):
    """{month: {line: (income, cost)}} of the outcome the service holds,
    read back from the report's cumulative figures month by month."""
    try:
        last = stub.GetFinancialReport(_report_request(0), timeout=RPC_TIMEOUT).through_month
    except grpc.RpcError as e:
        if e.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND,
                        grpc.StatusCode.INVALID_ARGUMENT):
            return {}  # nothing recorded yet
        raise
    recorded, previous = {}, {}
    for month in range(1, min(last, THROUGH_MONTH) + 1):
        report = stub.GetFinancialReport(_report_request(month), timeout=RPC_TIMEOUT)
        cumulative = {r.line: (r.outcome.income.ore, r.outcome.cost.ore) for r in report.rows}
        amounts = {line: (i - previous.get(line, (0, 0))[0], c - previous.get(line, (0, 0))[1])
                   for line, (i, c) in cumulative.items()}
        recorded[month] = {line: v for line, v in amounts.items() if v != (0, 0)}
        previous = cumulative
    return recorded


def _load_outcome(stub, created):
    F = finance_pb2
    recorded = _months_as_recorded(stub)
    for m in outcome_months():
        want = {x["line"]: (x["income_ore"], x["cost_ore"]) for x in m["lines"]
                if (x["income_ore"], x["cost_ore"]) != (0, 0)}
        if recorded.get(m["month"]) == want:
            continue
        stub.RecordOutcome(F.RecordOutcomeRequest(budget=BUDGET, outcome=F.MonthlyOutcome(
            month=m["month"], lines=[_amounts_proto(x) for x in m["lines"]], note=m["note"])),
            timeout=RPC_TIMEOUT)
        created["outcome_months"] += 1


def _load_forecast(stub, created, notes):
    F = finance_pb2
    name = f"{BUDGET}/forecasts/{FORECAST_MONTH}"
    report = stub.GetFinancialReport(_report_request(FORECAST_MONTH), timeout=RPC_TIMEOUT)
    want = {x["line"]: (x["income_ore"], x["cost_ore"]) for x in forecast_lines()}
    have = {r.line: (r.forecast.income.ore, r.forecast.cost.ore) for r in report.rows}
    if report.forecast == name and list(report.forecast_notes) == forecast_notes() and all(
            have.get(line) == v for line, v in want.items()):
        return
    try:
        stub.MakeForecast(F.MakeForecastRequest(budget=BUDGET, forecast=F.Forecast(
            as_of_month=FORECAST_MONTH, lines=[_amounts_proto(x) for x in forecast_lines()],
            notes=forecast_notes())), timeout=RPC_TIMEOUT)
        created["forecasts"] += 1
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise
        notes.append(f"{name} exists with other figures or notes than the demo's (made by an "
                     f"earlier demo?): {e.details()}")


def _load_budget_2023(stub, created):
    F = finance_pb2
    spec = DERIVED["budget_2023"]
    _, new = _create(
        NEXT_BUDGET,
        lambda: stub.UprateBudget(F.UprateBudgetRequest(
            source_budget=BUDGET, year=NEXT_YEAR, index_series=INDEX_SERIES,
            request_id=f"demo-budget-{NEXT_YEAR}",
            omit_lines=[p["id"] for p in DERIVED["project_lines"]], title=spec["title"],
            comments=budget_2023_comments()), timeout=RPC_TIMEOUT),
        lambda: stub.GetBudget(F.GetBudgetRequest(name=NEXT_BUDGET), timeout=RPC_TIMEOUT))
    created["budgets"] += new


def _adopted_by_paragraph_12(budget):
    F = finance_pb2
    return (F.Budget.State.Name(budget.state) in ("STATE_ADOPTED", "STATE_REVISED")
            and budget.adoption.decision.paragraph == ADOPTING_PARAGRAPH)


def _wait_for_adoption(stub, timeout):
    """Polls GetBudget until the budget 2023 shows § 12 adopting it (or the
    deadline passes); returns (budget, adopted)."""
    request = finance_pb2.GetBudgetRequest(name=NEXT_BUDGET)
    deadline = time.monotonic() + timeout
    while True:
        budget = stub.GetBudget(request, timeout=RPC_TIMEOUT)
        if _adopted_by_paragraph_12(budget):
            return budget, True
        if time.monotonic() >= deadline:
            return budget, False
        time.sleep(0.2)


def _load_price_list(stub, created):
    F = finance_pb2
    spec = INVENTED["price_list_2021"]
    _, new = _create(
        PRICE_LIST,
        lambda: stub.CreatePriceList(F.CreatePriceListRequest(
            request_id=f"demo-price-list-{spec['year']}", price_list=F.PriceList(
                year=spec["year"], source=spec["source"],
                prices=[F.KindPrice(kind=F.UsageKind.Value(kind),
                                    price=_money(spec["prices_ore"][kind])) for kind in KINDS])),
            timeout=RPC_TIMEOUT),
        lambda: stub.GetPriceList(F.GetPriceListRequest(name=PRICE_LIST), timeout=RPC_TIMEOUT))
    created["price_lists"] += new


def _load_usage(platform_stub, created, notes):
    """Streams the generated year through IngestUsage; returns the reply's
    counts."""
    records = usage_records()
    reply = platform_stub.IngestUsage(_usage_messages(records, USAGE["batch_size"]),
                                      timeout=INGEST_TIMEOUT)
    created["usage_records"] += reply.new_count
    if reply.conflict_count:
        notes.append(f"{reply.conflict_count} transaction(s) of the demo are stored with other "
                     f"content (the stored ones stand), e.g. "
                     f"{', '.join(reply.conflict_transaction_ids[:3])}")
    return dict(sent=len(records), messages=-(-len(records) // USAGE["batch_size"]),
                new=reply.new_count, duplicate=reply.duplicate_count,
                conflict=reply.conflict_count)


def _load_invoice_basis(stub, created, notes):
    F = finance_pb2
    try:
        basis = stub.GetInvoiceBasis(F.GetInvoiceBasisRequest(name=INVOICE_BASIS),
                                     timeout=RPC_TIMEOUT)
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.NOT_FOUND:
            raise
        basis = stub.IssueInvoiceBasis(F.IssueInvoiceBasisRequest(
            year=USAGE_YEAR, request_id=f"demo-invoice-basis-{USAGE_YEAR}"), timeout=RPC_TIMEOUT)
        created["invoice_bases"] += 1
    if basis.records_after_issue:
        notes.append(f"{INVOICE_BASIS} (revision {basis.revision}) leaves out "
                     f"{basis.records_after_issue} record(s) received after it was issued; "
                     "IssueInvoiceBasis again makes a revision with them")
    return basis


def count_resources(stub):
    """Totals as the service lists them."""
    F = finance_pb2
    budgets = _list_all(stub.ListBudgets, F.ListBudgetsRequest(page_size=100), "budgets")
    revisions = sum(len(_list_all(stub.ListBudgetRevisions, F.ListBudgetRevisionsRequest(
        budget=b.name, page_size=100), "revisions")) for b in budgets)
    report = stub.GetFinancialReport(_report_request(0), timeout=RPC_TIMEOUT)
    summary = stub.GetUsageSummary(F.GetUsageSummaryRequest(year=USAGE_YEAR), timeout=RPC_TIMEOUT)
    return dict(budgets=len(budgets), budget_revisions=revisions,
                outcome_months=report.through_month, forecasts=1 if report.forecast else 0,
                usage_records=summary.record_count)


def _figures(f):
    return dict(income=f.income.ore, cost=f.cost.ore, deviation=f.deviation.ore,
                income_tkr=f.income_tkr, cost_tkr=f.cost_tkr, deviation_tkr=f.deviation_tkr)


def _report_summary(report):
    return dict(
        through_month=report.through_month, forecast=report.forecast,
        forecast_notes=list(report.forecast_notes),
        rows=[dict(line=r.line, title=r.title, budget=_figures(r.budget),
                   outcome=_figures(r.outcome), forecast=_figures(r.forecast))
              for r in report.rows],
        total=dict(budget=_figures(report.total.budget), outcome=_figures(report.total.outcome),
                   forecast=_figures(report.total.forecast),
                   forecast_deviation=_figures(report.total.forecast_deviation)))


def _budget_summary(b):
    F = finance_pb2
    return dict(
        name=b.name, title=b.title, state=F.Budget.State.Name(b.state), revision=b.revision,
        total_income=b.total_income.ore, total_cost=b.total_cost.ore,
        lines=[dict(id=x.id, title=x.title, income=x.income.ore, cost=x.cost.ore,
                    initiative=x.initiative) for x in b.lines],
        comments=list(b.comments),
        adoption=dict(revision=b.adoption.revision, paragraph=b.adoption.decision.paragraph,
                      meeting_date=_day(b.adoption.decision.meeting_date),
                      case_number=b.adoption.decision.case_number,
                      decision_kind=b.adoption.decision.decision_kind)
        if b.HasField("adoption") else None,
        uprated_from=dict(source=b.uprated_from.source_budget,
                          index_series=b.uprated_from.index_series,
                          from_value=b.uprated_from.from_figure.value_thousandths,
                          to_value=b.uprated_from.to_figure.value_thousandths)
        if b.HasField("uprated_from") else None,
        decisions=[d.paragraph for d in b.decisions])


def _shares_summary(shares):
    line = shares.lines[0] if shares.lines else None
    return dict(
        line=line.line if line else "", title=line.title if line else "",
        total=line.total.ore if line else 0, model=line.model if line else "",
        shares=[dict(municipality=s.municipality, display_name=s.display_name,
                     amount=s.amount.ore, amount_kr=s.amount_kr)
                for s in (line.shares if line else [])])


def _basis_summary(basis):
    return dict(name=basis.name, revision=basis.revision, total=basis.total.ore,
                record_count=basis.record_count, records_after_issue=basis.records_after_issue,
                municipalities=[dict(municipality=m.municipality, display_name=m.display_name,
                                     total=m.total.ore, count=sum(k.count for k in m.kinds))
                                for m in basis.municipalities])


def load(channel, wait_timeout=30.0, members_timeout=60.0, decisions_timeout=20.0,
         callers=None):
    """Loads the finance demo data; returns what it found and did.

    callers (demo_common.Callers, or a dict of principal name -> channel):
    "finance-officer" makes every call but IngestUsage, which "e-service-platform"
    makes; without them every call goes through `channel`.

    Returns a dict with
      created:   how many resources this run created (or recorded), per kind;
      counts:    totals the service lists afterwards, per kind;
      budgets:   {budgets/2022, budgets/2023: state, revision, lines,
                 comments, adoption, uprating, decisions} (_budget_summary);
      revisions: [revision, state] of budgets/2022, oldest first;
      report:    the financial report of budgets/2022 through May
                 (_report_summary): budget, outcome, forecast, tkr;
      question:  the e-service developer's line of 2023 per municipality
                 (GetCostShares): line, title, total, model, shares;
      ingest:    {sent, messages, new, duplicate, conflict} of IngestUsage;
      invoice_basis: the invoice basis of 2021 (_basis_summary);
      adopted:   True when budgets/2023 shows § 12 adopting it;
      notes:     what could not be loaded or seen, and why.
    Raises LoadError with a readable message on failure.
    """
    import_stubs()
    F = finance_pb2
    finance = demo_common.channel_as(callers, FINANCE, channel)
    platform = demo_common.channel_as(callers, PLATFORM, channel)
    wait_until_serving(finance, wait_timeout)
    stub = finance_pb2_grpc.FinanceServiceStub(finance)
    platform_stub = finance_pb2_grpc.FinanceServiceStub(platform)
    created = dict(index_series=0, population_figures=0, budgets=0, budget_revisions=0,
                   outcome_months=0, forecasts=0, price_lists=0, usage_records=0,
                   invoice_bases=0)
    notes = []
    with demo_common.failures_of("the finance service", FINANCE_HINT):
        _load_index_series(stub, created, notes)
        _load_population(stub, created, time.monotonic() + members_timeout)
        _load_budget_2022(stub, created, notes)
        _load_outcome(stub, created)
        _load_forecast(stub, created, notes)
        _load_budget_2023(stub, created)
        budget_2023, adopted = _wait_for_adoption(stub, decisions_timeout)
        if not adopted:
            notes.append(
                f"{NEXT_BUDGET} is {F.Budget.State.Name(budget_2023.state)}, not adopted by "
                f"§ 12 of {MEETING_0622} after {decisions_timeout:.0f} s: the finance service "
                "links it from the meetings service's DecisionRecorded on enamnd:events:meetings "
                "(is the meetings demo loaded, on the same Redis, with § 12's case subject "
                "//finance/budgets/2023? A case created by an earlier demo has none: remove "
                "./var)")
        _load_price_list(stub, created)
        ingest = _load_usage(platform_stub, created, notes)
        basis = _load_invoice_basis(stub, created, notes)

        budgets = {name: _budget_summary(stub.GetBudget(F.GetBudgetRequest(name=name),
                                                        timeout=RPC_TIMEOUT))
                   for name in (BUDGET, NEXT_BUDGET)}
        revisions = _list_all(stub.ListBudgetRevisions, F.ListBudgetRevisionsRequest(
            budget=BUDGET, page_size=100), "revisions")
        report = stub.GetFinancialReport(_report_request(THROUGH_MONTH), timeout=RPC_TIMEOUT)
        shares = stub.GetCostShares(F.GetCostSharesRequest(
            budget=NEXT_BUDGET, line=QUESTION_LINE, basis=F.COST_BASIS_BUDGET),
            timeout=RPC_TIMEOUT)
        counts = count_resources(stub)
        counts.update(invoice_basis_revision=basis.revision)

    return dict(
        created=created,
        counts=counts,
        budgets=budgets,
        revisions=[(r.revision, F.Budget.State.Name(r.state)) for r in revisions],
        report=_report_summary(report),
        question=_shares_summary(shares),
        ingest=ingest,
        invoice_basis=_basis_summary(basis),
        adopted=adopted,
        notes=notes,
    )


# ------------------------------------------------------------------ output

INVENTED_LINE = ("the AKI values, the budget 2022's lines, amounts and allocation models and its "
                 "decision of 2021, the split of the outcome per month and line, the forecast "
                 "per line, the prices of 2021 and the generated transactions of 2021 "
                 "(tools/demo/data/finance.json, \"invented\"); the totals 5 034, 1 792, 1 673, "
                 "120 and 6 193 tkr, the projects added, the notes and § 12's comments are the "
                 "protocol's (§ 16, § 12); the population is SCB's of 2023-12-31 (DOMAIN.md)")


def kronor(ore):
    """1234567.89 kr as "1 234 567,89 kr"."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{cents:02d} kr"


def grouped(n):
    """1792 as "1 792"."""
    return f"{n:,}".replace(",", " ")


def _state(name):
    return name.replace("STATE_", "").lower()


def _print_budget(b, out):
    adoption = b["adoption"]
    by = (f"; adopted revision {adoption['revision']} by {adoption['paragraph']} "
          f"({adoption['case_number']}, {adoption['decision_kind']})" if adoption else "")
    print(f"  {b['name']}  {b['title']}: {_state(b['state'])}, revision {b['revision']}{by}",
          file=out)
    if b["uprated_from"]:
        u = b["uprated_from"]
        print(f"    uprated from {u['source']} by {u['index_series']} "
              f"({u['from_value'] / 1000:.1f} -> {u['to_value'] / 1000:.1f})", file=out)
    for x in b["lines"]:
        print(f"    {x['id']:<22} {kronor(x['cost']):>18}  {x['title']}", file=out)
    print(f"    {'total':<22} {kronor(b['total_cost']):>18}  ({grouped(tkr(b['total_cost']))} tkr)",
          file=out)
    for c in b["comments"]:
        print(f"    • {c}", file=out)


def print_summary(result, out=sys.stdout):
    demo_common.print_counts("Finance demo data of Norrbottens e-nämnd loaded.", result, out)
    for b in result["budgets"].values():
        _print_budget(b, out)
    print(f"  revisions of {BUDGET}: " + ", ".join(
        f"{n} ({_state(s)})" for n, s in result["revisions"]), file=out)
    r = result["report"]
    print(f"  financial report of {BUDGET} through month {r['through_month']} (tkr, each rounded "
          "from its exact sum):", file=out)
    print(f"    {'':<22} {'Intäkter':>9} {'Kostnader':>9} {'Avvikelse':>9}", file=out)
    for label, key in (("Budget 2022", "budget"), ("Utfall jan-maj 2022", "outcome"),
                       ("Prognos 2022", "forecast")):
        f = r["total"][key]
        print(f"    {label:<22} {grouped(f['income_tkr']):>9} {grouped(f['cost_tkr']):>9} "
              f"{grouped(f['deviation_tkr']):>9}", file=out)
    print(f"    (the forecast is {r['forecast'] or 'not made'})", file=out)
    for note in r["forecast_notes"]:
        print(f"    forecast note (§ 16): {note}", file=out)
    q = result["question"]
    print(f"  § 12's question: {q['title']} {NEXT_YEAR} per municipality ({q['model']}), "
          f"total {kronor(q['total'])}:", file=out)
    for s in q["shares"]:
        print(f"    {s['display_name'] or s['municipality']:<22} {kronor(s['amount']):>16}",
              file=out)
    i = result["ingest"]
    print(f"  IngestUsage {USAGE_YEAR}: {grouped(i['sent'])} records in {i['messages']} messages: "
          f"{grouped(i['new'])} new, {grouped(i['duplicate'])} duplicate, {i['conflict']} "
          "conflicting", file=out)
    b = result["invoice_basis"]
    print(f"  {b['name']} revision {b['revision']}: {grouped(b['record_count'])} transactions, "
          f"{kronor(b['total'])} (§ 12 estimates 175 800 kr for 2023)", file=out)
    for m in b["municipalities"]:
        print(f"    {m['display_name'] or m['municipality']:<22} {grouped(m['count']):>7} "
              f"{kronor(m['total']):>16}", file=out)
    print(f"  invented: {INVENTED_LINE}", file=out)
    demo_common.print_notes(result, out)


def facts(result, address, stubs_dir, tls_dir):
    """What tools/up prints about this demo: (label, text) rows."""
    budgets = result["budgets"]
    report = result["report"]["total"]
    question = result["question"]
    basis = result["invoice_basis"]
    luleå = [s for s in question["shares"] if s["municipality"] == "municipalities/2580"]
    kiruna = (demo_common.try_channel(address, tls_dir, "kiruna-system")
              + 'from enamnd.finance.v1 import finance_pb2 as f, finance_pb2_grpc as g; '
              's = g.FinanceServiceStub(channel); ')
    officer = (demo_common.try_channel(address, tls_dir, FINANCE)
               + 'from enamnd.finance.v1 import finance_pb2 as f, finance_pb2_grpc as g; '
               's = g.FinanceServiceStub(channel); ')
    return [
        ("budgets", ", ".join(f"{b['name']} {b['state']} (revision {b['revision']})"
                              for b in budgets.values())
         + ("; § 12 adopted budgets/2023" if result["adopted"] else
            "; § 12 NOT linked to budgets/2023 (yet)")),
        ("report", f"{BUDGET} Jan-May: income {grouped(report['outcome']['income_tkr'])}, costs "
                   f"{grouped(report['outcome']['cost_tkr'])}, deviation "
                   f"{grouped(report['outcome']['deviation_tkr'])} tkr; forecast "
                   f"{grouped(report['forecast']['income_tkr'])} tkr (§ 16)"),
        ("cost shares", f"§ 12's question, {question['title']} {NEXT_YEAR}: "
                        f"{kronor(question['total'])} over {len(question['shares'])} "
                        "municipalities"
                 + (f", Luleå {kronor(luleå[0]['amount'])}" if luleå else "")),
        ("usage", f"{USAGE_YEAR}: {grouped(result['counts']['usage_records'])} transactions; "
                  f"{basis['name']} revision {basis['revision']}, {kronor(basis['total'])}"),
        ("invented", INVENTED_LINE),
        ("try", demo_common.try_line(stubs_dir, kiruna + (
            f'[print(l.title, x.amount_kr, "kr") for l in s.GetCostShares(f.GetCostSharesRequest('
            f'budget="{NEXT_BUDGET}", municipality="municipalities/2584")).lines '
            'for x in l.shares]'))),
        ("try", demo_common.try_line(stubs_dir, officer + (
            f'print(s.GetFinancialReport(f.GetFinancialReportRequest(budget="{BUDGET}", '
            f'through_month={THROUGH_MONTH})).total)'))),
    ]


def main(argv=None):
    return demo_common.run_main(
        argv, doc=__doc__, prog="load_finance_demo", service="enamnd-finance",
        address_flag="--finance", address_env="ENAMND_FINANCE_ADDR",
        default_address="127.0.0.1:50055", import_stubs_fn=import_stubs, load_fn=load,
        print_fn=print_summary, facts_fn=facts,
        extra_args=[("--members-wait",
                     dict(type=float, default=60.0,
                          help="seconds to wait for the finance service to know the members "
                               "from the meetings service's events (default 60)"),
                     "members_timeout"),
                    ("--decisions-wait",
                     dict(type=float, default=20.0,
                          help="seconds to wait for the committee's decision § 12 of 22 June "
                               "2022 to adopt the budget 2023 (default 20)"),
                     "decisions_timeout")])


if __name__ == "__main__":
    sys.exit(main())
