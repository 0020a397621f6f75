#!/usr/bin/python3
"""The demo's 22 June 2022 meeting says what the real protocol says.

Compares the demo data (tools/demo/data/*.json) and what the loaders make
of it (load_demo.paragraph_fields, load_audits_demo.review_fields: the
values they send to the API) with the sample transcription of the real
protocol, ../shared/samples/e-namnd-2022-06-22.json (or $ENAMND_SAMPLE).
Strings must be equal to the letter; the sample is already normalised by
the rules of its README, and every demo string must be normalised by them
too (a normalised copy of it must equal it).

Needs no running service and no generated stubs: /usr/bin/python3
tests/demo/test_demo_matches_sample.py (ctest: demo_matches_sample).
"""

import hashlib
import json
import os
import re
import sys
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("ENAMND_SOURCE_DIR") or Path(__file__).resolve().parents[2])
sys.path.insert(0, str(SOURCE_DIR / "tools" / "demo"))

import load_audits_demo  # noqa: E402
import load_demo  # noqa: E402

SAMPLE = Path(os.environ.get("ENAMND_SAMPLE")
              or SOURCE_DIR.parent / "shared" / "samples" / "e-namnd-2022-06-22.json")
NUMBERS = list(range(8, 17))
# The fields of a sample paragraph; the demo data holds each of them.
FIELDS = ("number", "case_number", "title", "decision", "summary", "meeting_notes", "procedure",
          "supporting_documents", "recipients")
# Headings the meetings service prints itself (RenderProtocol).
SERVICE_HEADINGS = ("Sammanfattning av ärendet", "Beskrivning av ärendet")


def normalise(text):
    """The sample README's rules that apply to a finished string: runs of
    white space (line breaks included) become one space, no leading or
    trailing space, and the PDF artifact "E- nämnden" is closed up."""
    return re.sub(r"\s+", " ", text).strip().replace("E- nämnden", "E-nämnden")


def strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)


def expected_lines(blocks):
    """The lines the demo must show for the sample's blocks, without
    indentation: a bullet is "<marker> <item>", a table its caption and one
    line per row "<label>: <column> <value>, ..."."""
    lines = []
    for block in blocks:
        if "text" in block:
            lines.append(block["text"])
        elif "label" in block:
            lines.append(block["label"])
        elif "lines" in block:
            lines.extend(block["lines"])
        elif "bullets" in block:
            for item in block["bullets"]:
                text = item if isinstance(item, str) else item["text"]
                lines.append(f"{block['marker']} {text}")
                if not isinstance(item, str):
                    lines.extend(expected_lines(item["blocks"]))
        elif "table" in block:
            t = block["table"]
            lines.append(t["caption"])
            for row in t["rows"]:
                lines.append(row["label"] + ": " + ", ".join(
                    f"{c} {v}" for c, v in zip(t["columns"], row["values"])))
        else:
            raise AssertionError(f"unknown block {block}")
    return lines


def content_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class SampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SAMPLE.is_file():
            raise AssertionError(f"the sample {SAMPLE} is missing (set ENAMND_SAMPLE)")
        cls.raw = SAMPLE.read_bytes()
        cls.sample = json.loads(cls.raw)
        cls.paragraphs = {p["number"]: p for p in cls.sample["paragraphs"]}
        cls.demo = {p["number"]: p for p in load_demo.PARAGRAPHS}


class ParagraphsAreTheSample(SampleTest):
    """The data file holds § 8-16 exactly as the sample."""

    def test_the_data_names_this_sample(self):
        self.assertEqual(load_demo.MEETING["sample"]["sha256"],
                         hashlib.sha256(self.raw).hexdigest(),
                         "the sample changed: copy its paragraphs into "
                         "tools/demo/data/meeting-2022-06-22.json again")

    def test_paragraph_numbers(self):
        self.assertEqual(sorted(self.paragraphs), NUMBERS)
        self.assertEqual([p["number"] for p in load_demo.PARAGRAPHS], NUMBERS)

    def test_every_field_verbatim(self):
        for n in NUMBERS:
            self.assertEqual(sorted(self.demo[n]), sorted(self.paragraphs[n]), f"§ {n} fields")
            for field in FIELDS:
                with self.subTest(paragraph=n, field=field):
                    self.assertEqual(self.demo[n][field], self.paragraphs[n][field])

    def test_demo_strings_are_normalised(self):
        for n in NUMBERS:
            for s in strings(self.demo[n]):
                with self.subTest(paragraph=n, text=s[:60]):
                    self.assertEqual(normalise(s), s)

    def test_reported_differences_are_gone(self):
        # What issue 7 found from outside, as concrete cases.
        self.assertNotIn("Protokollet kompletteras", self.demo[12]["decision"])
        self.assertIn("informationen", self.demo[13]["decision"])
        for n in (8, 9):
            self.assertIn("revisionens", self.demo[n]["decision"])
            self.assertIn("e-nämnd Hid: 2021.83", self.demo[n]["decision"])
        self.assertEqual(self.demo[16]["supporting_documents"],
                         ["Verksamhetsplan 2022", "Utfall 2022, fördelning 2022, budget 2022"])


class WhatTheLoaderSends(SampleTest):
    """load_demo.paragraph_fields: the values RecordDecision gets."""

    def setUp(self):
        self.names = {"municipalities/" + m["code"]: m["name"]
                      for m in load_demo.MUNICIPALITIES["municipalities"]}

    def test_texts(self):
        for n in NUMBERS:
            p, f = self.paragraphs[n], load_demo.paragraph_fields(self.demo[n])
            with self.subTest(paragraph=n):
                self.assertEqual(f["title"], p["title"])
                self.assertEqual(f["decision_text"], p["decision"])
                self.assertEqual(f["meeting_notes"], p["meeting_notes"] or "")
                self.assertEqual(f["order_put"], p["procedure"] or "")
                self.assertEqual(f["documents"], p["supporting_documents"])
                self.assertEqual(f["case"], "cases/" + p["case_number"].replace("/", "-")
                                 .rsplit("-", 1)[0])

    def test_recipients_are_members_named_as_in_the_protocol(self):
        for n in NUMBERS:
            f = load_demo.paragraph_fields(self.demo[n])
            with self.subTest(paragraph=n):
                self.assertEqual([named for _, named in f["recipients"]],
                                 [""] * len(f["recipients"]), "not matched to a member")
                self.assertEqual([self.names[m] for m, _ in f["recipients"]],
                                 self.paragraphs[n]["recipients"])

    def test_summary_and_description_hold_every_line_in_order(self):
        for n in NUMBERS:
            sections = self.paragraphs[n]["summary"]
            split = next((i for i, s in enumerate(sections)
                          if s["heading"] == "Beskrivning av ärendet"), len(sections))
            f = load_demo.paragraph_fields(self.demo[n])
            for part, chosen in (("summary", sections[:split]),
                                 ("description", sections[split:])):
                expected = []
                for s in chosen:
                    if s["heading"] not in SERVICE_HEADINGS:
                        expected.append(s["heading"])
                    expected.extend(expected_lines(s["blocks"]))
                with self.subTest(paragraph=n, part=part):
                    self.assertEqual(content_lines(f[part]), expected)

    def test_decision_kinds(self):
        kinds = {n: load_demo.paragraph_fields(self.demo[n])["decision_kind"] for n in NUMBERS}
        for n in NUMBERS:
            decision = self.paragraphs[n]["decision"]
            with self.subTest(paragraph=n):
                if "godkänna" in decision:
                    self.assertEqual(kinds[n], "DECISION_KIND_APPROVE")
                elif "till handlingarna" in decision:
                    self.assertEqual(kinds[n], "DECISION_KIND_NOTE_AND_FILE")
                else:
                    self.assertEqual(kinds[n], "DECISION_KIND_ADOPT")


class AuditsAreTheSample(SampleTest):
    """The reviews take their texts from the sample's structured part."""

    def setUp(self):
        self.records = self.sample["structured"]["audit_reviews"]
        self.codes = {m["name"]: m["code"]
                      for m in load_demo.MUNICIPALITIES["municipalities"]}

    def test_records_are_copied_verbatim_and_all_used(self):
        used = []
        for review in load_audits_demo.REVIEWS:
            for record in review["sample"]:
                with self.subTest(review=review["id"], municipality=record["municipality"]):
                    self.assertIn(record, self.records)
                    self.assertEqual(record["from"], f"§ {review['paragraph']}")
                used.append(record["municipality"])
        self.assertEqual(sorted(used), sorted(r["municipality"] for r in self.records))

    def test_review_fields(self):
        for review in load_audits_demo.REVIEWS:
            f = load_audits_demo.review_fields(review)
            records = review["sample"]
            with self.subTest(review=review["id"]):
                self.assertEqual(f["title"], self.paragraphs[review["paragraph"]]["title"])
                self.assertEqual(sorted(f["auditors"]),
                                 sorted(self.codes[r["municipality"]] for r in records))
                for question, (_, text) in f["assessments"].items():
                    if len(records) == 1:
                        self.assertIn(text, records[0]["assessments"], question)
                        continue
                    lines = text.split("\n")
                    self.assertEqual(len(lines), len(records), question)
                    for line, record in zip(lines, records):
                        prefix = record["municipality"] + ": "
                        self.assertTrue(line.startswith(prefix), line)
                        self.assertIn(line[len(prefix):], record["assessments"], question)
                # Each record's assessments, each under one question, in order.
                for i, record in enumerate(records):
                    got = [text.split("\n")[i][len(record["municipality"]) + 2:]
                           if len(records) > 1 else text
                           for _, text in f["assessments"].values()]
                    if len(record["assessments"]) == 3:
                        self.assertEqual(got, record["assessments"])
                    else:
                        self.assertEqual(set(got), set(record["assessments"]))
                expected_findings = []
                for r in records:
                    for x in r["findings"] + r["noted_issues"]:
                        if x not in expected_findings:
                            expected_findings.append(x)
                self.assertEqual(f["findings"], expected_findings)
                texts = [text for _, text, _ in f["recommendations"]]
                self.assertEqual(sorted(set(texts)), sorted(
                    {x for r in records for x in r["recommendations"]}))
                for _, text, given_by in f["recommendations"]:
                    self.assertEqual(sorted(given_by), sorted(
                        "municipalities/" + self.codes[r["municipality"]]
                        for r in records if text in r["recommendations"]))

    def test_recommendations_of_the_protocol(self):
        got = {review["id"]: [t for _, t, _ in
                              load_audits_demo.review_fields(review)["recommendations"]]
               for review in load_audits_demo.REVIEWS}
        self.assertEqual(got["2021-2560"], [])
        self.assertEqual(got["2021-2505"],
                         ["Att säkerställa att samtliga kontrollmoment i internkontrollplanen "
                          "följs upp."])
        self.assertEqual(len(got["2021-2584"]), 1)
        self.assertIn("årshjul", got["2021-2584"][0])


class InventedIsMarked(unittest.TestCase):
    """What the protocol does not contain sits under "invented" (with a
    note saying so) or "derived"; nothing else is in the data files."""

    ALLOWED = {
        "committee.json": {"_about", "body", "paragraph_series", "meetings", "invented"},
        "meeting-2022-06-22.json": {"_about", "meeting", "sample", "paragraphs", "derived",
                                    "invented"},
        "audits.json": {"_about", "reviews", "review_rules", "invented"},
        "municipalities.json": {"_about", "population_date", "municipalities"},
    }

    def test_top_level_sections(self):
        for name, allowed in self.ALLOWED.items():
            data = load_demo.read_data(name)
            with self.subTest(file=name):
                self.assertEqual(set(data), allowed)
                if "invented" in data:
                    self.assertIn("Invented for the demo", data["invented"]["_note"])

    def test_reviews_keep_invented_apart(self):
        for review in load_audits_demo.REVIEWS:
            with self.subTest(review=review["id"]):
                self.assertEqual(set(review), {"id", "paragraph", "auditors", "title", "sample",
                                               "derived", "invented"})

    def test_meeting_times_are_the_plan_of_paragraph_16(self):
        plan = json.loads(SAMPLE.read_bytes())["structured"]["committee_meeting_plan_2022"]
        self.assertEqual([(m["date"], m["start"], m["end"], m["plan_text"])
                          for m in load_demo.COMMITTEE["meetings"]],
                         [(m["parsed"]["date"], m["parsed"]["start"], m["parsed"]["end"],
                           m["text"]) for m in plan["meetings"]])


if __name__ == "__main__":
    unittest.main(verbosity=2)
