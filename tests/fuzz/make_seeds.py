#!/usr/bin/python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ (committed).

Run from the checkout after a build made the Python stubs (build/python),
or with ENAMND_PY_STUBS pointing at them:
  /usr/bin/python3 tests/fuzz/make_seeds.py
Each seed is a small, real-looking input in the layout its target reads
(see the comment at the top of tests/fuzz/<target>_fuzz.cc).
"""
import base64
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
SEP = b"\\ "  # ends a FuzzedDataProvider::ConsumeRandomLengthString


def write(target, seeds):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    for name, data in seeds.items():
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def fdp_int64(value):
    """Bytes FuzzedDataProvider::ConsumeIntegral<int64_t> reads (from the end) as value:
    the last byte is the most significant, and the result is offset by INT64_MIN."""
    return ((value + 2**63) % 2**64).to_bytes(8, "little")


def page_token(scope, key):
    """EncodePageToken of services/platform/listing.cc."""
    payload = b"p1\x1f" + b"\x1f".join(k.encode() for k in key)
    h = 1469598103934665603
    for c in scope.encode() + b"\x1f" + payload:
        h = ((h ^ c) * 1099511628211) % 2**64
    return base64.urlsafe_b64encode(payload + struct.pack(">Q", h)).rstrip(b"=")


MEETING = "bodies/e-namnden/meetings/2022-06-22"
PARAGRAPH = MEETING + "/paragraphs/8"

write("meetings_names", {
    "body": "bodies/e-namnden",
    "meeting": MEETING,
    "paragraph": PARAGRAPH,
    "series": "bodies/e-namnden/paragraph-series/2022",
    "case": "cases/2022-9",
    "adjustment": MEETING + "/adjustments/1",
    "extract": PARAGRAPH + "/extracts/1",
    "correction": PARAGRAPH + "/corrections/2",
    "appeal": PARAGRAPH + "/appeals/1",
    "municipality": "municipalities/2584",
})
write("audits_names", {
    "review": "reviews/2021-2584",
    "reference": "//audits/reviews/2021-2584",
    "recommendation": "reviews/2021-2584/recommendations/3",
    "control_plan": "control-plans/2022",
    "control_point": "control-plans/2022/points/attest-rutiner",
    "reporting_year": "reporting-years/2022",
    "moment": "reporting-years/2022/moments/delarsrapport",
})
write("projects_names", {
    "initiative": "initiatives/hr-payroll",
    "reference": "//projects/initiatives/e-learning",
    "revision": "initiatives/hr-payroll/revisions/B",
    "status_report": "initiatives/e-archive/status-reports/3",
    "budget_line": "//finance/budgets/2022/lines/hr-payroll",
    "filter": 'municipality = "municipalities/2582" AND date = 2022-06-22 AND kind = KIND_PRE_STUDY',
})
write("contracts_rules", {
    "procurement": "procurements/social-services-system",
    "agreement": "agreements/it-konsulter",
    "reference": "//contracts/agreements/it-konsulter",
    "organisation_number": "556016-0680",
    "filter": 'municipality = "municipalities/2584" AND date = 2022-06-22 AND in_force = 2022-06-22',
    "horizons": "12,6,3",
})
write("finance_rules", {
    "budget": "budgets/2023",
    "line": "budgets/2022/lines/e-service-developer",
    "reference": "//finance/budgets/2023",
    "outcome": "budgets/2022/outcomes/5",
    "population": "population-figures/2023-12-31",
    # A total of 503 400 000 öre over three codes by population.
    "allocation": fdp_int64(503400000) + struct.pack("<H", 2584) + fdp_int64(22433)
    + struct.pack("<H", 2580) + fdp_int64(79352) + struct.pack("<H", 2505) + fdp_int64(6113),
})
write("case_number", {
    "diarienummer": "2022/9-2.2.0.1",
    "short": "2021/112-1",
    "name": "cases/2022-9",
})
write("municipality", {
    "kiruna": "municipalities/2584",
    "lulea": "municipalities/2580",
    "code": "2523",
})

# resource_name: pattern, SEP, text, then max and min (read from the end).
bounds = fdp_int64(2**63 - 1) + fdp_int64(0)
write("resource_name", {
    "meeting": b"bodies/{body}/meetings/{meeting}" + SEP + MEETING.encode() + bounds,
    "review": b"reviews/{id}" + SEP + b"reviews/2021-2584" + bounds,
    "number": b"{n}" + SEP + b"2584" + bounds,
})

scope = 'ListParagraphs|bodies/-|recipient = "municipalities/2584"'
write("page_token", {
    # scope, SEP, key parts each + SEP, token, then the part count (one byte).
    "paragraphs": scope.encode() + SEP + b"e-namnden" + SEP + b"2022" + SEP + b"8" + SEP +
                  page_token(scope, ["e-namnden", "2022", "8"]) + b"\x03",
    "reviews": b"ListReviews||" + SEP + b"2021" + SEP + b"2584" + SEP +
               page_token("ListReviews||", ["2021", "2584"]) + b"\x02",
})

def encoded_blocks(blocks):
    """EncodeBlocks of services/platform/document.cc: (kind, text) pairs."""
    out = b"enamnd-blocks 1\n"
    for kind, text in blocks:
        data = text.encode()
        out += b"%d:%d:" % (kind, len(data)) + data
    return out


write("blocks", {  # stored blocks; or texts separated by 0x1e
    "protocol": encoded_blocks([
        (1, "Protokoll Norrbottens e-nämnd 2022-06-22"),
        (2, "§ 8 Grundläggande granskning – ”e-nämnden”"),
        (4, "Ärendenr 2022/9-2.2.0.1"),
        (3, "Beslut"),
        (5, "Nämnden beslutar\natt godkänna <rapporten> & lägga den till handlingarna"),
        (6, "Revisionsrapport 2021"),
        (8, "Post\tBudget\tUtfall"),
        (7, "Lön\t1 000\t"),
    ]),
    "empty": encoded_blocks([]),
    "empty_text": encoded_blocks([(5, "")]),
    "texts": "Rubrik\x1eText med\nrader\x1e\t\x1e<b>&amp;</b>",
})

write("meetings_filters", {  # parent, SEP, filter
    "recipient": b"bodies/-" + SEP + b'recipient = "municipalities/2584"',
    "meeting": MEETING.encode() + SEP + b"case = cases/2022-9 AND kind = DECISION_KIND_APPROVE",
    "meetings": b"bodies/e-namnden" + SEP + b"year = 2022 AND state = STATE_HELD",
    "subject": b"bodies/-" + SEP + b'subject = "//audits/reviews/2021-2584"',
})
write("audits_filters", {  # parent, SEP, filter
    "reviews": b"reviews/-" + SEP + b"year = 2021 AND municipality = municipalities/2584",
    "overdue": b"reviews/2021-2584" + SEP + b"overdue = true AND year = 2021",
    "status": b"reviews/-" + SEP + b"status = STATUS_DONE",
})


def cloudevent_seeds():
    sys.path.insert(0, os.environ.get("ENAMND_PY_STUBS", os.path.join(ROOT, "build", "python")))
    from enamnd.events.v1 import cloudevent_pb2 as ce
    from enamnd.meetings.v1 import events_pb2 as ev
    from enamnd.meetings.v1 import meetings_pb2 as m

    def event(seq, payload, subject):
        e = ce.CloudEvent(id=str(seq), source="//enamnd/meetings", spec_version="1.0",
                          type=payload.DESCRIPTOR.full_name)
        e.attributes["subject"].ce_string = subject
        e.attributes["time"].ce_string = "2022-06-22T14:05:00Z"
        e.attributes["sequence"].ce_string = str(seq)
        e.attributes["audience"].ce_string = "2584,2580"
        e.proto_data.Pack(payload)
        return e.SerializeToString()

    paragraph = m.Paragraph(name=PARAGRAPH, number=8, case_number="2022/9-2.2.0.1")
    paragraph.decision.kind = m.DECISION_KIND_NOTE_AND_FILE
    paragraph.decision.text = "Nämnden lägger revisionsrapporten till handlingarna."
    recorded = ev.DecisionRecorded(paragraph=paragraph, body="bodies/e-namnden",
                                   body_display_name="E-nämnden", meeting=MEETING,
                                   case_subject="//audits/reviews/2021-2584")
    final = ev.DecisionFinal(paragraph=PARAGRAPH, case="cases/2022-9",
                             case_number="2022/9-2.2.0.1",
                             case_subject="//audits/reviews/2021-2584",
                             kind=m.DECISION_KIND_NOTE_AND_FILE, meeting=MEETING)
    appeal = ev.AppealLodged(paragraph=PARAGRAPH, case_number="2022/9-2.2.0.1")
    return {
        # shape byte 0: just the event field; 1: id, type, subject before it.
        "decision_recorded": b"\x01" + event(41, recorded, PARAGRAPH),
        "decision_final": b"\x00" + event(57, final, PARAGRAPH),
        "appeal_lodged": b"\x00" + event(60, appeal, PARAGRAPH),
    }


write("cloudevent_entry", cloudevent_seeds())


def plan_seeds():
    """finance_plan: a serialized Plan, 0xFF, a serialized PlanFollowUp."""
    sys.path.insert(0, os.environ.get("ENAMND_PY_STUBS", os.path.join(ROOT, "build", "python")))
    from enamnd.finance.v1 import finance_pb2 as f

    plan = f.Plan(title="Verksamhetsplan 2022")
    plan.goals.add(id="committee-meetings", kind=f.Goal.KIND_GOAL,
                   text="Nämnden har genomfört minst fyra sammanträden under verksamhetsåret",
                   measure=f.MEASURE_MEETINGS_HELD, body="bodies/e-namnden", target=4,
                   unit=f.UNIT_COUNT)
    plan.goals.add(id="attendance", kind=f.Goal.KIND_GOAL, text="minst 75% deltar",
                   measure=f.MEASURE_ATTENDANCE_AVERAGE, body="bodies/e-namnden", target=75,
                   unit=f.UNIT_PERCENT)
    plan.goals.add(id="agreements", kind=f.Goal.KIND_GOAL, text="avtal", target=1,
                   measure=f.MEASURE_AGREEMENTS_IN_FORCE, unit=f.UNIT_COUNT)
    plan.goals.add(id="competence", kind=f.Goal.KIND_INDICATOR, text="kompetenshöjande insats",
                   measure=f.MEASURE_MANUAL, target=1, unit=f.UNIT_COUNT)
    follow_up = f.PlanFollowUp(title="Delårsrapport 2022")
    follow_up.summary.add(text="Delårsrapporten omfattar tidsperioden januari-maj 2022")
    entry = follow_up.goals.add(goal="attendance", forecast=f.OUTLOOK_AT_RISK,
                                forecast_text="Prognosen är att det föreligger en risk.")
    entry.comment.add(text="Vid nämndsammanträdet 16 mars deltog 9 av 14 ledamöter")
    entry.comment.add(bullets=["26 januari 14:00-16:00", "<script>x</script>"], marker="•")
    manual = follow_up.goals.add(goal="competence", value=0)
    manual.comment.add(lines=["Under perioden har inga kompetenshöjande insatser genomförts."])
    follow_up.outcome_notes.append("Säsongsvariation")
    plan_bytes = plan.SerializeToString()
    assert b"\xff" not in plan_bytes
    return {"plan_2022": plan_bytes + b"\xff" + follow_up.SerializeToString()}


write("finance_plan", plan_seeds())
