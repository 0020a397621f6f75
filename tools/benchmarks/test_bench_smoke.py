#!/usr/bin/python3
"""Smoke test of tools/bench: `tools/bench --quick --json --no-scaling` runs to
the end and reports every figure of issue 16 with a number above zero (and a
baseline and ratio where the issue compares with one). It asserts no speed."""

import json
import os
import subprocess
import sys
import unittest

SOURCE = os.environ.get("ENAMND_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("ENAMND_BUILD_DIR") or os.path.join(SOURCE, "build")

# Figure name -> does it carry a baseline and ratio.
EXPECTED = {
    "GetParagraph (h2load -c8 -m16)": True,
    "ListParagraphs, page of 50 (h2load -c8 -m16)": True,
    "SQLite durable commit, 1 row": False,
    "SQLite durable commits of 100 rows": False,
    "Redis XADD->XREAD round trip p50": False,
    "RecordDecision -> WatchDecisions p50": True,
    "RecordDecision -> WatchDecisions p50, against one durable commit": True,
    "WatchDecisions replay from 0": False,
    "WatchDecisions replay filtered to one municipality": True,
    "share of the log in the filtered replay": False,
    "IngestUsage (finance)": True,
    "IngestUsage (finance), against 100-row commits": True,
}
for clients in ("1 client", "8 clients", "32 clients"):
    EXPECTED["RecordDecision, %s" % clients] = True
    EXPECTED["RecordDecision, %s, as a share of 100-row commits" % clients] = True
    EXPECTED["fdatasync per decision, %s" % clients] = False
    EXPECTED["CPU per decision, %s" % clients] = False
for service in ("meetings", "audits", "projects", "contracts", "finance"):
    EXPECTED["stripped binary size, enamnd-%s" % service] = True
    EXPECTED["idle RssAnon, %s" % service] = True
# Startup and RSS names carry a count or a remark: matched by prefix.
PREFIXES = {"startup to health SERVING (meetings": True}
for service in ("meetings", "audits", "projects", "contracts", "finance"):
    PREFIXES["idle RSS, %s " % service] = True


class BenchSmokeTest(unittest.TestCase):
    def test_quick_run_reports_every_figure(self):
        env = dict(os.environ, ENAMND_BUILD=BUILD)
        run = subprocess.run([os.path.join(SOURCE, "tools/bench"), "--quick", "--json",
                              "--no-scaling"], capture_output=True, text=True, env=env,
                             timeout=600)
        self.assertEqual(run.returncode, 0, run.stderr[-4000:])
        result = json.loads(run.stdout)
        for key in ("cpus", "kernel", "disk_fs"):
            self.assertIn(key, result["machine"])
        figures = {f["name"]: f for f in result["figures"]}
        wanted = dict(EXPECTED)
        for prefix, with_baseline in PREFIXES.items():
            names = [n for n in figures if n.startswith(prefix)]
            self.assertEqual(len(names), 1, "%s: %s" % (prefix, names))
            wanted[names[0]] = with_baseline
        for name, with_baseline in wanted.items():
            with self.subTest(figure=name):
                self.assertIn(name, figures)
                f = figures[name]
                if f["median"] is None:
                    # Only a counter the service does not export yet may be
                    # missing, and it must say so.
                    self.assertTrue(name.startswith("fdatasync"), f)
                    self.assertIn("missing", f)
                    continue
                for key in ("median", "min", "max"):
                    self.assertGreater(f[key], 0, f)
                if with_baseline:
                    self.assertGreater(f["baseline"]["median"], 0, f)
                    self.assertGreater(f["ratio"], 0, f)


if __name__ == "__main__":
    sys.exit(unittest.main())
