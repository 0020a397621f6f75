#!/usr/bin/python3
"""The finance demo says what the real protocol says (§ 12 and § 16 of 22 June 2022).

Compares tools/demo/data/finance.json, and what load_finance_demo makes of
it (the values it sends to the API), with the sample transcription of the
real protocol, ../shared/samples/e-namnd-2022-06-22.json (or
$ENAMND_SAMPLE), and with ../shared/DOMAIN.md (or $ENAMND_DOMAIN) for the
population: texts equal to the letter; the budget 2022's lines sum to
exactly 5 034 tkr; the outcome January-May rounds to 1 792 / 1 673 / 120
tkr, each from its exact sum; the forecast sums to exactly 6 193 tkr; the
budget 2023 is the budget 2022 uprated without the projects; § 12's case
subject names it; the generated transactions are deterministic.

Needs no running service and no generated stubs: /usr/bin/python3
tests/demo/test_finance_matches_sample.py (ctest: demo_finance_matches_sample).
"""

import hashlib
import os
import re
import sys
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("ENAMND_SOURCE_DIR") or Path(__file__).resolve().parents[2])
sys.path.insert(0, str(SOURCE_DIR / "tools" / "demo"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_demo  # noqa: E402
import load_finance_demo as L  # noqa: E402
import load_projects_demo  # noqa: E402
# The sample (ENAMND_SAMPLE) as SampleTest reads it, its normalisation and the strings of a JSON
# value, as the meeting's checks use them.
from test_demo_matches_sample import SampleTest, normalise, strings  # noqa: E402

DOMAIN = Path(os.environ.get("ENAMND_DOMAIN") or SOURCE_DIR.parent / "shared" / "DOMAIN.md")
TKR = 100_000  # öre
# The legal calendar's today that tools/up pins.
DEMO_TODAY = "2022-07-08"


class FinanceTest(SampleTest):
    """The sample (raw, sample, paragraphs) as the meeting's checks read it,
    and its records of § 16 and § 12."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.financials = cls.sample["structured"]["financials_2022"]
        cls.budget_2023 = cls.sample["structured"]["budget_2023"]

    def assert_quoted(self, text, number):
        self.assertEqual(normalise(text), text)
        self.assertTrue(any(text in s for s in strings(self.paragraphs[number])),
                        f"not verbatim in § {number}: {text!r}")


class RecordsAreTheSample(FinanceTest):
    def test_the_data_names_this_sample(self):
        self.assertEqual(L.SAMPLE["sha256"], hashlib.sha256(self.raw).hexdigest(),
                         "the sample changed: copy structured.financials_2022 and budget_2023 "
                         "into tools/demo/data/finance.json again")

    def test_records_are_copied_verbatim(self):
        self.assertEqual(L.SAMPLE["financials_2022"], self.financials)
        self.assertEqual(L.SAMPLE["budget_2023"], self.budget_2023)
        self.assertEqual(self.financials["from"], "§ 16")
        self.assertEqual(self.budget_2023["from"], "§ 12")

    def test_texts_sent_are_verbatim(self):
        may = [m for m in L.outcome_months() if m["month"] == 5][0]
        self.assertEqual(may["note"].split("\n"), self.financials["outcome_notes"])
        self.assertEqual([m["note"] for m in L.outcome_months() if m["month"] != 5], [""] * 4)
        self.assertEqual(L.forecast_notes(), self.financials["forecast_notes"])
        self.assertEqual(L.budget_2023_comments(), self.budget_2023["comments"])
        for text in self.financials["outcome_notes"] + self.financials["forecast_notes"] + [
                self.financials["funding_text"]] + [x["title"] for x in L.project_lines()]:
            self.assert_quoted(text, 16)
        for text in L.budget_2023_comments():
            self.assert_quoted(text, 12)
        self.assertIn("Inga projekt budgeterade för 2023", L.budget_2023_comments()[1])
        # The 2023 estimate of the transactions is quoted in a comment only.
        self.assertIn("175 800 kr/2023", L.budget_2023_comments()[2])

    def test_projects_added_are_the_initiatives_budget_lines(self):
        lines = L.project_lines()
        self.assertEqual([x["title"] for x in lines], self.financials["projects_added"])
        self.assertEqual([x["id"] for x in lines],
                         ["student-health", "hr-payroll", "e-learning", "dcbd"])
        budget_lines = {f["id"]: f["budget_line"] for f in map(
            load_projects_demo.initiative_fields, load_projects_demo.INITIATIVES)}
        for x in lines:
            with self.subTest(line=x["id"]):
                self.assertEqual(budget_lines[x["id"]], f"//finance/budgets/2022/lines/{x['id']}")
                self.assertEqual(x["initiative"], "initiatives/" + x["id"])
                self.assertEqual(x["allocation"], {"participation": x["initiative"]})
                self.assertEqual((x["income_ore"], x["cost_ore"]), (0, 0))


class FiguresAreTheProtocols(FinanceTest):
    def test_budget_2022_is_5034_tkr_exactly(self):
        parsed = self.financials["budget_2022"]["parsed_tkr"]
        for lines in (L.base_lines(), L.budget_2022_lines()):
            self.assertEqual(sum(x["income_ore"] for x in lines), parsed["income"] * TKR)
            self.assertEqual(sum(x["cost_ore"] for x in lines), parsed["costs"] * TKR)
        self.assertEqual(parsed["deviation"], 0)
        self.assertIn("Omsättning för helåret 5 034 tkr", self.financials["forecast_notes"][0])

    def test_lines_and_models(self):
        lines = L.budget_2022_lines()
        ids = [x["id"] for x in lines]
        self.assertEqual(len(set(ids)), len(ids))
        for x in lines:
            with self.subTest(line=x["id"]):
                self.assertRegex(x["id"], r"^[a-z0-9]+(-[a-z0-9]+)*$")
                self.assertGreaterEqual(min(x["income_ore"], x["cost_ore"]), 0)
        self.assertLessEqual({"base-funding", "e-office", "coordinator", "e-service-developer"},
                             set(ids))
        self.assertEqual([x["title"] for x in lines if x["id"] == L.QUESTION_LINE],
                         ["Verksamhetsutvecklare e-tjänster"])
        self.assertIn("Verksamhetsutvecklare e-tjänster", self.paragraphs[12]["meeting_notes"])
        models = [x["allocation"] for x in L.base_lines()]
        population = {"population": L.POPULATION_FIGURES}
        self.assertIn({"mix": [{"basis_points": 3000, "model": {"equal": []}},
                               {"basis_points": 7000, "model": population}]}, models)
        self.assertIn({"equal": []}, models)
        self.assertIn(population, models)
        for model in models:
            if "mix" in model:
                self.assertEqual(sum(p["basis_points"] for p in model["mix"]), 10_000)

    def test_outcome_rounds_to_1792_1673_and_120(self):
        parsed = self.financials["outcome_jan_may"]["parsed_tkr"]
        income, cost = L.outcome_totals()
        self.assertEqual((L.tkr(income), L.tkr(cost), L.tkr(income - cost)),
                         (parsed["income"], parsed["costs"], parsed["deviation"]))
        self.assertEqual((parsed["income"], parsed["costs"], parsed["deviation"]),
                         (1792, 1673, 120))
        # The point of the example: the rounded figures do not subtract.
        self.assertEqual(L.tkr(income) - L.tkr(cost), 119)
        self.assertIn("120 tkr", self.financials["outcome_notes"][0])

    def test_outcome_months_and_lines(self):
        months = L.outcome_months()
        self.assertEqual([m["month"] for m in months], [1, 2, 3, 4, 5])
        self.assertLessEqual("2022-%02d-01" % months[-1]["month"], DEMO_TODAY)
        ids = {x["id"] for x in L.budget_2022_lines()}
        for m in months:
            with self.subTest(month=m["month"]):
                named = [x["line"] for x in m["lines"]]
                self.assertEqual(len(set(named)), len(named))
                self.assertLessEqual(set(named), ids)
                for x in m["lines"]:
                    self.assertGreaterEqual(min(x["income_ore"], x["cost_ore"]), 0)
        # The coordinator's post is vacant from mid-March (§ 16): its costs fall.
        coordinator = [sum(x["cost_ore"] for x in m["lines"] if x["line"] == "coordinator")
                       for m in months]
        self.assertLess(coordinator[3], coordinator[0] // 4)
        self.assert_quoted("nämnden varit utan samordnare sedan mitten av mars", 16)

    def test_forecast_is_6193_tkr_exactly(self):
        parsed = self.financials["forecast_2022"]["parsed_tkr"]
        lines = L.forecast_lines()
        self.assertEqual(sum(x["income_ore"] for x in lines), parsed["income"] * TKR)
        self.assertEqual(sum(x["cost_ore"] for x in lines), parsed["costs"] * TKR)
        self.assertEqual((parsed["income"], parsed["costs"], parsed["deviation"]), (6193, 6193, 0))
        self.assertEqual([x["line"] for x in lines], [x["id"] for x in L.budget_2022_lines()])
        self.assertEqual(self.financials["forecast_2022"]["caption"],
                         "Prognos 2022 (tkr) (2022-05)")
        self.assertEqual(L.FORECAST_MONTH, 5)

    def test_budget_2023_is_2022_uprated_without_projects(self):
        figures = L.index_figures()
        self.assertEqual(sorted(figures), [2022, 2023])
        lines = L.budget_2023_lines()
        self.assertEqual([x["id"] for x in lines], [x["id"] for x in L.base_lines()])
        for old, new in zip(L.base_lines(), lines):
            with self.subTest(line=old["id"]):
                exact = old["cost_ore"] * figures[2023] / figures[2022]
                self.assertLessEqual(abs(new["cost_ore"] - exact), 0.5)
                self.assertEqual(new["allocation"], old["allocation"])
        self.assertEqual(L.uprate(5, 2, 3), 8)   # 7.5 rounds away from zero
        self.assertEqual(L.uprate(-5, 2, 3), -8)
        self.assertEqual(L.DERIVED["budget_2023"]["index_series"], "aki")
        self.assertEqual(L.INVENTED["index_series"]["display_name"], "Arbetskostnadsindex (AKI)")
        for f in L.INVENTED["index_series"]["figures"]:
            self.assertTrue(f["source"].startswith("SCB"), f["source"])
            self.assertIn("demodata", f["reference_period"])

    def test_tkr_rounds_half_away_from_zero(self):
        self.assertEqual([L.tkr(x) for x in (49_999, 50_000, -50_000, -49_999, 0)],
                         [0, 1, -1, 0, 0])


class AdoptionAndShares(FinanceTest):
    def test_paragraph_12_adopts_budgets_2023(self):
        spec = L.DERIVED["budget_2023"]
        self.assertEqual(spec["case_subject"], "//finance/" + L.NEXT_BUDGET)
        p = self.paragraphs[spec["adopted_by_paragraph"]]
        self.assertEqual(p["title"], "Budget 2023")
        self.assertEqual(p["decision"], self.budget_2023["decision"])
        demo = {x["number"]: x for x in load_demo.PARAGRAPHS}[12]
        f = load_demo.paragraph_fields(demo)
        self.assertEqual(f["case_subject"], spec["case_subject"])
        self.assertEqual(f["decision_kind"], "DECISION_KIND_APPROVE")
        self.assertEqual(load_demo.MEETING["derived"]["case_subjects"][p["case_number"]],
                         spec["case_subject"])
        self.assertEqual(L.ADOPTING_PARAGRAPH,
                         "bodies/e-namnden/meetings/2022-06-22/paragraphs/12")

    def test_budget_2022_adopted_in_2021(self):
        d = L.INVENTED["budget_2022"]["adopted_by"]
        self.assertTrue(d["meeting_date"].startswith("2021-"), d["meeting_date"])
        self.assertEqual(d["meeting"], "bodies/e-namnden/meetings/" + d["meeting_date"])
        self.assertEqual(d["paragraph"], f"{d['meeting']}/paragraphs/{d['paragraph_number']}")
        self.assertIn(d["decision_kind"], ("DECISION_KIND_APPROVE", "DECISION_KIND_ADOPT"))
        self.assertRegex(d["case_number"], r"^2021/\d+-[\d.]+$")

    def test_population_is_domain_md(self):
        entries = L.population_entries()
        self.assertEqual(len(entries), 14)
        self.assertEqual([m for m, _ in entries], L.MEMBERS)
        self.assertEqual(sum(n for _, n in entries), L.POPULATION["total"])
        self.assertEqual(L.POPULATION["total"], 248_480)
        self.assertEqual(L.POPULATION_FIGURES, "population-figures/2023-12-31")
        if not DOMAIN.is_file():
            self.skipTest(f"no {DOMAIN} (set ENAMND_DOMAIN)")
        text = " ".join(DOMAIN.read_text(encoding="utf-8").split())
        listed = re.search(r"Population on 31 Dec 2023 \(SCB\): (.*?); county total ([\d ]+)\.",
                           text)
        self.assertIsNotNone(listed)
        self.assertEqual(int(listed.group(2).replace(" ", "")), L.POPULATION["total"])
        by_name = {name: int(n.replace(" ", "")) for name, n in re.findall(
            r"([^\d,]+?) (\d{1,3}(?: \d{3})*)(?:,|$)", listed.group(1))}
        short = {m["code"]: m["short_name"]
                 for m in load_demo.MUNICIPALITIES["municipalities"]}
        self.assertEqual({short[m.rpartition("/")[2]]: n for m, n in entries},
                         {k.strip(): v for k, v in by_name.items()})

    def test_shares_are_exact_to_the_ore(self):
        for line in L.budget_2023_lines():
            with self.subTest(line=line["id"]):
                shares = L.line_shares(line["cost_ore"], line["allocation"])
                self.assertEqual(sorted(shares), sorted(m.rpartition("/")[2] for m in L.MEMBERS))
                self.assertEqual(sum(shares.values()), line["cost_ore"])
                self.assertTrue(all(v > 0 for v in shares.values()))
        # Largest remainder, ties to the lower SCB code.
        self.assertEqual(L.distribute(10, {"2584": 1, "2505": 1, "2580": 1}),
                         {"2505": 4, "2580": 3, "2584": 3})
        self.assertEqual(L.distribute(5, {"2580": 3, "2505": 1}), {"2505": 1, "2580": 4})


class Usage(FinanceTest):
    def test_price_list_names_every_kind(self):
        prices = L.INVENTED["price_list_2021"]["prices_ore"]
        self.assertEqual(sorted(prices), sorted(L.KINDS))
        self.assertTrue(all(p > 0 for p in prices.values()))
        self.assertEqual(L.INVENTED["price_list_2021"]["year"], L.USAGE_YEAR)
        self.assertLess(L.USAGE_YEAR, int(DEMO_TODAY[:4]), "the year must have ended")

    def test_generated_year(self):
        records = L.usage_records()
        self.assertGreater(len(records), 10_000, "tens of thousands of records")
        self.assertEqual(len(records), sum(L.usage_counts().values()))
        self.assertEqual(len({r["transaction_id"] for r in records}), len(records))
        self.assertEqual(records, L.usage_records(), "not deterministic")
        first = L._epoch_seconds("2021-01-01T00:00:00Z")
        after = L._epoch_seconds("2022-01-01T00:00:00Z")
        for r in records[:50] + records[-50:]:
            self.assertTrue(first <= r["seconds"] < after, r)
            self.assertLessEqual(len(r["transaction_id"]), 128)
            self.assertIn(r["e_service"], L.USAGE["e_services"])
        self.assertEqual([r["seconds"] for r in records], sorted(r["seconds"] for r in records))
        self.assertEqual(L.USAGE["batch_size"], 1000)
        # Counts proportional to the inhabitants times the rate of the kind.
        counts = L.usage_counts()
        population = dict(L.population_entries())
        rates = L.USAGE["rates_per_1000_inhabitants"]
        for (code, kind), count in counts.items():
            self.assertLessEqual(abs(count - population["municipalities/" + code]
                                     * rates[kind] / 1000), 0.5)
        self.assertEqual(sum(L.usage_amounts().values()), sum(
            count * L.INVENTED["price_list_2021"]["prices_ore"][kind]
            for (_, kind), count in counts.items()))


class InventedIsMarked(FinanceTest):
    def test_sections(self):
        self.assertEqual(set(L.DATA), {"_about", "sample", "population", "derived", "invented"})
        self.assertIn("Invented for the demo", L.INVENTED["_note"])
        for section in (L.POPULATION, L.DERIVED, L.USAGE, L.INVENTED["forecast_2022"]):
            self.assertIn("_note", section)

    def test_strings_sent_are_normalised(self):
        sent = [L.base_lines(), L.project_lines(), L.INVENTED["index_series"],
                L.INVENTED["budget_2022"]["adopted_by"], L.INVENTED["price_list_2021"],
                L.POPULATION["source"]]
        for s in strings(sent):
            with self.subTest(text=s[:60]):
                self.assertEqual(normalise(s), s)


if __name__ == "__main__":
    unittest.main(verbosity=2)
