#!/usr/bin/python3
"""Outside-client end-to-end test of the protocol as PDF (issue 14).

Runs as an external system would: Debian's /usr/bin/python3 with grpc,
protobuf and redis, the generated stubs, poppler-utils (pdftotext, pdfinfo,
pdffonts), and nothing else. It starts a real redis-server (unix socket in a
temp dir) and the real enamnd-meetings binary as tools/up runs it
(e2e_harness: mTLS with the demo's certificates and policy file, today
pinned to 2022-07-08), loads tools/demo/load_demo.py with a documents dir in
the temp dir, and reads the PDFs as the public reader.

It checks:

  1. a committee from an "earlier run" (created without keeping municipality
     and archive) gets both from the loader (UpdateBody), once;
  2. the loader writes protokoll-e-namnden-2022-06-22.pdf and the certified
     extract of § 12, each hashing to the SHA-256 the service gave, and names
     no note;
  3. RenderProtocol(format PDF) as the public reader: the same bytes twice,
     sha256 = SHA-256 of the content, the bytes the loader wrote, a PDF with
     every font embedded and the justering's day as its creation date;
  4. pdftotext of it against ../shared/samples/e-namnd-2022-06-22.json: every
     paragraph's "§ n title", "Ärendenr <case number>", decision,
     Beslutsunderlag titles and recipients verbatim (whitespace collapsed: the
     PDF wraps lines);
  5. every page k of N (pdfinfo) has "Sida k av N", "LULEÅ KOMMUN",
     "SAMMANTRÄDESPROTOKOLL" and the footer "(Justerat 2022-06-29, SHA-256
     <adjustment sha256>)";
  6. the first page's facts: place and time, justering's place and time; the
     anslag/bevis part with all 14 members and the appeal deadline; the
     förvaringsplats;
  7. the extract: "Utdragsbestyrkande", § 12's decision, "Sida 1 av"; a
     new certification (§ 8) asked for as PDF in one call;
  8. loading again creates nothing and writes the same bytes; after a
     restart the service renders the same bytes.

Environment: ENAMND_BUILD_DIR, ENAMND_SOURCE_DIR, ENAMND_SAMPLE (default
../shared/samples/e-namnd-2022-06-22.json next to the source dir). The last
line printed is "N passed, M failed"; the exit status is non-zero when
anything failed.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

# The shared harness (next to this file) puts the stubs and tools/demo on sys.path.
import e2e_harness
from e2e_harness import SOURCE_DIR, Processes, stop_process, tail

from enamnd.common.v1 import common_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2_grpc  # noqa: E402

import demo_common  # noqa: E402
import load_demo  # noqa: E402

M = meetings_pb2
JUNE = "bodies/e-namnden/meetings/2022-06-22"
PROTOCOL_FILE = "protokoll-e-namnden-2022-06-22.pdf"
EXTRACT_FILE = "protokollsutdrag-e-namnden-2022-06-22-p12.pdf"
ADJUSTED_DATE = "2022-06-29"
APPEAL_DEADLINE = "2022-07-25"
RENDER_TIMEOUT = 60
HEADER_LAST = "Norrbottens e-nämnd 2022-06-22"   # the last line of every page's header
FOOTER_FIRST = "Justerandes signatur"            # the first line of every page's footer


def sample_path():
    return os.environ.get("ENAMND_SAMPLE") or (
        SOURCE_DIR.parent / "shared" / "samples" / "e-namnd-2022-06-22.json")


def flat(text):
    """Text compared across line wrapping: runs of white space become one
    space, and a break after a hyphen, dash or slash (where the PDF may wrap
    without a space) is closed up, in the text and the needle alike."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"([-–/]) ", r"\1", text)


def run(*command, stdin=None):
    """stdout of a poppler tool (bytes in, text out)."""
    done = subprocess.run(command, input=stdin, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, f"{command[0]} failed: {done.stderr.decode(errors='replace')}"
    return done.stdout.decode("utf-8")


def pdf_pages(content):
    """The text of each page (pdftotext, reading order), and pdfinfo's Pages."""
    text = run("pdftotext", "-enc", "UTF-8", "-", "-", stdin=content)
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    info = run("pdfinfo", "-", stdin=content)
    count = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    return pages, count, info


def page_body(page):
    """A page's text without its header (the lines up to the header's last,
    "<body> <date>") and its footer (from "Justerandes signatur" on)."""
    lines = page.splitlines()
    top = next(i for i, line in enumerate(lines) if line.strip() == HEADER_LAST) + 1
    bottom = max(i for i, line in enumerate(lines) if line.strip() == FOOTER_FIRST)
    return "\n".join(lines[top:bottom])


class Scenario(Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.meetings = None
        self.log = None
        self.callers = None
        self.stub = None           # as the secretary
        self.reader = None         # as the public reader
        self.documents = Path(tmp) / "documents"
        self.first_load = None
        self.pdf = None            # RenderedFile of the protocol
        self.pages = None          # its pages as text
        self.sample = json.loads(Path(sample_path()).read_bytes())

    def start(self):
        self.make_certificates(["meetings"])
        self.start_redis()
        self.start_meetings()

    def start_meetings(self):
        """enamnd-meetings on a free port with its data dir (kept across a
        restart); stubs as the secretary and the public reader."""
        proc, address, self.log = self.launch(e2e_harness.binary("meetings"), "meetings")
        self.meetings = proc
        self.callers = demo_common.Callers(address, self.tls)
        channel = self.callers["secretary"]
        self.await_serving(proc, "meetings", self.log,
                           lambda timeout: load_demo.wait_until_serving(channel, timeout))
        self.stub = meetings_pb2_grpc.MeetingsServiceStub(channel)
        self.reader = meetings_pb2_grpc.MeetingsServiceStub(self.callers["public-reader"])

    def stop(self):
        if self.callers is not None:
            self.callers.close()
        stop_process(self.meetings, "enamnd-meetings")
        self.meetings = None
        self.stop_redis()

    def load(self):
        return load_demo.load(self.callers["secretary"], callers=self.callers,
                              documents_dir=str(self.documents))

    # ------------------------------------------------------------ 1, 2

    def check_earlier_body_updated(self):
        """The committee as an earlier demo created it (same request_id,
        without keeping municipality and archive), then the loader."""
        load_demo._load_municipalities(self.stub, dict(municipalities=0), {})
        old = load_demo._body_proto()
        self.stub.CreateBody(M.CreateBodyRequest(body_id=load_demo.BODY_ID, body=old,
                                                 request_id="demo-body-" + load_demo.BODY_ID),
                             timeout=10)
        result = self.load()
        self.first_load = result
        assert result["created"]["body_updates"] == 1, result["created"]
        body = self.stub.GetBody(M.GetBodyRequest(name=load_demo.BODY), timeout=10)
        assert (body.keeping_municipality, body.protocol_archive) == (
            "municipalities/2580", "Kommunledningsförvaltningen, Luleå kommun"), body

    def check_files_written(self):
        result = self.first_load
        assert not result["notes"], result["notes"]
        assert result["adjustment"] is not None
        docs = result["documents"]
        assert docs is not None and docs["extract"] is not None, docs
        for file, name in ((docs["protocol"], PROTOCOL_FILE), (docs["extract"], EXTRACT_FILE)):
            path = Path(file["path"])
            assert path == self.documents / name, path
            content = path.read_bytes()
            assert content.startswith(b"%PDF-"), content[:16]
            assert hashlib.sha256(content).hexdigest() == file["sha256"], name
            assert len(content) == file["size"], name

    # ------------------------------------------------------------ 3

    def render(self, stub):
        return stub.RenderProtocol(M.RenderProtocolRequest(
            meeting=JUNE, format=common_pb2.DOCUMENT_FORMAT_PDF), timeout=RENDER_TIMEOUT)

    def check_render_deterministic(self):
        first, second = self.render(self.reader), self.render(self.reader)
        pdf = first.pdf
        assert pdf.media_type == "application/pdf", pdf.media_type
        assert pdf.file_name == PROTOCOL_FILE, pdf.file_name
        assert pdf.content == second.pdf.content, "two renders differ"
        assert pdf.sha256 == hashlib.sha256(pdf.content).hexdigest() == second.pdf.sha256
        assert pdf.content == (self.documents / PROTOCOL_FILE).read_bytes(), (
            "the loader's file differs")
        # Only PDF was asked for; the adjusted protocol's hash is still given.
        assert (first.text, first.html) == ("", ""), "text or html with format PDF"
        self.adjustment = self.stub.GetAdjustment(
            M.GetAdjustmentRequest(name=first.adjustment), timeout=10)
        assert first.sha256 == self.adjustment.sha256
        # No secret paragraph in the demo: the secretary gets the same bytes.
        assert self.render(self.stub).pdf.content == pdf.content, "secretary's PDF differs"
        self.pdf = pdf
        self.pages, self.page_count, info = pdf_pages(pdf.content)
        # Metadata from the justering, not the clock.
        assert re.search(r"^CreationDate:.*Jun 29 .*2022", info, re.M), info
        fonts = run("pdffonts", "-", stdin=pdf.content).splitlines()[2:]
        assert fonts, "no fonts"
        for line in fonts:
            assert re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), (
                f"a font not embedded: {line}")

    # ------------------------------------------------------------ 4

    def text(self):
        """The body text of every page, the page frames left out (as the
        sample's transcription leaves them out), whitespace flattened."""
        return flat(" ".join(page_body(page) for page in self.pages))

    def check_paragraphs_verbatim(self):
        text = self.text()
        missing = []
        for p in self.sample["paragraphs"]:
            needles = [f"§ {p['number']} {p['title']}", f"Ärendenr {p['case_number']}",
                       p["decision"], *p["supporting_documents"], *p["recipients"]]
            missing += [f"§ {p['number']}: {n[:70]}" for n in needles if flat(n) not in text]
        assert not missing, "not in the PDF:\n  " + "\n  ".join(missing)

    def check_paragraph_order(self):
        text = self.text()
        positions = [text.find(flat(f"§ {p['number']} {p['title']}"))
                     for p in self.sample["paragraphs"]]
        assert positions == sorted(positions) and -1 not in positions, positions

    # ------------------------------------------------------------ 5

    def check_every_page(self):
        n = self.page_count
        assert len(self.pages) == n, f"pdftotext gave {len(self.pages)} pages, pdfinfo {n}"
        assert n >= 5, f"{n} pages for § 8-16"
        footer = flat(f"(Justerat {ADJUSTED_DATE}, SHA-256 {self.adjustment.sha256})")
        bad = []
        for k, page in enumerate(self.pages, start=1):
            page = flat(page)
            for needle in (f"Sida {k} av {n}", "LULEÅ KOMMUN", "SAMMANTRÄDESPROTOKOLL",
                           "Norrbottens e-nämnd 2022-06-22", "Justerandes signatur",
                           "Utdragsbestyrkande", footer):
                if needle not in page:
                    bad.append(f"page {k}: no {needle!r}")
            others = [m for m in re.findall(r"Sida (\d+) av (\d+)", page)
                      if m != (str(k), str(n))]
            if others:
                bad.append(f"page {k}: also {others}")
        assert not bad, "\n".join(bad)

    # ------------------------------------------------------------ 6

    def check_first_page_and_notice(self):
        first = flat(self.pages[0])
        for needle in ("Protokoll", "Sammanträde: ordinarie sammanträde", "Tid: 13:00–16:00",
                       "Plats: ", "Beslutande ledamöter", "Tjänstgörande ersättare",
                       "Utses att justera: Ledamot Kiruna",
                       f"Justeringens plats och tid: Luleå, {ADJUSTED_DATE}",
                       "Sekreterare: Nämndsekreterare, Luleå kommun",
                       "Ordförande: Ledamot Luleå", "Paragrafer: § 8–16"):
            assert flat(needle) in first, f"first page: no {needle!r}:\n{self.pages[0]}"
        text = self.text()
        anslag = text.rfind("Anslag/bevis")
        assert anslag > text.find(flat(self.sample["paragraphs"][-1]["decision"])), (
            "no Anslag/bevis after the paragraphs")
        notice = text[anslag:]
        names = [m["name"] for m in load_demo.MUNICIPALITIES["municipalities"]]
        assert len(names) == 14
        missing = [name for name in names if name not in notice]
        assert not missing, f"anslag/bevis lacks {missing}"
        for needle in (f"Sista dag för överklagande: {APPEAL_DEADLINE}", "Anslaget uppsatt",
                       "Anslaget tas ned", "2022-07-04 (sent)",
                       "Förvaringsplats för protokollet: Kommunledningsförvaltningen, Luleå "
                       "kommun"):
            assert flat(needle) in notice, f"anslag/bevis: no {needle!r}"

    # ------------------------------------------------------------ 7

    def check_extract(self):
        content = (self.documents / EXTRACT_FILE).read_bytes()
        pages, count, _ = pdf_pages(content)
        text = flat(" ".join(pages))
        body = flat(" ".join(page_body(page) for page in pages))
        p12 = next(p for p in self.sample["paragraphs"] if p["number"] == 12)
        for needle in ("Utdragsbestyrkande", "PROTOKOLLSUTDRAG", "LULEÅ KOMMUN",
                       f"Sida 1 av {count}"):
            assert flat(needle) in text, f"extract: no {needle[:70]!r}"
        for needle in (f"§ 12 {p12['title']}", p12["decision"],
                       f"{ADJUSTED_DATE}, Nämndsekreterare, Luleå kommun",
                       "Utdraget överensstämmer med originalprotokollet."):
            assert flat(needle) in body, f"extract: no {needle[:70]!r}"
        # The same certification again is the same extract, the same bytes.
        again = self.stub.CreateExtract(M.CreateExtractRequest(
            paragraph=f"{JUNE}/paragraphs/12",
            certified_by=M.Person(display_name="Nämndsekreterare, Luleå kommun"),
            certified_date=common_pb2.Date(year=2022, month=6, day=29),
            format=common_pb2.DOCUMENT_FORMAT_PDF), timeout=RENDER_TIMEOUT)
        assert again.name == f"{JUNE}/paragraphs/12/extracts/1", again.name
        assert again.pdf.content == content, "the extract's PDF differs on replay"
        assert again.pdf.sha256 == hashlib.sha256(content).hexdigest()

    def check_new_extract_as_pdf(self):
        """A new certification asked for as PDF in one call (the loader
        certifies first, then asks for the same certification as PDF)."""
        e = self.stub.CreateExtract(M.CreateExtractRequest(
            paragraph=f"{JUNE}/paragraphs/8",
            certified_by=M.Person(display_name="Nämndsekreterare, Luleå kommun"),
            certified_date=common_pb2.Date(year=2022, month=7, day=1),
            format=common_pb2.DOCUMENT_FORMAT_PDF), timeout=RENDER_TIMEOUT)
        assert e.pdf.sha256 == hashlib.sha256(e.pdf.content).hexdigest() and e.pdf.content
        assert e.pdf.file_name == "protokollsutdrag-e-namnden-2022-06-22-p8.pdf", e.pdf.file_name
        pages, _, info = pdf_pages(e.pdf.content)
        assert "2022-07-01" in flat(" ".join(pages))
        assert re.search(r"^CreationDate:.*Jul +1 .*2022", info, re.M), info

    # ------------------------------------------------------------ 8

    def check_second_load(self):
        result = self.load()
        assert not any(result["created"].values()), result["created"]
        assert not result["notes"], result["notes"]
        assert result["documents"]["protocol"]["sha256"] == self.pdf.sha256
        assert (self.documents / PROTOCOL_FILE).read_bytes() == self.pdf.content

    def check_same_bytes_after_restart(self):
        """Another process renders the same bytes from the same records."""
        self.check_clean_stop()
        self.start_meetings()
        again = self.render(self.reader).pdf
        assert again.content == self.pdf.content, (again.sha256, self.pdf.sha256)

    def check_clean_stop(self):
        self.callers.close()
        code = stop_process(self.meetings, "enamnd-meetings")
        self.meetings = None
        assert code == 0, f"enamnd-meetings exited with {code}:\n{tail(self.log)}"


def run_checks(results, scenario):
    # Each step needs the ones before it.
    for name, fn in [
            ("start redis-server and enamnd-meetings (mTLS, today 2022-07-08)", scenario.start),
            ("1) a committee of an earlier run gets keeping municipality and archive",
             scenario.check_earlier_body_updated),
            ("2) the loader wrote the protocol's PDF and the extract of § 12",
             scenario.check_files_written),
            ("3) RenderProtocol PDF: same bytes twice, sha256, fonts embedded, dated 2022-06-29",
             scenario.check_render_deterministic)]:
        results.check(name, fn)
        if results.failed:
            return
    results.check("4) every paragraph's title, Ärendenr, decision, Beslutsunderlag and "
                  "recipients verbatim", scenario.check_paragraphs_verbatim)
    results.check("4) § 8-16 in order", scenario.check_paragraph_order)
    results.check("5) every page: Sida k av N, header, signature boxes, footer hash",
                  scenario.check_every_page)
    results.check("6) first page, justering's place and time, anslag/bevis of 14, "
                  "förvaringsplats", scenario.check_first_page_and_notice)
    results.check("7) the certified extract of § 12", scenario.check_extract)
    results.check("8) loading again creates nothing, same PDF", scenario.check_second_load)
    results.check("8) SIGTERM -> exit 0; restarted, the same bytes",
                  scenario.check_same_bytes_after_restart)
    # Last: enamnd-meetings at d596b23 crashes here (AddExtractPdf after the commit).
    results.check("7) a new extract (§ 8, 2022-07-01) as PDF in one call",
                  scenario.check_new_extract_as_pdf)
    results.check("SIGTERM: enamnd-meetings exits 0", scenario.check_clean_stop)


if __name__ == "__main__":
    sys.exit(e2e_harness.main(Scenario, run_checks))
