#!/usr/bin/python3
"""The demo's 22 June 2022 meeting says what the real protocol says.

Compares the demo data (tools/demo/data/*.json) and what the loaders make
of it (load_demo.paragraph_fields, load_audits_demo.review_fields,
load_projects_demo.initiative_fields, load_contracts_demo.agreement_fields
and procurement_fields: the values they send to the API) with
the sample transcription of the real
protocol, ../shared/samples/e-namnd-2022-06-22.json (or $ENAMND_SAMPLE).
Strings must be equal to the letter; the sample is already normalised by
the rules of its README, and every demo string must be normalised by them
too (a normalised copy of it must equal it).

Needs no running service and no generated stubs: /usr/bin/python3
tests/demo/test_demo_matches_sample.py (ctest: demo_matches_sample).
"""

import datetime
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
import load_contracts_demo  # noqa: E402
import load_demo  # noqa: E402
import load_projects_demo  # noqa: E402

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


# The status list of § 14 (/tmp/common10.md, "Demo initiative ids"): id,
# kind and state on 2022-06-22, in the list's order; other code and tests
# name the initiatives by these ids.
STATUS_LIST = [
    ("dcbd", "KIND_SYSTEM_IN_OPERATION", "STATE_IN_OPERATION"),
    ("social-services-system", "KIND_PROCUREMENT", "STATE_RUNNING"),
    ("student-health", "KIND_DEVELOPMENT_PROJECT", "STATE_RUNNING"),
    ("e-learning", "KIND_PRE_STUDY", "STATE_FINAL_REPORT"),
    ("hr-payroll", "KIND_PRE_STUDY", "STATE_RUNNING"),
    ("digital-signatures", "KIND_IMPLEMENTATION_PROJECT", "STATE_IN_OPERATION"),
    ("e-service-platform", "KIND_SYSTEM_IN_OPERATION", "STATE_IN_OPERATION"),
    ("rescue-services-system", "KIND_SYSTEM_IN_OPERATION", "STATE_IN_OPERATION"),
    ("e-archive", "KIND_SYSTEM_IN_OPERATION", "STATE_IN_OPERATION"),
    ("internal-structure", "KIND_DEVELOPMENT_PROJECT", "STATE_RUNNING"),
]
# The transitions the projects service allows (docs/projects.md): a system
# in operation is only closed; only work whose result is a system goes into
# operation after its final report.
NEXT_STATES = {
    "STATE_PROPOSED": {"STATE_DECIDED", "STATE_STOPPED"},
    "STATE_DECIDED": {"STATE_RUNNING", "STATE_STOPPED"},
    "STATE_RUNNING": {"STATE_FINAL_REPORT", "STATE_STOPPED"},
    "STATE_FINAL_REPORT": {"STATE_CLOSED"},
    "STATE_IN_OPERATION": {"STATE_CLOSED"},
}
INTO_OPERATION = {"KIND_DEVELOPMENT_PROJECT", "KIND_IMPLEMENTATION_PROJECT", "KIND_PROCUREMENT"}
# The legal calendar's today that tools/up pins: no demo date is after it.
DEMO_TODAY = "2022-07-08"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ProjectsAreTheSample(SampleTest):
    """The initiatives take their titles and status lines from § 14 (the
    sample's structured.activity_status) and quote § 11 and § 13 verbatim."""

    def setUp(self):
        self.records = self.sample["structured"]["activity_status"]
        self.fields = {spec["id"]: load_projects_demo.initiative_fields(spec)
                       for spec in load_projects_demo.INITIATIVES}

    def paragraph_strings(self, number):
        return list(strings(self.paragraphs[number]))

    def assert_quoted(self, text, number):
        self.assertEqual(normalise(text), text)
        self.assertTrue(any(text in s for s in self.paragraph_strings(number)),
                        f"not verbatim in § {number}: {text!r}")

    def test_the_data_names_this_sample(self):
        self.assertEqual(load_projects_demo.DATA["sample"]["sha256"],
                         hashlib.sha256(self.raw).hexdigest(),
                         "the sample changed: copy its structured.activity_status records into "
                         "tools/demo/data/projects.json again")

    def test_records_are_the_status_list_verbatim_in_order(self):
        self.assertEqual([spec["sample"] for spec in load_projects_demo.INITIATIVES],
                         self.records)

    def test_titles_and_status_lines(self):
        got = list(self.fields.values())
        self.assertEqual(len(got), len(self.records))
        for f, record in zip(got, self.records):
            with self.subTest(initiative=f["id"]):
                self.assertEqual(f["title"], record["initiative"])
                lines = f["status_report"]["status_lines"]
                self.assertEqual(len(lines), len(record["status"]))
                for line, expected in zip(lines, record["status"]):
                    self.assertEqual(line, expected)

    def test_status_lines_are_those_of_paragraph_14(self):
        # The structured records against § 14's own bullets: the title, then
        # "STATUS:" and the "o" bullets under it.
        items = self.paragraphs[14]["summary"][0]["blocks"][1]["bullets"]
        self.assertEqual([(i["text"], [b for block in i["blocks"] if "bullets" in block
                                       for b in block["bullets"]]) for i in items],
                         [(f["title"], f["status_report"]["status_lines"])
                          for f in self.fields.values()])

    def test_status_report_of_the_meeting(self):
        for f in self.fields.values():
            with self.subTest(initiative=f["id"]):
                s = f["status_report"]
                self.assertEqual((s["report_date"], s["reported_at"]),
                                 ("2022-06-22", "bodies/e-namnden/meetings/2022-06-22/"
                                                "paragraphs/14"))

    def test_ids_kinds_and_states(self):
        self.assertEqual([(f["id"], f["kind"], f["state"]) for f in self.fields.values()],
                         STATUS_LIST)
        for f in self.fields.values():
            with self.subTest(initiative=f["id"]):
                self.assertEqual(f["name"], "initiatives/" + f["id"])
                self.assertRegex(f["id"], r"^[a-z0-9]+(-[a-z0-9]+)*$")
                self.assertRegex(f["budget_line"],
                                 r"^//finance/budgets/2022/lines/[a-z0-9]+(-[a-z0-9]+)*$")

    def test_lifecycles_are_allowed_and_reach_the_state(self):
        for f in self.fields.values():
            with self.subTest(initiative=f["id"]):
                initial = ("STATE_IN_OPERATION" if f["kind"] == "KIND_SYSTEM_IN_OPERATION"
                           else "STATE_PROPOSED")
                self.assertEqual(f["initial_state"], initial)
                state, day = initial, f["since_date"]
                for step in f["steps"]:
                    allowed = set(NEXT_STATES.get(state, set()))
                    if f["kind"] == "KIND_SYSTEM_IN_OPERATION":
                        allowed = {"STATE_CLOSED"} if state == "STATE_IN_OPERATION" else set()
                    elif state == "STATE_FINAL_REPORT" and f["kind"] in INTO_OPERATION:
                        allowed.add("STATE_IN_OPERATION")
                    self.assertIn(step["state"], allowed, f"from {state}")
                    self.assertGreaterEqual(step["date"], day, step["state"])
                    state, day = step["state"], step["date"]
                self.assertEqual(state, f["state"])
                self.assertLessEqual(day, "2022-06-22", "the state of the status list's day")

    def test_every_date_is_on_or_before_the_demo_today(self):
        dates = [s for s in strings(load_projects_demo.DATA) if DATE.match(s)]
        self.assertTrue(dates)
        for day in dates:
            self.assertLessEqual(day, DEMO_TODAY)
        for f in self.fields.values():
            with self.subTest(initiative=f["id"]):
                # Taking part on the status list's day, not before the registration.
                for _, joined in f["participations"]:
                    self.assertTrue(f["since_date"] <= joined <= "2022-06-22", joined)

    def test_systems_in_operation_since_the_year_of_their_status(self):
        for f in self.fields.values():
            if f["kind"] != "KIND_SYSTEM_IN_OPERATION":
                continue
            with self.subTest(initiative=f["id"]):
                year = re.search(r"sedan (\d{4})", f["status_report"]["status_lines"][0])
                self.assertIsNotNone(year)
                self.assertEqual(f["since_date"][:4], year.group(1))

    def test_members(self):
        codes = {"municipalities/" + m["code"]: m["short_name"]
                 for m in load_demo.MUNICIPALITIES["municipalities"]}
        for f in self.fields.values():
            with self.subTest(initiative=f["id"]):
                taking_part = [m for m, _ in f["participations"]]
                self.assertEqual(len(set(taking_part)), len(taking_part))
                for m in taking_part + [s["municipality"] for s in f["steering_group"]]:
                    self.assertIn(m, codes)
        dcbd = [codes[m] for m, _ in self.fields["dcbd"]["participations"]]
        self.assertEqual(dcbd, ["Älvsbyn", "Boden", "Gällivare"])
        self.assertIn(", ".join(dcbd[:-1]) + " och " + dcbd[-1],
                      self.fields["dcbd"]["status_report"]["status_lines"][1])
        self.assertEqual(len(self.fields["e-learning"]["participations"]), 6)
        self.assert_quoted("Sex av de ingående kommunerna", 13)

    def test_hr_directive_revisions(self):
        f = self.fields["hr-payroll"]
        self.assert_quoted(f["description"], 11)
        a, b = f["revisions"]
        self.assertEqual((a["letter"], b["letter"]), ("A", "B"))
        # Rev A: the committee's decision of 2022-03-16 § 2, named in § 11.
        self.assert_quoted("2022-03-16 § 2", 11)
        self.assertEqual(a["decided_by"], dict(
            paragraph="bodies/e-namnden/meetings/2022-03-16/paragraphs/2",
            steering_group_protocol=""))
        self.assertEqual(a["decided_date"], "2022-03-16")
        self.assertEqual(f["steps"][0]["decided_by"], a["decided_by"])
        self.assertEqual((f["steps"][0]["state"], f["steps"][0]["date"]),
                         ("STATE_DECIDED", "2022-03-16"))
        # Rev B: the steering group's protocol of 2022-05-04 and the
        # document, both supporting documents of § 11.
        documents = self.paragraphs[11]["supporting_documents"]
        self.assertIn(b["document"]["title"], documents)
        self.assertEqual(b["document"]["title"], "Förstudiedirektiv Rev B")
        self.assertEqual(a["document"]["title"], "Förstudiedirektiv Rev A")
        protocol = b["decided_by"]["steering_group_protocol"]
        self.assertEqual(protocol, "Protokoll styrgrupp gemensamt HR 220504")
        self.assertIn(protocol, documents)
        self.assertEqual(b["decided_by"]["paragraph"], "")
        self.assertEqual(b["decided_date"], "20{}-{}-{}".format(
            protocol[-6:-4], protocol[-4:-2], protocol[-2:]))
        self.assertEqual(a["change_summary"], "")
        self.assert_quoted(b["change_summary"], 11)
        self.assertIn("löneprocesserna", b["change_summary"])
        leader = f["project_leader"]
        self.assertTrue(leader["external"])
        self.assert_quoted("extern projektledare", 11)

    def test_e_learning_final_report(self):
        f = self.fields["e-learning"]
        self.assert_quoted(f["description"], 13)
        r = f["final_report"]
        self.assertEqual(r["document"]["title"], "Förstudierapport e-learning rev A 22-06-13")
        self.assertIn(r["document"]["title"], self.paragraphs[13]["supporting_documents"])
        self.assertEqual(r["report_date"], "2022-06-13")
        self.assertEqual([s for s in f["steps"] if s["state"] == "STATE_FINAL_REPORT"][0]["date"],
                         r["report_date"])
        self.assertEqual(r["continuation"], "CONTINUATION_PENDING")
        self.assertEqual(r["continuation_text"],
                         "Enligt förstudiedirektiv och projektplan ska styrgruppen besluta om en "
                         "eventuell fortsättning.")
        self.assert_quoted(r["continuation_text"], 13)
        self.assertTrue(r["conclusions"])
        for text in r["conclusions"]:
            self.assert_quoted(text, 13)
        # The effect goals: the bullets after "En e-learningplattform kan
        # antas bidra till:", in order.
        blocks = self.paragraphs[13]["summary"][0]["blocks"]
        intro = [i for i, b in enumerate(blocks)
                 if b.get("text") == "En e-learningplattform kan antas bidra till:"]
        self.assertEqual(len(intro), 1)
        self.assertEqual(f["effect_goals"], blocks[intro[0] + 1]["bullets"])
        self.assertTrue(f["project_leader"]["external"])
        self.assert_quoted("extern projektledare", 13)

    def test_case_subjects_link_paragraphs_11_and_13(self):
        subjects = load_demo.MEETING["derived"]["case_subjects"]
        for number, initiative in ((11, "hr-payroll"), (13, "e-learning")):
            with self.subTest(paragraph=number):
                case_number = self.paragraphs[number]["case_number"]
                self.assertEqual(subjects[case_number], "//projects/initiatives/" + initiative)
                self.assertEqual(load_demo.paragraph_fields(self.demo[number])["case_subject"],
                                 "//projects/initiatives/" + initiative)
        self.assertEqual(load_projects_demo.LINKED_PARAGRAPHS,
                         {"hr-payroll": [11], "e-learning": [13]})

    def test_strings_sent_are_normalised(self):
        for f in self.fields.values():
            for s in strings(f):
                with self.subTest(initiative=f["id"], text=s[:60]):
                    self.assertEqual(normalise(s), s)


def luhn_check_digit(nine_digits):
    """The Luhn check digit of nine digits, weights 2, 1, 2, ... from the
    left (as Swedish organisation numbers use it); computed here apart from
    the loader's own check."""
    total = 0
    for i, c in enumerate(nine_digits):
        product = int(c) * (2 - i % 2)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


# Keys whose days lie after the demo's today by nature: the ends of terms,
# and what the rules compute from them.
FUTURE_KEYS = {"end", "final_end", "last_notice_day", "standstill_end", "reached"}


def dated(value, key=""):
    """(key, day) for every YYYY-MM-DD string inside a JSON value, with the
    key it sits under (a list's items keep their list's key)."""
    if isinstance(value, str):
        if DATE.match(value):
            yield key, value
    elif isinstance(value, list):
        for v in value:
            yield from dated(v, key)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from dated(v, k)


class ContractsAreTheSample(SampleTest):
    """The contracts demo: eleven agreements in force on 2022-06-22 for all
    members (§ 16), exactly one to give notice within six months of the
    demo's today (§ 14: the e-service platform's new procurement), the
    social services system procurement in its standstill (§ 14's title).
    Checked with the loader's rules, without a service."""

    def setUp(self):
        L = load_contracts_demo
        self.data = L.DATA
        self.fields = [L.agreement_fields(spec) for spec in L.AGREEMENTS]
        self.procurement = L.procurement_fields()
        self.members = ["municipalities/" + m["code"]
                        for m in load_demo.MUNICIPALITIES["municipalities"]]
        self.status = {r["initiative"]: r["status"]
                       for r in self.sample["structured"]["activity_status"]}
        self.plan_comments = [block["text"]
                              for item in self.sample["structured"]["plan_followup_2022"]
                              for block in item["comment"] if "text" in block]

    def test_the_data_names_this_sample(self):
        self.assertEqual(self.data["sample"]["sha256"], hashlib.sha256(self.raw).hexdigest(),
                         "the sample changed: check the quotes of tools/demo/data/contracts.json")

    def test_quotes_are_verbatim(self):
        p = self.data["protocol"]
        self.assertIn(p["agreements"], self.plan_comments)
        self.assertTrue(any(p["agreements"] in text for text in strings(self.paragraphs[16])),
                        "not verbatim in § 16")
        self.assertIn("”" + p["framework_routine"] + "”", p["agreements"])
        self.assertIn(p["contract_follow_up"], p["agreements"])
        self.assertIn(p["e_service_platform_status"], self.status["E-tjänsteplattformen"])
        self.assertIn(p["digital_signatures_status"],
                      self.status["Etablering av funktion för Digitala signaturer"])
        for text in strings(p):
            self.assertEqual(normalise(text), text)

    def test_eleven_agreements_for_all_members(self):
        count = re.search(r"I dagsläget finns (\d+) avtal tecknade via Norrbottens e-nämnd "
                          r"tillgängliga för alla ingående parter",
                          self.data["protocol"]["agreements"])
        self.assertIsNotNone(count)
        self.assertEqual(self.data["derived"]["agreement_count"], int(count.group(1)))
        self.assertEqual(len(self.fields), 11)
        self.assertEqual(len({f["id"] for f in self.fields}), 11)
        self.assertEqual(len(self.members), 14)
        day = self.data["derived"]["in_force_day"]
        self.assertEqual(day, "2022-06-22")
        for f in self.fields:
            with self.subTest(agreement=f["id"]):
                self.assertRegex(f["id"], r"^[a-z0-9]+(-[a-z0-9]+)*$")
                self.assertTrue(load_contracts_demo.in_force(f, day), "not in force")
                self.assertEqual(f["entitled"], self.members)
                joined = [m for m, _ in f["joined"]]
                self.assertEqual(len(set(joined)), len(joined), "a member joins twice")
                self.assertLessEqual(set(joined), set(self.members))

    def test_organisation_numbers_are_valid(self):
        numbers = [f["supplier"]["organisation_number"] for f in self.fields]
        self.assertEqual(len(set(numbers)), len(numbers), "two suppliers share a number")
        for number in numbers:
            with self.subTest(number=number):
                self.assertRegex(number, r"^\d{6}-\d{4}$")
                digits = number.replace("-", "")
                self.assertEqual(int(digits[9]), luhn_check_digit(digits[:9]))
                self.assertGreaterEqual(int(digits[2]), 2, "the month digits of a person")
                self.assertTrue(load_contracts_demo.valid_organisation_number(number))
        # The checks agree on the example and refuse a wrong digit.
        self.assertEqual(luhn_check_digit("556016068"), 0)
        self.assertTrue(load_contracts_demo.valid_organisation_number("556016-0680"))
        for bad in ("556016-0681", "5560160680", "556016-068X", "55601-60680"):
            self.assertFalse(load_contracts_demo.valid_organisation_number(bad), bad)

    def test_four_year_rule(self):
        L = load_contracts_demo
        for f in self.fields:
            with self.subTest(agreement=f["id"]):
                self.assertTrue(L.four_year_rule_holds(f))
                longest = L.expiry(f)["longest_end"]
                beyond = longest >= L.four_years_after(f)
                if f["terms"]["type"] != "AGREEMENT_TYPE_FRAMEWORK":
                    self.assertEqual(f["terms"]["type"], "AGREEMENT_TYPE_CONTRACT")
                    continue
                # A special reason only where the rule needs one.
                self.assertEqual(bool(f["special_reason"]), beyond, longest)
        with_reason = [f["id"] for f in self.fields if f["special_reason"]]
        self.assertEqual(with_reason, ["data-centre"])
        frameworks = [f for f in self.fields if f["terms"]["type"] == "AGREEMENT_TYPE_FRAMEWORK"]
        self.assertGreater(len(frameworks), len(self.fields) // 2, "framework agreements mostly")

    def test_exactly_one_to_give_notice_within_six_months(self):
        L = load_contracts_demo
        today = self.data["derived"]["demo_today"]
        self.assertEqual(today, DEMO_TODAY)
        window = L.add_months(today, 6)
        due = [f["id"] for f in self.fields
               if today <= L.expiry(f)["last_notice_day"] <= window]
        expiring = self.data["derived"]["expiring"]
        self.assertEqual(due, [expiring["agreement"]])
        self.assertEqual(due, ["e-service-platform"])
        f = next(f for f in self.fields if f["id"] == expiring["agreement"])
        e = L.expiry(f)
        self.assertEqual((e["final_end"], e["last_notice_day"]),
                         (expiring["final_end"], expiring["last_notice_day"]))
        self.assertEqual(L.horizon_on(f, today), expiring["horizon_on_demo_day"])
        nxt = expiring["next_horizon"]
        self.assertEqual(L.add_months(e["last_notice_day"], -nxt["horizon_months"]),
                         nxt["reached"])
        self.assertEqual(L.horizon_on(f, nxt["reached"]), nxt["horizon_months"])
        # No other agreement reaches any horizon of the watch by 2022-10-01
        # (the e2e test's later today), nor is it past its last day.
        for other in self.fields:
            if other is f:
                continue
            with self.subTest(agreement=other["id"]):
                self.assertIsNone(L.horizon_on(other, "2022-10-01"))
                self.assertGreater(L.expiry(other)["last_notice_day"], "2023-10-01")

    def test_days(self):
        L = load_contracts_demo
        days = list(dated(self.data))
        self.assertTrue(days)
        for key, day in days:
            if key not in FUTURE_KEYS:
                self.assertLessEqual(day, DEMO_TODAY, key)
        for f in self.fields:
            with self.subTest(agreement=f["id"]):
                t = f["terms"]
                self.assertLessEqual(t["start"], "2022-06-22")
                self.assertLess(t["start"], t["end"])
                self.assertLessEqual(len(f["extensions_used"]), len(t["extensions"]))
                # Each option used in order, before the term it extends ends.
                end = t["end"]
                for months, used in zip(t["extensions"], f["extensions_used"]):
                    self.assertTrue(t["start"] <= used <= end, used)
                    end = L.add_months(end, months)
                self.assertEqual(f["extensions_used"], sorted(f["extensions_used"]))
                for _, joined in f["joined"]:
                    self.assertTrue(t["start"] <= joined <= L.expiry(f)["end"], joined)
                for x in f["follow_ups"]:
                    self.assertGreaterEqual(x["date"], t["start"])
                self.assertGreater(t["estimated_value_ore"], 0)
                self.assertEqual(t["estimated_value_ore"] % 100, 0, "whole kronor")
                self.assertGreater(t["notice_months"], 0)
                self.assertGreater(f["follow_up_routine"]["every_months"], 0)

    def test_follow_up_routines_are_the_protocols(self):
        p = self.data["protocol"]
        for f in self.fields:
            with self.subTest(agreement=f["id"]):
                framework = f["terms"]["type"] == "AGREEMENT_TYPE_FRAMEWORK"
                self.assertEqual(f["follow_up_routine"]["description"],
                                 p["framework_routine"] if framework else p["contract_follow_up"])
        overdue = [f["id"] for f in self.fields
                   if load_contracts_demo.overdue_on(f, DEMO_TODAY)]
        self.assertTrue(overdue, "the demo shows overdue follow-ups")
        self.assertLess(len(overdue), len(self.fields) // 2, overdue)

    def test_procurement(self):
        p = self.procurement
        self.assertEqual(p["title"], "Upphandling Verksamhetssystem Socialtjänsten Norrbotten")
        self.assertEqual(p["title"], self.sample["structured"]["activity_status"][1]["initiative"])
        self.assertIn(p["title"], self.status)
        projects = {spec["id"]: spec["sample"]["initiative"]
                    for spec in load_projects_demo.INITIATIVES}
        self.assertEqual(p["initiative"], "//projects/initiatives/" + p["id"])
        self.assertEqual(projects[p["id"]], p["title"])
        # Registered, advertised, evaluated, awarded: in order, on or before today.
        award = p["award"]
        steps = [p["since_date"]] + [s["date"] for s in p["steps"]] + [
            award["decision_date"], award["notice_date"]]
        self.assertEqual(steps, sorted(steps))
        self.assertEqual([s["state"] for s in p["steps"]],
                         ["STATE_ADVERTISED", "STATE_EVALUATION"])
        # The standstill: 10 days after an electronic notice, a weekend or
        # holiday moving it to the next weekday (no holiday in July).
        self.assertEqual(award["notice_means"], "NOTICE_MEANS_ELECTRONIC")
        tenth = datetime.date.fromisoformat(award["notice_date"]) + datetime.timedelta(days=10)
        end = tenth
        while end.weekday() >= 5:
            end += datetime.timedelta(days=1)
        self.assertEqual(tenth.month, 7)
        self.assertEqual(end.isoformat(), p["standstill_end"])
        self.assertNotEqual(tenth, end, "the demo shows a standstill moved past a weekend")
        self.assertTrue(award["notice_date"] <= DEMO_TODAY <= p["standstill_end"],
                        "in its standstill on the demo's today")
        self.assertEqual(p["state_on_demo_day"], "STATE_STANDSTILL")

    def test_strings_sent_are_normalised(self):
        for value in self.fields + [self.procurement]:
            for s in strings(value):
                with self.subTest(text=s[:60]):
                    self.assertEqual(normalise(s), s)


class InventedIsMarked(unittest.TestCase):
    """What the protocol does not contain sits under "invented" (with a
    note saying so) or "derived"; nothing else is in the data files."""

    ALLOWED = {
        "committee.json": {"_about", "body", "paragraph_series", "meetings", "preparation_group",
                           "invented"},
        "meeting-2022-06-22.json": {"_about", "meeting", "sample", "paragraphs", "derived",
                                    "invented"},
        "audits.json": {"_about", "reviews", "review_rules", "invented"},
        "projects.json": {"_about", "sample", "status_report", "initiatives", "invented"},
        "contracts.json": {"_about", "sample", "protocol", "derived", "procurement", "invented"},
        "finance.json": {"_about", "sample", "population", "derived", "invented"},
        "plan.json": {"_about", "sample", "plan", "derived", "invented"},
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

    def test_initiatives_keep_invented_apart(self):
        protocol_keys = {"_note", "participants", "participant_count", "description",
                         "project_leader", "effect_goals", "steps", "revisions", "final_report",
                         "traffic_light"}
        invented_keys = {"steps", "participations", "joined_dates", "steering_group",
                         "project_leader", "budget_line", "milestones"}
        for spec in load_projects_demo.INITIATIVES:
            with self.subTest(initiative=spec["id"]):
                self.assertEqual(set(spec), {"id", "kind", "state", "sample", "protocol",
                                             "invented"})
                self.assertIn("_note", spec["protocol"])
                self.assertLessEqual(set(spec["protocol"]), protocol_keys)
                self.assertLessEqual(set(spec["invented"]), invented_keys)
                self.assertEqual(set(spec["protocol"]) & set(spec["invented"]) - {"steps"},
                                 set())
                # Who takes part is the protocol's only for DCBD.
                self.assertEqual("participants" in spec["protocol"], spec["id"] == "dcbd")

    def test_contracts_keep_invented_apart(self):
        data = load_contracts_demo.DATA
        # Everything about the agreements is invented; the protocol gives
        # their number and that they are for all members (derived).
        self.assertEqual(set(data["invented"]), {"_note", "agreements"})
        for section in ("protocol", "derived"):
            self.assertIn("_note", data[section])
        self.assertIsInstance(data["derived"]["agreement_count"], int)
        procurement = data["procurement"]
        self.assertEqual(set(procurement), {"id", "protocol", "invented", "derived"})
        for section in ("protocol", "invented", "derived"):
            self.assertIn("_note", procurement[section])
        self.assertEqual(set(procurement["protocol"]), {"_note", "title", "initiative"})
        self.assertIn("Invented for the demo", procurement["invented"]["_note"])
        for word in ("suppliers", "organisation numbers", "special reason"):
            self.assertIn(word, data["invented"]["_note"])

    def test_meeting_times_are_the_plan_of_paragraph_16(self):
        plan = json.loads(SAMPLE.read_bytes())["structured"]["committee_meeting_plan_2022"]
        self.assertEqual([(m["date"], m["start"], m["end"], m["plan_text"])
                          for m in load_demo.COMMITTEE["meetings"]],
                         [(m["parsed"]["date"], m["parsed"]["start"], m["parsed"]["end"],
                           m["text"]) for m in plan["meetings"]])


class ProtocolFrameMatchesSample(unittest.TestCase):
    """What the complete protocol (issue 14) takes from the data: the keeping
    municipality is the sample's kept_by, the rest is invented, and the
    invented justering obeys the rules the service enforces."""

    def test_keeping_municipality_is_the_samples_kept_by(self):
        kept_by = json.loads(SAMPLE.read_bytes())["protocol"]["kept_by"]
        names = {m["code"]: m["name"] for m in load_demo.MUNICIPALITIES["municipalities"]}
        self.assertEqual(load_demo.KEEPING_MUNICIPALITY, "municipalities/2580")
        self.assertEqual(names[load_demo.KEEPING_MUNICIPALITY.split("/")[1]], kept_by)

    def test_archive_and_place_are_marked_invented(self):
        self.assertIn("protocol_archive", load_demo.COMMITTEE["invented"])
        self.assertIn("archive", load_demo.COMMITTEE["invented"]["_note"])
        self.assertIn("place of justering", load_demo.MEETING["invented"]["_note"])
        self.assertNotIn("protocol_archive", load_demo.COMMITTEE["body"])

    def test_signers_decided_at_the_meeting(self):
        load_demo.check_signers()  # raises LoadError otherwise
        deciding = load_demo.deciding_names()
        self.assertIn("Ledamot Kiruna", deciding)
        self.assertIn("Ersättare Pajala", deciding)  # 2521's substitute served
        self.assertNotIn("Ledamot Arjeplog", deciding)  # 2506 is absent
        self.assertNotIn("Ersättare Kiruna", deciding)  # not serving

    def test_justering_within_fourteen_days_as_planned(self):
        meeting = datetime.date.fromisoformat(load_demo.MEETING["meeting"])
        adjusted = datetime.date.fromisoformat(load_demo.JUSTERING["adjusted_date"])
        self.assertLessEqual((adjusted - meeting).days, 14)
        self.assertEqual(load_demo.ATTENDANCE["adjustment_date"],
                         load_demo.JUSTERING["adjusted_date"])
        self.assertEqual(load_demo.ATTENDANCE["adjustment_place"], load_demo.JUSTERING["place"])

    def test_extract_is_certified_after_the_justering_by_the_secretary(self):
        extract = load_demo.EXTRACT
        self.assertIn(extract["paragraph"], NUMBERS)
        self.assertGreaterEqual(extract["certified_date"], load_demo.JUSTERING["adjusted_date"])
        self.assertEqual(extract["certified_by"], load_demo.SECRETARY)


if __name__ == "__main__":
    unittest.main(verbosity=2)
