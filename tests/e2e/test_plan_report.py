#!/usr/bin/python3
"""Outside-client end-to-end test of the plan follow-up and its interim report (issue 13).

Runs as an external system would: Debian's /usr/bin/python3 with grpc,
protobuf and redis, the generated stubs, and nothing else. It starts a real
redis-server (unix socket in a temp dir) and the real enamnd-meetings,
enamnd-projects, enamnd-contracts and enamnd-finance binaries as tools/up
runs them (e2e_harness: mTLS with the demo's certificates and policy file,
which grants the finance service's own identity the role finance; today
pinned to 2022-07-08; each with its own data dir; the finance service told
the others' addresses, ENAMND_MEETINGS_ADDR, ENAMND_CONTRACTS_ADDR,
ENAMND_PROJECTS_ADDR), loads the demos in tools/up's order (load_demo,
load_projects_demo, load_contracts_demo, load_finance_demo, load_plan_demo)
and renders plans/2022/follow-ups/5 as the public reader.

It checks:

  1. the plan demo loads without notes: plans/2022 created and adopted by
     the decision of 2021-12-16, the follow-up through May recorded, the
     report complete and written as HTML and Markdown;
  2. the report, as the public reader: complete, every source ok; the
     committee's attendance 9 of 14 (64 %), computed at risk; the
     committee's meetings 1 held and 3 to come, will be met; the preparation
     group's meetings 6 held ("Sex möten har genomförts."), 5 to come; its
     attendance at every meeting: the lowest 10 of 14 (71 %), will not be
     met, naming 23 March and 27 April, beside the committee's forecast
     "kommer att uppnås" kept as written; 11 agreements in force ("11
     avtal"); the initiatives coordinated; the competence goal's entered
     value 0; the financial statement 1 792 / 1 673 / 120 tkr; every comment,
     forecast text and outcome note verbatim in the HTML and the Markdown;
  3. loading the plan demo again changes nothing (the follow-up is not
     replaced);
  4. enamnd-contracts stopped (SIGTERM): the report still renders within
     the call's own deadline (10 s), incomplete: the agreements figure
     missing with a reason naming contracts, its outlook unspecified, the
     contracts source failed, the meetings figures still there; contracts
     started again on its address: the report is complete again (polled
     with a deadline);
  5. the same with enamnd-meetings stopped: the four meetings goals missing
     with reasons naming meetings, the agreements still counted; complete
     again once meetings is back.

It needs the finance service's plan handlers: until they are written (they
answer UNIMPLEMENTED) it fails at step 1.

Environment: ENAMND_BUILD_DIR (stubs in $ENAMND_BUILD_DIR/python, binaries in
$ENAMND_BUILD_DIR/services/<service>/enamnd-<service>), ENAMND_SOURCE_DIR
(the repository root). The last line printed is "N passed, M failed"; the
exit status is non-zero when anything failed.
"""

import html
import sys
import time
from pathlib import Path

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import Processes, poll

import grpc  # noqa: E402

from enamnd.finance.v1 import finance_pb2  # noqa: E402
from enamnd.finance.v1 import finance_pb2_grpc  # noqa: E402

import demo_common  # noqa: E402
import load_contracts_demo  # noqa: E402
import load_demo  # noqa: E402
import load_finance_demo  # noqa: E402
import load_plan_demo  # noqa: E402
import load_projects_demo  # noqa: E402

F = finance_pb2
P = load_plan_demo
P.import_stubs()
load_finance_demo.import_stubs()
RPC_TIMEOUT = 10
SETTLE_TIMEOUT = 30  # seconds for the consumers (members, decisions)
# The deadline of a RenderPlanReport with a service down: the report must
# come back within it (the finance service's own deadlines are shorter).
DEGRADED_DEADLINE = 10
RECOVER_TIMEOUT = 40  # seconds for a report to be complete again after a restart
COMMITTEE = "bodies/e-namnden"
PREP = "bodies/beredningsgruppen"
AS_OF = P.AS_OF_DATE
MEETINGS_GOALS = ("committee-meetings", "committee-attendance", "preparation-group-meetings",
                  "preparation-group-attendance")


def meeting_source(body, date):
    return f"//meetings/{body}/meetings/{date}"


def meeting_details(goal, body):
    """The sources of a goal's figures that name one meeting of `body`, in order."""
    prefix = f"//meetings/{body}/meetings/"
    return [f.source for f in goal.figures if f.source.startswith(prefix)]


class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.procs = {}        # service name -> process
        self.addresses = {}    # service name -> host:port (kept across restarts)
        self.callers = {}      # service name -> demo_common.Callers
        self.reports = Path(tmp) / "reports"
        self.first_load = None
        self.report = None     # the complete report, as the public reader got it

    # ------------------------------------------------------------ processes

    def make_demo_certificates(self):
        self.make_certificates(["meetings", "projects", "contracts", "finance"])
        policy = (self.tls / "policy.textproto").read_text()
        assert 'grants { principal: "spiffe://enamnd/service/finance" role: "finance" }' in (
            policy), "the demo policy does not grant the finance service the role finance"

    def start(self, name, principal, wait_until_serving, extra_env=None):
        proc, address, log_path = self.launch(e2e_harness.binary(name), name,
                                              port=self._port(name), extra_env=extra_env)
        callers = demo_common.Callers(address, self.tls)
        channel = callers[principal]
        self.await_serving(proc, name, log_path,
                           lambda timeout: wait_until_serving(channel, timeout))
        self.procs[name], self.callers[name], self.addresses[name] = proc, callers, address
        return channel

    def _port(self, name):
        address = self.addresses.get(name)
        return int(address.rpartition(":")[2]) if address else None

    def start_meetings(self):
        return self.start("meetings", "secretary", load_demo.wait_until_serving)

    def start_contracts(self):
        return self.start("contracts", load_contracts_demo.COORDINATOR,
                          load_contracts_demo.wait_until_serving)

    def start_meetings_and_load(self):
        channel = self.start_meetings()
        result = load_demo.load(channel, callers=self.callers["meetings"])
        assert not result["notes"], result["notes"]
        assert (result["counts"]["bodies"], result["counts"]["meetings"]) == (2, 15), (
            result["counts"])
        assert result["created"]["attendance"] == 7, result["created"]
        prep = result["plan_meetings"][PREP]
        assert [(d, s.replace("STATE_", ""), p) for d, s, p in prep][:6] == [
            ("2022-01-26", "HELD", 11), ("2022-02-23", "HELD", 13), ("2022-03-23", "HELD", 10),
            ("2022-04-27", "HELD", 10), ("2022-05-25", "HELD", 11), ("2022-06-20", "HELD", None)
        ], prep
        assert [s for _, s, _ in prep[6:]] == ["STATE_PLANNED"] * 5, prep
        march = [m for m in result["plan_meetings"][COMMITTEE] if m[0] == "2022-03-16"]
        assert march == [("2022-03-16", "STATE_HELD", 9)], march

    def start_projects_and_load(self):
        channel = self.start("projects", load_projects_demo.COORDINATOR,
                             load_projects_demo.wait_until_serving)
        result = load_projects_demo.load(channel, callers=self.callers["projects"],
                                         members_timeout=SETTLE_TIMEOUT,
                                         decisions_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]

    def start_contracts_and_load(self):
        channel = self.start_contracts()
        result = load_contracts_demo.load(channel, callers=self.callers["contracts"],
                                          members_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]

    def start_finance_and_load(self):
        peers = {f"ENAMND_{name.upper()}_ADDR": self.addresses[name]
                 for name in ("meetings", "projects", "contracts")}
        channel = self.start("finance", load_finance_demo.FINANCE,
                             load_finance_demo.wait_until_serving, extra_env=peers)
        result = load_finance_demo.load(channel, callers=self.callers["finance"],
                                        members_timeout=SETTLE_TIMEOUT,
                                        decisions_timeout=SETTLE_TIMEOUT)
        assert not result["notes"], result["notes"]

    def stop(self):
        for name in ("finance", "contracts", "projects", "meetings"):
            self.stop_service(name)
        self.stop_redis()

    # ------------------------------------------------------------ helpers

    def load_plan(self):
        return P.load(self.callers["finance"][P.FINANCE], callers=self.callers["finance"],
                      reports_dir=str(self.reports))

    def public(self):
        return finance_pb2_grpc.FinanceServiceStub(self.callers["finance"]["public-reader"])

    def render(self, timeout=RPC_TIMEOUT):
        return P.render(self.public(), timeout)

    # ------------------------------------------------------------ 1) load

    def check_first_load(self):
        result = self.load_plan()
        self.first_load = result
        assert not result["notes"], result["notes"]
        assert result["created"] == dict(plans=1, plan_updates=0, adoptions=1, follow_ups=1,
                                         follow_up_replacements=0), result["created"]
        plan = result["plan"]
        assert (plan["name"], plan["title"], plan["state"], plan["goals"]) == (
            "plans/2022", "Verksamhetsplan 2022", "STATE_ADOPTED", 10), plan
        d = P.adoption()
        assert plan["adopted_by"] == (d["meeting_date"], d["paragraph_number"],
                                      d["case_number"]), plan["adopted_by"]
        assert result["report"]["complete"], result["report"]
        html_path, md_path = result["files"]
        assert Path(html_path) == self.reports / "delarsrapport-2022-05.html", html_path
        assert Path(md_path) == self.reports / "delarsrapport-2022-05.md", md_path
        assert Path(html_path).read_text(encoding="utf-8").lstrip().lower().startswith(
            "<!doctype html"), "not a whole HTML document"
        assert "Delårsrapport 2022" in Path(md_path).read_text(encoding="utf-8")

    # ------------------------------------------------------------ 2) the report

    def goals(self, report):
        return {g.goal.id: g for g in report.goals}

    def check_report(self):
        r = self.render()
        self.report = r
        assert r.follow_up == P.FOLLOW_UP and r.title == "Delårsrapport 2022", (r.follow_up,
                                                                              r.title)
        assert r.complete, [(s.service, s.error) for s in r.sources if not s.ok]
        assert sorted(s.service for s in r.sources) == ["contracts", "meetings", "projects"], (
            r.sources)
        assert all(s.ok and s.calls >= 1 for s in r.sources), r.sources
        goals = self.goals(r)
        assert list(goals) == [g["id"] for g in P.plan_goals()], list(goals)
        for g in r.goals:
            for f in g.figures:
                assert not f.missing, (g.goal.id, f)
            assert g.figures or g.goal.measure == F.MEASURE_MANUAL, g.goal.id
        # What the committee wrote stands beside the computation, as written.
        for g, want in zip(r.goals, P.follow_up_fields()["goals"]):
            assert g.follow_up.forecast_text == want["forecast_text"], g.goal.id
            assert F.Outlook.Name(g.follow_up.forecast) == want["forecast"], g.goal.id

    def check_committee(self):
        goals = self.goals(self.report)
        a = goals["committee-attendance"]
        main = a.figures[0]
        assert (main.value, main.denominator, main.percent, main.unit) == (
            9, 14, 64, F.UNIT_PERCENT), main
        assert main.source.startswith(f"//meetings/{COMMITTEE}"), main.source
        assert main.read_time.seconds > 0, "no read time"
        assert a.computed_outlook == F.OUTLOOK_AT_RISK, F.Outlook.Name(a.computed_outlook)
        assert "64" in a.computed_reason and "75" in a.computed_reason, a.computed_reason
        assert a.follow_up.forecast == F.OUTLOOK_AT_RISK
        # Only 16 March is held with attendance on the as-of day.
        assert meeting_details(a, COMMITTEE) == [meeting_source(COMMITTEE, "2022-03-16")], (
            list(a.figures))
        m = goals["committee-meetings"]
        assert (m.figures[0].value, m.figures[0].unit) == (1, F.UNIT_COUNT), m.figures[0]
        assert m.computed_outlook == F.OUTLOOK_WILL_BE_MET, (
            F.Outlook.Name(m.computed_outlook), m.computed_reason)
        # One detail per meeting held and per meeting to come: 16 March
        # held, 22 June (held since, but after the as-of day), 12 October
        # and 14 December to come.
        sources = meeting_details(m, COMMITTEE)
        assert sources == [meeting_source(COMMITTEE, s["date"])
                           for s in load_demo.COMMITTEE["meetings"]], sources

    def check_preparation_group(self):
        goals = self.goals(self.report)
        m = goals["preparation-group-meetings"]
        assert m.figures[0].value == 6, m.figures[0]  # "Sex möten har genomförts."
        assert m.computed_outlook == F.OUTLOOK_WILL_BE_MET, (
            F.Outlook.Name(m.computed_outlook), m.computed_reason)
        assert meeting_details(m, PREP) == [
            meeting_source(PREP, s["date"]) for s in load_demo.PREPARATION_GROUP["meetings"]], (
            meeting_details(m, PREP))
        a = goals["preparation-group-attendance"]
        main = a.figures[0]
        assert (main.value, main.denominator, main.percent) == (10, 14, 71), main
        assert a.computed_outlook == F.OUTLOOK_WILL_NOT_BE_MET, (
            F.Outlook.Name(a.computed_outlook), a.computed_reason)
        for date, swedish in (("2022-03-23", "23 mars"), ("2022-04-27", "27 april")):
            assert date in a.computed_reason or swedish in a.computed_reason, (
                date, a.computed_reason)
        assert "2022-01-26" not in a.computed_reason, a.computed_reason
        per_meeting = [(f.source, f.value, f.percent) for f in a.figures[1:]
                       if f.source.startswith(f"//meetings/{PREP}/meetings/")]
        assert per_meeting == [
            (meeting_source(PREP, date), present, percent) for date, present, percent in (
                ("2022-01-26", 11, 79), ("2022-02-23", 13, 93), ("2022-03-23", 10, 71),
                ("2022-04-27", 10, 71), ("2022-05-25", 11, 79))], per_meeting
        # The committee's forecast is kept although the computation disagrees.
        assert a.follow_up.forecast == F.OUTLOOK_WILL_BE_MET
        assert a.follow_up.forecast_text == ("Prognosen är att indikatorn kommer att uppnås vad "
                                             "gäller deltagande under helåret 2022.")

    def check_agreements_and_initiatives(self):
        goals = self.goals(self.report)
        a = goals["agreements"]
        # "I dagsläget finns 11 avtal tecknade"
        assert (a.figures[0].value, a.figures[0].unit) == (11, F.UNIT_COUNT), a.figures[0]
        fields = [load_contracts_demo.agreement_fields(s) for s in load_contracts_demo.AGREEMENTS]
        assert sum(load_contracts_demo.in_force(f, AS_OF) for f in fields) == 11
        overdue = [f["name"] for f in fields
                   if load_contracts_demo.in_force(f, AS_OF)
                   and (load_contracts_demo.next_follow_up(f) or "9999") < AS_OF]
        expected = F.OUTLOOK_AT_RISK if overdue else F.OUTLOOK_WILL_BE_MET
        assert a.computed_outlook == expected, (F.Outlook.Name(a.computed_outlook),
                                                a.computed_reason, overdue)
        # The public reader's report counts the overdue agreements without
        # naming them (the contracts service lists agreements to staff only);
        # the finance officer's names each.
        overdue_count = [f.value for f in a.figures if f.label == "Avtal med försenad uppföljning"]
        assert overdue_count == [len(overdue)], (overdue_count, overdue)
        assert not any(f.source.startswith("//contracts/agreements/") for f in a.figures), (
            [f.source for f in a.figures])
        officer = finance_pb2_grpc.FinanceServiceStub(self.callers["finance"]["finance-officer"])
        staff = self.goals(P.render(officer, RPC_TIMEOUT))["agreements"]
        sources = " ".join(f.source for f in staff.figures)
        for name in overdue:
            assert f"//contracts/{name}" in sources, (name, sources)
        i = goals["initiatives-coordinated"]
        assert i.figures[0].value >= 1 and i.computed_outlook == F.OUTLOOK_WILL_BE_MET, (
            i.figures[0], i.computed_reason)
        assert all(f.source.startswith("//projects/initiatives/") for f in i.figures[1:]), (
            [f.source for f in i.figures])
        c = goals["competence-raising"]
        assert (c.figures[0].value, c.figures[0].source) == (0, P.FOLLOW_UP), c.figures[0]
        for gid in ("regulations-review", "follow-up-dialogues", "cooperation-handbook"):
            assert goals[gid].computed_outlook == F.OUTLOOK_UNSPECIFIED, gid

    def check_statement(self):
        r = self.report
        assert r.HasField("financial_statement"), r.financial_statement_missing
        t = r.financial_statement.total
        assert (t.outcome.income_tkr, t.outcome.cost_tkr, t.outcome.deviation_tkr) == (
            1792, 1673, 120), t.outcome
        assert (t.budget.income_tkr, t.budget.cost_tkr) == (5034, 5034), t.budget
        assert (t.forecast.income_tkr, t.forecast.cost_tkr) == (6193, 6193), t.forecast
        assert r.financial_statement.through_month == 5, r.financial_statement.through_month

    def texts(self):
        """Every text the report must carry verbatim."""
        f = P.follow_up_fields()
        out = [f["title"]] + [b["text"] for b in f["summary"]] + f["outcome_notes"]
        for g in f["goals"]:
            out.append(g["forecast_text"])
            for block in g["comment"]:
                out += ([block["text"]] if "text" in block else []) + block.get(
                    "bullets", []) + block.get("lines", [])
        out += [g["text"] for g in P.plan_goals()]
        return out

    def check_rendered_texts(self, report=None):
        r = report or self.report
        missing_md = [t for t in self.texts() if t not in r.markdown]
        missing_html = [t for t in self.texts()
                        if t not in r.html and html.escape(t, quote=False) not in r.html
                        and html.escape(t) not in r.html]
        assert not missing_md, f"not verbatim in the Markdown: {missing_md[:3]}"
        assert not missing_html, f"not verbatim in the HTML: {missing_html[:3]}"
        markdown = r.markdown.replace("\u00a0", " ").replace("\u202f", " ")
        for text in ("1 792", "1 673", "120"):
            assert text in markdown or text.replace(" ", "") in markdown, text

    def check_written_files(self):
        html_path, md_path = self.first_load["files"]
        written = Path(md_path).read_text(encoding="utf-8")
        for t in self.texts():
            assert t in written, t
        page = Path(html_path).read_text(encoding="utf-8")
        assert "<html" in page.lower() and "</html>" in page.lower(), page[:200]
        assert html.escape("Sex möten har genomförts.") in page

    # ------------------------------------------------------------ 3) again

    def check_second_load(self):
        before = self.public().GetPlanFollowUp(F.GetPlanFollowUpRequest(name=P.FOLLOW_UP),
                                               timeout=RPC_TIMEOUT)
        result = self.load_plan()
        assert not any(result["created"].values()), result["created"]
        assert not result["notes"], result["notes"]
        after = self.public().GetPlanFollowUp(F.GetPlanFollowUpRequest(name=P.FOLLOW_UP),
                                              timeout=RPC_TIMEOUT)
        assert (after.etag, after.update_time) == (before.etag, before.update_time), (
            "the follow-up was replaced")

    # ------------------------------------------------------------ 4-5) degraded

    def render_degraded(self, down):
        """Renders with `down` stopped: within the call's own deadline,
        incomplete, its source failed. Returns the report."""
        t0 = time.monotonic()
        try:
            r = self.render(DEGRADED_DEADLINE)
        except grpc.RpcError as e:
            raise AssertionError(f"RenderPlanReport with {down} down failed after "
                                 f"{time.monotonic() - t0:.1f} s: {e.code().name}: "
                                 f"{e.details()}") from None
        elapsed = time.monotonic() - t0
        print(f"     (rendered with {down} down in {elapsed:.2f} s)", flush=True)
        assert not r.complete, f"complete with {down} down"
        status = {s.service: s for s in r.sources}
        assert not status[down].ok and status[down].error, status[down]
        assert all(s.ok for name, s in status.items() if name != down), r.sources
        return r

    def assert_missing(self, report, goal_ids, service):
        goals = self.goals(report)
        for gid in goal_ids:
            g = goals[gid]
            main = g.figures[0]
            assert main.missing and main.value == 0, (gid, main)
            assert service in main.missing_reason, (gid, main.missing_reason)
            assert g.computed_outlook == F.OUTLOOK_UNSPECIFIED, (gid, g.computed_outlook)
            # What the committee wrote is still there.
            assert g.follow_up.forecast_text, gid
        present = [g for g in report.goals if g.goal.id not in goal_ids]
        for g in present:
            assert not any(f.missing for f in g.figures), (g.goal.id, list(g.figures))
        self.check_rendered_texts(report)

    def stop_and_check(self, name, goal_ids, still):
        self.stop_cleanly([name])
        r = self.render_degraded(name)
        self.assert_missing(r, goal_ids, name)
        still(self.goals(r))

    def restart_and_recover(self, name, start):
        start()
        deadline = time.monotonic() + RECOVER_TIMEOUT

        def complete():
            remaining = deadline - time.monotonic()
            try:
                return self.render(max(1.0, min(DEGRADED_DEADLINE, remaining))).complete
            except grpc.RpcError:
                return False

        poll(complete, RECOVER_TIMEOUT, f"the report to be complete again after {name} "
                                        "restarted")
        r = self.render()
        assert r.complete
        assert self.goals(r)["agreements"].figures[0].value == 11
        assert self.goals(r)["committee-attendance"].figures[0].percent == 64

    def check_contracts_down(self):
        def still(goals):
            a = goals["committee-attendance"].figures[0]
            assert (a.value, a.denominator, a.percent) == (9, 14, 64), a
            assert goals["preparation-group-meetings"].figures[0].value == 6
        self.stop_and_check("contracts", ("agreements",), still)

    def check_contracts_back(self):
        self.restart_and_recover("contracts", self.start_contracts)

    def check_meetings_down(self):
        def still(goals):
            assert goals["agreements"].figures[0].value == 11, goals["agreements"].figures[0]
        self.stop_and_check("meetings", MEETINGS_GOALS, still)

    def check_meetings_back(self):
        self.restart_and_recover("meetings", self.start_meetings)

    def check_clean_stop(self):
        self.stop_cleanly(("finance", "contracts", "projects", "meetings"))


def run_checks(results, scenario):
    # Each step needs the ones before it.
    for name, fn in [
            ("make the demo certificates and policy (finance's own grant)",
             scenario.make_demo_certificates),
            ("start redis-server on a unix socket", scenario.start_redis),
            ("start enamnd-meetings and load its demo: 2 bodies, 15 meetings, attendance",
             scenario.start_meetings_and_load),
            ("start enamnd-projects and load its demo", scenario.start_projects_and_load),
            ("start enamnd-contracts and load its demo", scenario.start_contracts_and_load),
            ("start enamnd-finance (told the peers' addresses) and load its demo",
             scenario.start_finance_and_load),
            ("1) load the plan demo: created, adopted, followed up, report written",
             scenario.check_first_load),
            ("2) the report as the public reader: complete, every source ok",
             scenario.check_report)]:
        results.check(name, fn)
        if results.failed:
            return
    results.check("2) committee: 9 of 14 (64 %) at risk; 1 held + 3 to come: will be met",
                  scenario.check_committee)
    results.check("2) preparation group: 6 held; lowest 10 of 14 (71 %): will not be met, "
                  "naming 23 March and 27 April; the committee's forecast kept",
                  scenario.check_preparation_group)
    results.check("2) 11 agreements in force; initiatives coordinated; entered value 0",
                  scenario.check_agreements_and_initiatives)
    results.check("2) financial statement 1 792 / 1 673 / 120 tkr", scenario.check_statement)
    results.check("2) comments, forecasts and notes verbatim in the HTML and the Markdown",
                  scenario.check_rendered_texts)
    results.check("2) the report written to var/reports (HTML and Markdown)",
                  scenario.check_written_files)
    results.check("3) loading the plan demo again changes nothing", scenario.check_second_load)
    results.check("4) contracts stopped: renders within 10 s, incomplete, agreements missing "
                  "naming contracts, meetings figures there", scenario.check_contracts_down)
    results.check("4) contracts started again: the report is complete again",
                  scenario.check_contracts_back)
    results.check("5) meetings stopped: renders within 10 s, the meetings goals missing "
                  "naming meetings, agreements there", scenario.check_meetings_down)
    results.check("5) meetings started again: the report is complete again",
                  scenario.check_meetings_back)
    results.check("SIGTERM: every service exits 0", scenario.check_clean_stop)


if __name__ == "__main__":
    sys.exit(e2e_harness.main(Scenario, run_checks))
