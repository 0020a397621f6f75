"""What the outside-client end-to-end tests share (test_outside_client.py,
test_projects_demo.py, test_contracts_flow.py, test_whole_suite.py, ...): the
pass/fail tally, polling with a deadline, a
streaming call read on a thread (WatchEvents, and the head of a service's
log), whether a consumer group has caught up, the check of one Redis stream
entry, and
the processes of a scenario as tools/up runs them: redis-server on a unix
socket in the temp dir, the demo's certificates and policy file, and
service binaries with mTLS, their own data dir and today pinned.

Importing it puts the generated stubs ($ENAMND_BUILD_DIR/python) and
tools/demo on sys.path, so the tests import both after it.
"""

import importlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("ENAMND_SOURCE_DIR") or Path(__file__).resolve().parents[2])
BUILD_DIR = Path(os.environ.get("ENAMND_BUILD_DIR") or SOURCE_DIR / "build")

sys.path.insert(0, str(BUILD_DIR / "python"))
sys.path.insert(0, str(SOURCE_DIR / "tools" / "demo"))

import grpc  # noqa: E402
import redis  # noqa: E402

from enamnd.common.v1 import watch_pb2  # noqa: E402
from enamnd.events.v1 import cloudevent_pb2  # noqa: E402

import demo_common  # noqa: E402
import demo_tls  # noqa: E402

# The legal calendar's today for the services, as tools/up pins it: after the
# last notice of 22 June 2022 (2022-07-04), before its appeal deadline
# (2022-07-25).
TODAY = "2022-07-08"
EVENT_TIMEOUT = 10  # seconds to wait for an event that must arrive


def binary(service):
    """The built enamnd-<service>."""
    return BUILD_DIR / "services" / service / f"enamnd-{service}"


# ------------------------------------------------------------------ harness

class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, fn, *args):
        """Runs one check; returns its value, or None if it failed."""
        t0 = time.monotonic()
        try:
            value = fn(*args)
        except Exception as e:  # noqa: BLE001 - report every kind of failure
            self.failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
            return None
        self.passed += 1
        print(f"ok   {name} ({time.monotonic() - t0:.2f} s)", flush=True)
        return value


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(predicate, timeout, what):
    """Polls predicate() every 0.1 s until it is truthy or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def tail(path, lines=40):
    try:
        return "".join(Path(path).read_text(errors="replace").splitlines(True)[-lines:])
    except OSError:
        return "(no log)"


def stop_process(proc, name, timeout=10):
    """SIGTERM, wait, then SIGKILL. Returns the exit status."""
    if proc is None or proc.poll() is not None:
        return None if proc is None else proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"warning: {name} ignored SIGTERM for {timeout} s; killing it", flush=True)
        proc.kill()
        return proc.wait(timeout=timeout)


def main(make_scenario, run_checks):
    """Runs run_checks(results, scenario) on a scenario (a Processes) made in
    a new temp dir; prints the tails of the service logs on failure,
    stops the scenario and ends with "N passed, M failed". Returns the exit
    status."""
    results = Results()
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="enamnd-e2e-")
    scenario = make_scenario(tmp)
    try:
        run_checks(results, scenario)
    except BaseException as e:  # e.g. KeyboardInterrupt: still clean up and report
        results.failed += 1
        print(f"FAIL interrupted: {type(e).__name__}: {e}", flush=True)
    finally:
        if results.failed:
            for name, path in scenario.logs():
                print(f"--- {name} log (tail) ---\n{tail(path)}", flush=True)
        scenario.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"({time.monotonic() - started:.1f} s)", flush=True)
    print(f"{results.passed} passed, {results.failed} failed", flush=True)
    return 1 if results.failed else 0


class StreamReader:
    """A server-streaming call read on a thread into a queue. Subclasses
    start the call in __init__ (self.call, self.method) and then call
    self.start()."""

    call = None
    method = "the stream"

    def start(self):
        self.items = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for response in self.call:
                self.items.put(response)
            self.items.put(("end", None))
        except grpc.RpcError as e:
            self.items.put(("error", e))

    def next(self, timeout=EVENT_TIMEOUT):
        """The next response; fails on timeout or stream end."""
        try:
            item = self.items.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event on {self.method} within {timeout} s") from None
        if isinstance(item, tuple):
            kind, error = item
            if kind == "end":
                raise AssertionError(f"{self.method} ended")
            raise AssertionError(f"{self.method} failed: {error.code().name}: {error.details()}")
        return item

    def error(self, timeout=EVENT_TIMEOUT):
        """Waits for the stream to fail; returns the RpcError."""
        item = self.items.get(timeout=timeout)
        assert isinstance(item, tuple) and item[0] == "error", f"expected an error, got {item!r}"
        return item[1]

    def close(self):
        self.call.cancel()
        self.thread.join(timeout=EVENT_TIMEOUT)
        assert not self.thread.is_alive(), f"{self.method} reader did not stop after cancel"


class WatchEvents(StreamReader):
    """WatchEvents of a service (`stub`, its generated stub) read on a thread."""

    def __init__(self, stub, after_sequence, types=(), **call_options):
        self.method = "WatchEvents"
        self.call = stub.WatchEvents(watch_pb2.WatchEventsRequest(
            after_sequence=after_sequence, types=list(types)), **call_options)
        self.start()


BEYOND = 1 << 62  # a WatchEvents cursor beyond any head


def service_stub(service, channel):
    """The generated <Service>ServiceStub of `service` ("meetings", ...) on
    `channel`."""
    module = importlib.import_module(f"enamnd.{service}.v1.{service}_pb2_grpc")
    return getattr(module, f"{service.capitalize()}ServiceStub")(channel)


LOG_HEAD_TIMEOUT = 30  # seconds


def log_head(stub):
    """The head of a service's event log: WatchEvents refuses a cursor
    beyond it (OUT_OF_RANGE), naming it. The call waits for the channel to
    be ready: a probe, often a principal's first call to that service,
    must not fail on one refused connection attempt (a CI run saw a TLS
    handshake to a serving finance fail once, "Handshake read failed");
    the channel reconnects, and a service that stays unreachable still
    fails the call at the deadline."""
    w = WatchEvents(stub, BEYOND, wait_for_ready=True, timeout=LOG_HEAD_TIMEOUT)
    try:
        error = w.error(timeout=LOG_HEAD_TIMEOUT + EVENT_TIMEOUT)
    finally:
        w.close()
    assert error.code() == grpc.StatusCode.OUT_OF_RANGE, (error.code(), error.details())
    prefix = f"after_sequence {BEYOND} is beyond the log's head "
    assert error.details().startswith(prefix), error.details()
    return int(error.details()[len(prefix):])


def consumer_caught_up(redis_client, stream, group):
    """Consumer group `group` has been delivered the last entry of `stream`
    and has acknowledged everything (a service's subscriber acknowledges
    after it commits what the event changed)."""
    last = redis_client.xrevrange(stream, "+", "-", count=1)
    for g in redis_client.xinfo_groups(stream):
        if g["name"].decode() == group:
            return bool(last) and g["last-delivered-id"] == last[0][0] and g["pending"] == 0
    return False


def day(date):
    """A common.v1.Date as YYYY-MM-DD ("" when unset)."""
    return "%04d-%02d-%02d" % (date.year, date.month, date.day) if date.year else ""


def scb_code(municipality):
    return municipality.rpartition("/")[2]


def decode_entry(entry_id, fields, source, package, events_module):
    """Checks one stream entry's envelope; returns (payload, message, attrs, where).

    The fields are exactly id, type, subject and event; the event is a
    CloudEvent 1.0 from `source` whose id, type and subject agree with the
    fields, with a time, and whose proto_data is the payload of its type; the
    entry ID is the event's sequence ("{sequence}-0").
    """
    keys = sorted(k.decode() for k in fields)
    assert keys == ["event", "id", "subject", "type"], f"{entry_id}: fields {keys}"
    event = cloudevent_pb2.CloudEvent.FromString(fields[b"event"])
    type_ = fields[b"type"].decode()
    where = f"entry {entry_id.decode()} ({type_})"
    assert event.spec_version == "1.0", f"{where}: spec_version {event.spec_version!r}"
    assert event.source == source, f"{where}: source {event.source!r}"
    assert event.id and event.id == fields[b"id"].decode(), f"{where}: id {event.id!r}"
    assert event.type == type_, f"{where}: type {event.type!r}"
    attrs = event.attributes
    assert attrs["subject"].ce_string == fields[b"subject"].decode(), f"{where}: subject"
    assert attrs["time"].HasField("ce_timestamp"), f"{where}: time"
    # The entry ID is the outbox sequence: one entry per event.
    assert entry_id.decode() == attrs["sequence"].ce_string + "-0", (
        f"{where}: sequence {attrs['sequence'].ce_string}")
    got_package, _, message = type_.rpartition(".")
    assert got_package == package, f"{where}: package {got_package}"
    cls = getattr(events_module, message, None)
    assert cls is not None, f"{where}: no generated class {message}"
    assert event.WhichOneof("data") == "proto_data", f"{where}: not proto_data"
    payload = cls()
    assert event.proto_data.Unpack(payload), f"{where}: {event.proto_data.type_url}"
    return payload, message, attrs, where


# ------------------------------------------------------------------ processes

class Processes:
    """Redis, the certificates and the service binaries of one scenario, in
    its temp dir."""

    def __init__(self, tmp):
        self.tmp = Path(tmp)
        self.redis_proc = None
        self.redis = None
        self.tls = self.tmp / "tls"     # the demo's certificates and policy file
        self.log_paths = {}             # service name -> its log, in launch order

    def start_redis(self, persistent=False, appendfsync="always"):
        """Starts redis-server on tmp/redis.sock with its files in tmp. With
        `persistent`, an append-only file (tmp/appendonlydir) fsynced on
        every write (as tools/up runs it, but safer), so that a restart
        (SIGTERM, then start_redis again) keeps the streams and the consumer
        groups; otherwise nothing is kept. `appendfsync` "everysec" is what
        the Kubernetes manifests run (deploy/k8s/base/redis.yaml): a crash
        of the machine may lose the last second."""
        sock = self.tmp / "redis.sock"
        aof = ["--appendonly", "yes", "--appendfsync", appendfsync] if persistent else [
            "--appendonly", "no"]
        with open(self.tmp / "redis.log", "ab") as log:
            self.redis_proc = subprocess.Popen(
                ["redis-server", "--port", "0", "--unixsocket", str(sock),
                 "--unixsocketperm", "700", "--save", ""] + aof + ["--dir", str(self.tmp)],
                stdout=log, stderr=subprocess.STDOUT)
        self.redis = redis.Redis(unix_socket_path=str(sock))

        def pong():
            if self.redis_proc.poll() is not None:
                raise AssertionError(f"redis-server exited:\n{tail(self.tmp / 'redis.log')}")
            try:
                return self.redis.ping()
            except redis.exceptions.ConnectionError:
                return False

        poll(pong, 20, "redis-server to answer PING")

    def logs(self):
        """[(title, path)] of the service logs, for main() to show on failure."""
        return [(f"enamnd-{name}", path) for name, path in self.log_paths.items()]

    def stop_redis(self):
        if self.redis_proc is not None:
            stop_process(self.redis_proc, "redis-server")
            self.redis_proc = None

    def kill_redis(self):
        """SIGKILL redis-server, as a crash; closes the client. Returns the
        exit status (-9)."""
        self.redis_proc.kill()
        code = self.redis_proc.wait(timeout=10)
        self.redis_proc = None
        self.redis.close()
        return code

    def stop_service(self, name):
        """SIGTERM to enamnd-<name>, for a scenario that keeps its processes
        and callers by service name (self.procs, self.callers); returns its
        exit status. Its channels are closed first: the server would let
        open connections drain."""
        callers = self.callers.pop(name, None)
        if callers is not None:
            callers.close()
        return stop_process(self.procs.pop(name, None), f"enamnd-{name}")

    def stop_cleanly(self, names):
        """Stops `names` in that order; each must exit 0 on SIGTERM."""
        for name in names:
            code = self.stop_service(name)
            assert code == 0, f"enamnd-{name} exited with {code}:\n{tail(self.log_paths[name])}"

    def make_certificates(self, services):
        """The demo's CA, principals, server certificates of `services` and
        policy file, as tools/up makes them, in tmp/tls."""
        notes = demo_tls.make(self.tls, [(name, []) for name in services])
        assert not notes, notes
        assert (self.tls / "policy.textproto").read_text() == demo_tls.policy_text()

    def launch(self, path, name, today=None, port=None, extra_env=None):
        """Starts a service binary on a free port (or `port`: a restart on
        the address its peers know) with its own data dir (tmp/<name>-data,
        kept across restarts), the test's Redis and today (TODAY, or `today`
        YYYY-MM-DD), mTLS with its certificate and the demo policy, and the
        variables of `extra_env` (e.g. ENAMND_MEETINGS_ADDR, the address of a
        service it calls); returns (process, address, log path). The log
        (tmp/<name>.log) is appended to."""
        assert path.exists(), f"{path} is not built"
        port = port or free_port()
        data = self.tmp / f"{name}-data"
        data.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if k not in ("ENAMND_INSECURE", "ENAMND_INSECURE_ANY_ADDRESS")}
        env.update(ENAMND_LISTEN=f"127.0.0.1:{port}",
                   ENAMND_DATA_DIR=str(data),
                   ENAMND_REDIS=f"unix://{self.tmp / 'redis.sock'}",
                   ENAMND_LOG_LEVEL="info",
                   ENAMND_TODAY=today or TODAY,
                   ENAMND_TLS_CERT=str(self.tls / f"{name}.pem"),
                   ENAMND_TLS_KEY=str(self.tls / f"{name}.key"),
                   ENAMND_TLS_CLIENT_CA=str(self.tls / "ca.pem"),
                   ENAMND_POLICY=str(self.tls / "policy.textproto"))
        env.update(extra_env or {})
        log_path = self.tmp / f"{name}.log"
        self.log_paths[name] = log_path
        with open(log_path, "ab") as log:
            proc = subprocess.Popen([str(path)], env=env, stdout=log, stderr=subprocess.STDOUT)
        return proc, f"127.0.0.1:{port}", log_path

    @staticmethod
    def await_serving(proc, name, log_path, wait):
        """Calls wait(timeout=0.5) (a loader's wait_until_serving) until it
        returns, for up to 30 s; fails at once when the process exits."""
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"enamnd-{name} exited with {proc.returncode}:\n"
                                     f"{tail(log_path)}")
            try:
                wait(timeout=0.5)
                return
            except demo_common.LoadError:
                if time.monotonic() >= deadline:
                    raise AssertionError(f"enamnd-{name} not SERVING within 30 s:\n"
                                         + tail(log_path)) from None

    @staticmethod
    def expect_code(expected, fn):
        """Calls fn(), which must fail with status `expected`; returns the details."""
        try:
            fn()
        except grpc.RpcError as e:
            assert e.code() == expected, (
                f"expected {expected.name}, got {e.code().name}: {e.details()}")
            return e.details()
        raise AssertionError(f"the call succeeded; expected {expected.name}")
