#!/usr/bin/python3
"""tools/backup against a real enamnd-meetings that writes all along.

Starts redis-server and enamnd-meetings (mTLS, the demo's certificates and
policy, as tests/e2e/e2e_harness.py runs them), then:

  a) one writer thread creates, one call after the other through the API,
     case 2031/1, municipality 0001, case 2031/2, municipality 0002, ...
     (creating a municipality also commits its MunicipalityRegistered event)
     and never stops while tools/backup runs; at least one write is
     acknowledged while the backup runs;
  b) the backup: exit 0, the manifest names meetings.db with its size and
     SHA-256 (as the file is), the migration versions the live database has
     in schema_migrations, and its event log's head; `verify` passes; a
     copy of the backup with one byte changed fails `verify`;
  c) restore is refused (exit 1, the live database untouched) while the
     service runs;
  d) the service is stopped (exit 0). A process then commits rows to its
     database with automatic checkpoints off and is killed (SIGKILL), so
     that the rows are only in meetings.db-wal; the backup is restored over
     that database (chmod 0640 first): the kept .before-restore-* copy has
     those rows, no -wal or -shm is left, and the restored file is the
     backup's, with mode 0640 (run as root: and the old owner, 10001).
     Then the backup is restored into a fresh data directory, where stale
     -wal and -shm files were planted (they must be removed; the new file
     gets mode 0660 and, run as root, the directory's owner), and the
     service is started on it: SERVING;
  e) the restored data is a consistent prefix of the commits: cases 1..k and
     municipalities 1..m with m = k or k - 1, and k + m at least the calls
     acknowledged before the backup started and at most those sent before it
     ended; the event log is 1..m, the MunicipalityRegistered events of
     municipalities 1..m in order, and its head is the manifest's
     outbox_head; a new municipality's event follows the head; after the
     service stops, integrity_check of the restored file is ok.

Environment: ENAMND_BUILD_DIR (the binary and the Python stubs),
ENAMND_SOURCE_DIR. The last line printed is "N passed, M failed".
"""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

import e2e_harness as h  # noqa: E402  (puts the stubs and tools/demo on sys.path)

import grpc  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2 as M  # noqa: E402
from enamnd.meetings.v1 import meetings_pb2_grpc  # noqa: E402

import demo_common  # noqa: E402
import load_demo  # noqa: E402

BACKUP = h.SOURCE_DIR / "tools" / "backup"
YEAR = 2031
RPC_TIMEOUT = 10
LOAD = 600  # calls made before the backup, so that it copies something
MAX_N = 9999  # four-digit municipality codes
SERVICE_UID = 10001  # the images' user and group


class Writer:
    """Writes, one call at a time until stopped, case YEAR/n and then
    municipality n (SCB code n as four digits; its creation commits a
    MunicipalityRegistered event with it) for n = 1, 2, ... `sent` counts the
    calls started, `acked` those that returned: call 2n-1 is case n, call 2n
    municipality n, and the service commits them in that order."""

    def __init__(self, stub):
        self.stub = stub
        self.sent = 0
        self.acked = 0
        self.error = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _call(self, fn):
        self.sent += 1
        fn()
        self.acked += 1

    def _case(self, n):
        case = self.stub.CreateCase(M.CreateCaseRequest(
            case=M.Case(case_number=f"{YEAR}/{n}-1.1.1.1",
                        title=f"Backup test case {n} " + "x" * 200),
            request_id=f"backup-test-case-{n}"), timeout=RPC_TIMEOUT)
        assert case.name == f"cases/{YEAR}-{n}", case.name

    def _municipality(self, n):
        m = self.stub.CreateMunicipality(M.CreateMunicipalityRequest(
            municipality_id=f"{n:04d}",
            municipality=M.Municipality(display_name=f"Backup test municipality {n}"),
            request_id=f"backup-test-municipality-{n}"), timeout=RPC_TIMEOUT)
        assert m.name == f"municipalities/{n:04d}", m.name

    def _run(self):
        try:
            n = 0
            while not self.stopping.is_set() and n < MAX_N:
                n += 1
                self._call(lambda: self._case(n))
                self._call(lambda: self._municipality(n))
        except Exception as e:  # noqa: BLE001 - reported by stop()
            self.error = e

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=RPC_TIMEOUT + 5)
        assert not self.thread.is_alive(), "the writer did not stop"
        assert self.error is None, f"the writer failed: {self.error!r}"


def serving(channel, service=""):
    """grpc.health.v1.Health/Check says SERVING for `service`. Debian's
    python3-grpcio has no grpc_health module, so the messages are encoded by
    hand: the request is field 1 (service, a string), the response field 1
    (status, a varint; SERVING = 1)."""
    name = service.encode()
    request = (b"\x0a" + bytes([len(name)]) + name) if name else b""
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    return check(request, timeout=RPC_TIMEOUT) == b"\x08\x01"


def run_tool(*args):
    return subprocess.run([sys.executable, str(BACKUP), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def live_migrations(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT component, MAX(version) FROM schema_migrations "
                                "GROUP BY component").fetchall())
    finally:
        con.close()


# Run as a child: commits rows in WAL mode with automatic checkpoints off,
# says so and waits to be killed, so that no close checkpoints them.
WAL_WRITER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
con.execute("PRAGMA wal_autocheckpoint=0")
con.execute("BEGIN IMMEDIATE")
con.execute("CREATE TABLE crash_test (n INTEGER PRIMARY KEY, text TEXT)")
con.executemany("INSERT INTO crash_test VALUES (?, ?)",
                [(n, "x" * 500) for n in range(1, int(sys.argv[2]) + 1)])
con.execute("COMMIT")
print("committed", flush=True)
sys.stdin.read()
"""


def commit_without_checkpoint(db, count):
    """Rows 1..count committed to `db` by a process killed before any
    checkpoint: they are in `db`-wal only. Returns the rows' numbers."""
    child = subprocess.Popen([sys.executable, "-c", WAL_WRITER, str(db), str(count)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()  # the child writes it or exits (EOF)
        assert line == "committed\n", f"the WAL writer failed: {line!r}"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        child.stdin.close()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, child.returncode
    return list(range(1, count + 1))


def rows_of(db):
    """The crash_test rows in the file `db` itself (immutable: a -wal beside
    it is not read, nothing is created), or None if it has no such table."""
    con = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    try:
        return [n for (n,) in con.execute("SELECT n FROM crash_test ORDER BY n")]
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()


class Scenario(h.Processes):
    def __init__(self, tmp):
        super().__init__(tmp)
        self.proc = None
        self.channel = None
        self.stub = None
        self.address = None
        self.backup = None
        self.manifest = None
        self.bounds = None  # (acked before the backup started, sent when it ended)
        self.restored = self.tmp / "restored-data"

    def start(self, data_dir=None):
        env = {"ENAMND_WRITE_RATE": "100000", "ENAMND_WRITE_BURST": "100000"}
        if data_dir is not None:
            env["ENAMND_DATA_DIR"] = str(data_dir)
        self.proc, self.address, log = self.launch(h.binary("meetings"), "meetings",
                                                   extra_env=env)
        self.channel = demo_common.secure_channel(self.address, self.tls, "secretary")
        self.stub = meetings_pb2_grpc.MeetingsServiceStub(self.channel)
        self.await_serving(self.proc, "meetings", log,
                           lambda timeout: load_demo.wait_until_serving(self.channel, timeout))

    def stop_service(self):
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        code = h.stop_process(self.proc, "enamnd-meetings")
        self.proc = None
        return code

    def stop(self):
        self.stop_service()
        self.stop_redis()

    # ------------------------------------------------------------ checks

    def check_backup_while_writing(self):
        writer = Writer(self.stub)
        writer.thread.start()
        h.poll(lambda: writer.acked >= LOAD or writer.error, 60, f"{LOAD} calls made")
        acked_before = writer.acked
        started = time.monotonic()
        result = run_tool("create", "--data-dir", self.tmp / "meetings-data",
                          "--out", self.tmp / "backups")
        took = time.monotonic() - started
        sent_after = writer.sent
        acked_during = writer.acked - acked_before
        h.poll(lambda: writer.acked >= sent_after + 20 or writer.error, 30,
               "more writes after the backup")
        writer.stop()
        assert result.returncode == 0, result.stdout + result.stderr
        assert acked_during > 0, "no write was acknowledged while the backup ran"
        self.backup = Path(result.stdout.strip().splitlines()[-1])
        assert self.backup.is_dir() and not self.backup.name.endswith(".partial"), self.backup
        self.bounds = (acked_before, sent_after)
        size = (self.backup / "meetings.db").stat().st_size
        print(f"     {acked_before} calls before the backup, {acked_during} acknowledged "
              f"while it ran ({took:.2f} s, {size} bytes), {writer.acked} in all", flush=True)

    def check_manifest(self):
        self.manifest = json.loads((self.backup / "MANIFEST.json").read_text())
        (entry,) = self.manifest["files"]
        copy = self.backup / "meetings.db"
        assert entry["service"] == "meetings" and entry["file"] == "meetings.db", entry
        assert entry["size"] == copy.stat().st_size, entry
        assert entry["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest(), entry
        expected = live_migrations(self.tmp / "meetings-data" / "meetings.db")
        assert entry["migrations"] == expected and expected.get("meetings", 0) >= 1, (
            entry["migrations"], expected)
        assert entry["outbox_head"] >= self.bounds[0] // 2, entry
        sums = (self.backup / "SHA256SUMS").read_text()
        assert sums == f"{entry['sha256']}  meetings.db\n", sums
        assert not list(self.backup.glob("*-wal")) and not list(self.backup.glob("*-shm"))

    def check_verify(self):
        ok = run_tool("verify", self.backup)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        bad = self.tmp / "tampered"
        bad.mkdir()
        for f in self.backup.iterdir():
            (bad / f.name).write_bytes(f.read_bytes())
        data = bytearray((bad / "meetings.db").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (bad / "meetings.db").write_bytes(bytes(data))
        result = run_tool("verify", bad)
        assert result.returncode == 1 and "SHA-256 differs" in result.stderr, (
            result.returncode, result.stderr)

    def check_restore_refused_while_running(self):
        live = self.tmp / "meetings-data" / "meetings.db"
        inode = live.stat().st_ino
        result = run_tool("restore", self.backup, "--data-dir", live.parent)
        assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
        assert "refusing to restore while a service runs" in result.stderr, result.stderr
        assert live.stat().st_ino == inode, "the live database was replaced"
        assert not list(live.parent.glob("*.before-restore-*")), list(live.parent.iterdir())
        assert serving(self.channel), "not SERVING after the refused restore"

    def check_stop(self):
        code = self.stop_service()
        assert code == 0, f"enamnd-meetings exited with {code}"

    def check_restore_keeps_wal_commits(self):
        data = self.tmp / "meetings-data"
        db = data / "meetings.db"
        rows = commit_without_checkpoint(db, 25)
        wal = Path(f"{db}-wal")
        assert wal.exists() and wal.stat().st_size > 0, "no WAL left by the killed writer"
        # The rows are in the WAL only: the file alone does not have them.
        alone = self.tmp / "file-alone.db"
        alone.write_bytes(db.read_bytes())
        assert rows_of(alone) is None, "the rows reached meetings.db already"
        db.chmod(0o640)
        if os.geteuid() == 0:  # root keeps the old file's owner: give it one
            os.chown(db, SERVICE_UID, SERVICE_UID)
        result = run_tool("restore", self.backup, "--data-dir", data)
        assert result.returncode == 0, result.stdout + result.stderr
        (kept,) = data.glob("meetings.db.before-restore-*")
        names = sorted(p.name for p in data.iterdir())
        assert names == sorted(["meetings.db", kept.name]), names
        assert rows_of(kept) == rows, f"the kept copy lacks the WAL's rows: {rows_of(kept)}"
        assert db.read_bytes() == (self.backup / "meetings.db").read_bytes(), "not the backup"
        assert db.stat().st_mode & 0o7777 == 0o640, oct(db.stat().st_mode)
        if os.geteuid() == 0:
            owner = (db.stat().st_uid, db.stat().st_gid)
            assert owner == (SERVICE_UID, SERVICE_UID), owner

    def check_restore_into_fresh_dir(self):
        self.restored.mkdir()
        if os.geteuid() == 0:  # root gives a new file the directory's owner
            os.chown(self.restored, SERVICE_UID, SERVICE_UID)
        # What a crashed run would leave: must not be applied to the restored file.
        (self.restored / "meetings.db-wal").write_bytes(b"stale wal" * 100)
        (self.restored / "meetings.db-shm").write_bytes(b"stale shm" * 100)
        result = run_tool("restore", self.backup, "--data-dir", self.restored)
        assert result.returncode == 0, result.stdout + result.stderr
        names = sorted(p.name for p in self.restored.iterdir())
        assert names == ["meetings.db"], names
        mode = (self.restored / "meetings.db").stat().st_mode & 0o7777
        assert mode == 0o660, oct(mode)
        if os.geteuid() == 0:
            st = (self.restored / "meetings.db").stat()
            assert (st.st_uid, st.st_gid) == (SERVICE_UID, SERVICE_UID), (st.st_uid, st.st_gid)
        self.start(self.restored)
        assert serving(self.channel, "enamnd.meetings.v1.MeetingsService"), "not SERVING"

    def listed(self, method, request_type, field, number_of):
        """Every number_of(item) of a List method's pages."""
        numbers, token = [], ""
        while True:
            page = method(request_type(page_size=1000, page_token=token), timeout=RPC_TIMEOUT)
            numbers += [number_of(item) for item in getattr(page, field)]
            token = page.next_page_token
            if not token:
                return sorted(numbers)

    def check_consistent_prefix(self):
        cases = [n for n in self.listed(self.stub.ListCases, M.ListCasesRequest, "cases",
                                        lambda c: int(c.name.split("-")[1]))]
        municipalities = self.listed(self.stub.ListMunicipalities, M.ListMunicipalitiesRequest,
                                     "municipalities", lambda m: int(m.name.split("/")[1]))
        k, m = len(cases), len(municipalities)
        assert cases == list(range(1, k + 1)), "the restored cases are not 1..k"
        assert municipalities == list(range(1, m + 1)), "the restored municipalities are not 1..m"
        # Commit order: case 1, municipality 1, case 2, ...: a prefix of it.
        assert m in (k - 1, k), f"{k} cases but {m} municipalities: not a prefix"
        low, high = self.bounds
        assert low <= k + m <= high, f"{k + m} calls restored; expected {low}..{high}"
        head = self.manifest["files"][0]["outbox_head"]
        assert head == m, f"the manifest's log head {head}, {m} municipalities"
        assert h.log_head(self.stub) == head, (h.log_head(self.stub), head)
        events = h.WatchEvents(self.stub, 0)
        try:
            got = [events.next() for _ in range(head)]
        finally:
            events.close()
        assert [e.sequence for e in got] == list(range(1, head + 1)), "the log has gaps"
        subjects = [e.event.attributes["subject"].ce_string for e in got]
        assert subjects == [f"municipalities/{n:04d}" for n in range(1, m + 1)], subjects[:3]
        self.stub.CreateMunicipality(M.CreateMunicipalityRequest(
            municipality_id=f"{m + 1:04d}",
            municipality=M.Municipality(display_name="After the restore")), timeout=RPC_TIMEOUT)
        assert h.log_head(self.stub) == head + 1, "no new event after the restore"
        print(f"     restored cases 1..{k}, municipalities 1..{m} ({k + m} calls; "
              f"bounds {low}..{high}), events 1..{head}", flush=True)

    def check_restored_integrity(self):
        code = self.stop_service()
        assert code == 0, f"enamnd-meetings exited with {code}"
        con = sqlite3.connect(f"file:{self.restored / 'meetings.db'}?mode=ro", uri=True)
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            con.close()


def run_checks(results, s):
    s.start_redis()
    s.make_certificates(["meetings"])
    results.check("start enamnd-meetings", s.start)
    steps = [
        ("a) backup while a writer runs", s.check_backup_while_writing),
        ("b) manifest: size, SHA-256, migrations, log head", s.check_manifest),
        ("b) verify passes, and fails on a changed byte", s.check_verify),
        ("c) restore refused while the service runs", s.check_restore_refused_while_running),
        ("d) the service stops cleanly", s.check_stop),
        ("d) restore over a database with a committed WAL: the kept copy has it",
         s.check_restore_keeps_wal_commits),
        ("d) restore into a fresh dir (stale -wal/-shm removed, mode 0660), SERVING",
         s.check_restore_into_fresh_dir),
        ("e) the restored data is a consistent prefix", s.check_consistent_prefix),
        ("e) integrity_check of the restored file", s.check_restored_integrity),
    ]
    for name, step in steps:
        if results.check(name, step) is None and results.failed:
            return  # each step needs the previous one


if __name__ == "__main__":
    sys.exit(h.main(Scenario, run_checks))
