"""What the demo loaders (load_demo.py, load_audits_demo.py) share.

The loaders import this module by name (`import demo_common`), so the
directory of this file must be on sys.path: it is when a loader runs as a
script (Python puts the script's directory first), and each loader also adds
it itself before the import, so importing a loader as a module works too.

The demo records are data files in data/ next to this file (read_data);
the loaders hold only the code that turns them into API calls. The helpers
below that touch gRPC or the generated messages (_date, _in_future,
_list_all, _create, wait_until_serving) need import_stubs() to have run
first; the loaders call it (through their own import_stubs) before they use
any of them.

Every loader has the same command line (run_main): --address (tools/up
passes it), --stubs, --wait, --tls DIR and --facts FILE, which writes
"label<TAB>text" lines that tools/up prints under the endpoints.

The services serve mTLS: a loader connects with the demo certificates that
./tools/up makes under var/tls (tools/demo/demo_tls.py): as the secretary,
and as the principal a call needs where the secretary may not make it (the
chair adjusts the protocol; Kiruna's system posts Kiruna's notice and
records its discharge). load(channel, callers=...) takes those channels by
principal name (Callers); without callers every call goes through channel.
"""

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(__file__).resolve().parent / "data"

# Reconnect quickly while the service is starting: with gRPC's defaults a
# channel that failed once waits for re-resolution (up to 30 s apart) and a
# backoff starting at 1 s, which adds seconds to every start-up.
CHANNEL_OPTIONS = [
    ("grpc.dns_min_time_between_resolutions_ms", 100),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]

# The deadline (seconds) of each RPC the loaders make.
RPC_TIMEOUT = 30

COMMON_PB2 = "enamnd.common.v1.common_pb2"


class LoadError(Exception):
    """A failure with a message meant for the operator."""


# The demo principal whose role (coordinator) every write of the projects and
# contracts services needs, and what to do when a var/tls made earlier lacks
# its grant.
COORDINATOR = "coordinator"
COORDINATOR_HINT = ("the loader calls as the demo principal 'coordinator' (role coordinator); "
                    "a var/tls/policy.textproto written before it was a demo principal lacks its "
                    "grant: remove that file and run ./tools/up again")


# ------------------------------------------------------------------ data files

def read_data(name):
    """The parsed JSON data file data/<name>."""
    path = DATA_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise LoadError(f"cannot read the demo data file {path}: {e}") from e


def ymd(day):
    """"2022-06-29" -> (2022, 6, 29)."""
    year, month, day_of_month = (int(x) for x in day.split("-"))
    return year, month, day_of_month


def hours_minutes(clock):
    """"13:00" -> (13, 0)."""
    hours, minutes = (int(x) for x in clock.split(":"))
    return hours, minutes


def municipality_names():
    """{SCB code: official name} of the members (data/municipalities.json)."""
    return {m["code"]: m["name"] for m in read_data("municipalities.json")["municipalities"]}


# ------------------------------------------------------------------ stubs

# Set by import_stubs().
grpc = None
common_pb2 = None


def default_stubs_dir():
    return os.environ.get("ENAMND_PY_STUBS") or str(REPO_ROOT / "build" / "python")


def default_tls_dir():
    return os.environ.get("ENAMND_TLS_DIR") or str(REPO_ROOT / "var" / "tls")


# ------------------------------------------------------------------ mTLS

def credentials(tls_dir, name):
    """grpc channel credentials of demo principal `name`: the CA of tls_dir
    (ca.pem) as the root, and <name>.pem / <name>.key as the client
    certificate. Raises LoadError when a file is missing."""
    import grpc as grpc_module

    directory = Path(tls_dir)
    try:
        root, key, chain = (
            (directory / f).read_bytes() for f in ("ca.pem", f"{name}.key", f"{name}.pem"))
    except OSError as e:
        raise LoadError(f"no certificate of {name!r} in {directory} ({e.strerror}: "
                        f"{e.filename}); ./tools/up makes them, or pass --tls DIR") from e
    return grpc_module.ssl_channel_credentials(
        root_certificates=root, private_key=key, certificate_chain=chain)


def secure_channel(address, tls_dir, name="secretary"):
    """An mTLS channel to address (host:port; the host must be one of the
    server certificate's SANs: localhost, 127.0.0.1, ::1) as demo principal
    `name`."""
    import grpc as grpc_module

    return grpc_module.secure_channel(address, credentials(tls_dir, name),
                                      options=CHANNEL_OPTIONS)


class Callers:
    """Channels to one address, one per demo principal, opened on first use
    (callers["chair"]); `name in callers` when the principal has a
    certificate in tls_dir. close() closes them all."""

    def __init__(self, address, tls_dir):
        self.address = address
        self.tls_dir = Path(tls_dir)
        self._channels = {}

    def __contains__(self, name):
        return (self.tls_dir / f"{name}.pem").exists()

    def __getitem__(self, name):
        if name not in self._channels:
            self._channels[name] = secure_channel(self.address, self.tls_dir, name)
        return self._channels[name]

    def close(self):
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()


def channel_as(callers, name, default):
    """callers[name] when callers has that principal, else default."""
    return callers[name] if callers is not None and name in callers else default


def _import_from(dotted):
    """`from package import name` for dotted = "package.name": the module, or
    the same ImportError as that statement."""
    package, _, name = dotted.rpartition(".")
    module = __import__(package, fromlist=[name])
    try:
        return getattr(module, name)
    except AttributeError:
        location = getattr(module, "__file__", None) or "unknown location"
        raise ImportError(f"cannot import name {name!r} from {package!r} ({location})",
                          name=package, path=getattr(module, "__file__", None)) from None


def import_stubs(stubs_dir=None, modules=()):
    """Imports grpc and the generated `modules` (dotted names, e.g.
    "enamnd.meetings.v1.meetings_pb2"), in that order, and common.v1 (which
    _date needs) after them unless it is among them. Returns (grpc, [the
    modules in the order asked]).

    stubs_dir goes first on sys.path; without it the stubs are looked for on
    sys.path as it is, then in default_stubs_dir(). Raises LoadError when grpc
    or a generated module cannot be imported.
    """
    global grpc, common_pb2
    try:
        import grpc as grpc_module
    except ImportError as e:
        raise LoadError(f"cannot import grpc ({e}); run with Debian's /usr/bin/python3 "
                        "and python3-grpcio installed") from e
    grpc = grpc_module
    names = list(modules) + ([] if COMMON_PB2 in modules else [COMMON_PB2])
    candidates = [stubs_dir] if stubs_dir else [None, default_stubs_dir()]
    last_error = None
    for directory in candidates:
        if directory is not None and directory not in sys.path:
            sys.path.insert(0, directory)
        try:
            imported = [_import_from(name) for name in names]
        except ImportError as e:
            last_error = e
            continue
        common_pb2 = imported[names.index(COMMON_PB2)]
        return grpc, imported[:len(modules)]
    raise LoadError(f"cannot import the generated stubs ({last_error}); build the project "
                    f"or pass --stubs (tried {', '.join(str(c) for c in candidates if c)})")


# ------------------------------------------------------------------ helpers

def _date(day):
    """A common.v1.Date from "YYYY-MM-DD" or a (year, month, day) tuple."""
    if isinstance(day, str):
        day = ymd(day)
    return common_pb2.Date(year=day[0], month=day[1], day=day[2])


def _describe(error):
    return f"{error.code().name}: {error.details()}"


def _day(date):
    """A common.v1.Date as YYYY-MM-DD; "" when unset."""
    if not date.year:
        return ""
    return "%04d-%02d-%02d" % (date.year, date.month, date.day)


def _ymd(day):
    """(year, month, day) or "YYYY-MM-DD" as YYYY-MM-DD."""
    return day if isinstance(day, str) else "%04d-%02d-%02d" % day


def _in_future(error):
    """The service refused a day after its legal calendar's today."""
    return (error.code() == grpc.StatusCode.INVALID_ARGUMENT
            and "in the future" in (error.details() or ""))


def _list_all(method, request, field):
    """Every item of a paginated List call."""
    items = []
    while True:
        response = method(request, timeout=RPC_TIMEOUT)
        items.extend(getattr(response, field))
        if not response.next_page_token:
            return items
        request.page_token = response.next_page_token


def _create(what, create, lookup):
    """Returns (resource, created): looks the resource up first and creates it
    only when it is missing; ALREADY_EXISTS from the create (someone else made
    it meanwhile) is fine too."""
    try:
        return lookup(), False
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.NOT_FOUND:
            raise LoadError(f"reading {what} failed: {_describe(e)}") from e
    try:
        return create(), True
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise LoadError(f"creating {what} failed: {_describe(e)}") from e
    try:
        return lookup(), False
    except grpc.RpcError as e:
        raise LoadError(f"{what} exists but cannot be read: {_describe(e)}") from e


@contextlib.contextmanager
def failures_of(service, denied_hint=""):
    """Inside the block, a gRPC failure becomes a LoadError "<service>
    failed: CODE: details"; `denied_hint` is added to a PERMISSION_DENIED,
    also to a LoadError that names one."""
    try:
        yield
    except grpc.RpcError as e:
        hint = (f"; {denied_hint}" if denied_hint
                and e.code() == grpc.StatusCode.PERMISSION_DENIED else "")
        raise LoadError(f"{service} failed: {_describe(e)}{hint}") from e
    except LoadError as e:
        if denied_hint and "PERMISSION_DENIED" in str(e):
            raise LoadError(f"{e}; {denied_hint}") from e
        raise


def record_dated(what, call, day, notes):
    """Records something that happened on `day` (a posting, a discharge, a
    report, a follow-up): returns call()'s result, or None when it was
    recorded already (ALREADY_EXISTS) or when `day` is after the service's
    today (then a note says that `what` was left out). Any other error is a
    LoadError naming `what`."""
    try:
        return call()
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.ALREADY_EXISTS:
            return None  # recorded meanwhile
        if _in_future(e):
            notes.append(f"{what} left out: {day} is after the service's today")
            return None
        raise LoadError(f"{what} failed: {_describe(e)}") from e


# What a service answers about a member it has not learnt yet.
NOT_A_MEMBER = "is not a member municipality"


def create_once_members_known(what, call, deadline, service):
    """Returns call(): a create that names members, retried while `service`
    (e.g. "the contracts service") answers that one "is not a member
    municipality" (it learns them from the meetings stream, asynchronously)
    until `deadline` (time.monotonic()); then a LoadError saying so."""
    while True:
        try:
            return call()
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.INVALID_ARGUMENT or NOT_A_MEMBER not in (
                    e.details() or ""):
                raise
            if time.monotonic() >= deadline:
                raise LoadError(
                    f"creating {what}: {service} does not know every member ({e.details()}): it "
                    "learns them from the meetings service's MunicipalityRegistered events on "
                    "enamnd:events:meetings (is the meetings demo loaded, on the same Redis?)"
                ) from e
        time.sleep(0.2)


def wait_until_serving(channel, fallback_rpc, timeout=30.0, service="the service"):
    """Polls grpc.health.v1 until SERVING (or, without health, a cheap RPC).

    fallback_rpc(t) is that cheap RPC with deadline t seconds; it is used
    once the service answers Health/Check with UNIMPLEMENTED, and counts as
    SERVING when it returns (raises grpc.RpcError otherwise). `service` names
    the service in the LoadError raised when `timeout` seconds pass first.
    """
    deadline = time.monotonic() + timeout
    try:
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        health_stub = health_pb2_grpc.HealthStub(channel)

        def health_check(t):
            reply = health_stub.Check(health_pb2.HealthCheckRequest(), timeout=t)
            return reply.status == health_pb2.HealthCheckResponse.SERVING
    except ImportError:
        # Debian's python3-grpcio has no grpc_health: call Health/Check with
        # the raw encoding. The request (service "") is the empty message; the
        # response is field 1 (status) as a varint, SERVING = 1.
        raw_check = channel.unary_unary("/grpc.health.v1.Health/Check")

        def health_check(t):
            return raw_check(b"", timeout=t) == b"\x08\x01"

    def cheap_rpc(t):
        fallback_rpc(t)
        return True

    probe = health_check
    last = "no answer"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LoadError(f"{service} did not become SERVING within "
                            f"{timeout:.0f} s ({last})")
        try:
            if probe(min(2.0, max(remaining, 0.05))):
                return
            last = "health reports NOT_SERVING"
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.UNIMPLEMENTED and probe is health_check:
                probe = cheap_rpc
                continue
            last = _describe(e)
        time.sleep(0.1)


# ------------------------------------------------------------------ output

def print_counts(title, result, out):
    """The first lines of every loader's summary."""
    print(title, file=out)
    print("  created now: " + ", ".join(f"{k} {v}" for k, v in result["created"].items()),
          file=out)
    print("  in service:  " + ", ".join(f"{k} {v}" for k, v in result["counts"].items()),
          file=out)


def print_notes(result, out):
    for note in result.get("notes", []):
        print(f"  note: {note}", file=out)


def write_facts(rows, path):
    """Writes (label, text) rows as "label<TAB>text" lines for tools/up."""
    Path(path).write_text("".join(f"{label}\t{text}\n" for label, text in rows),
                          encoding="utf-8")


def try_line(stubs_dir, code):
    """A shell command that runs `code` (one line of Python using the stubs)."""
    python = "/usr/bin/python3"
    return f"PYTHONPATH={stubs_dir} {python} -c '{code}'"


def try_channel(address, tls_dir, name):
    """Python (one line, for try_line) that binds `channel` to an mTLS
    channel to address as demo principal `name`."""
    return (f'import grpc; c = lambda f: open("{tls_dir}/" + f, "rb").read(); '
            f'channel = grpc.secure_channel("{address}", grpc.ssl_channel_credentials('
            f'c("ca.pem"), c("{name}.key"), c("{name}.pem"))); ')


# ------------------------------------------------------------------ command line

def run_main(argv, *, doc, prog, service, address_flag, address_env, default_address,
             import_stubs_fn, load_fn, print_fn, facts_fn, extra_args=()):
    """The command line every loader shares; returns the exit status.

    address_flag is the loader's own name for --address (e.g. --meetings);
    extra_args are (flag, kwargs for add_argument, load keyword) triples;
    facts_fn(result, address, stubs_dir, tls_dir) gives the --facts rows.
    """
    parser = argparse.ArgumentParser(prog=prog, description=doc.split("\n\n")[0])
    default = os.environ.get(address_env, default_address)
    parser.add_argument("--address", address_flag, dest="address", default=default,
                        help=f"host:port of {service} (default ${address_env} or "
                             f"{default_address})")
    parser.add_argument("--stubs", default=None,
                        help="directory of the generated Python stubs "
                             "(default $ENAMND_PY_STUBS or <repo>/build/python)")
    parser.add_argument("--wait", type=float, default=30.0,
                        help="seconds to wait for the service to be SERVING (default 30)")
    parser.add_argument("--tls", default=None, metavar="DIR",
                        help="the demo certificates: DIR/ca.pem and DIR/<principal>.pem/.key "
                             "(default $ENAMND_TLS_DIR or <repo>/var/tls, where ./tools/up "
                             "makes them)")
    parser.add_argument("--facts", default=None, metavar="FILE",
                        help="also write what tools/up prints about the loaded data "
                             "(label<TAB>text lines) to FILE")
    for flag, kwargs, _ in extra_args:
        parser.add_argument(flag, **kwargs)
    args = parser.parse_args(argv)
    stubs_dir = args.stubs or default_stubs_dir()
    kwargs = {keyword: getattr(args, flag.lstrip("-").replace("-", "_"))
              for flag, _, keyword in extra_args}
    tls_dir = str(Path(args.tls or default_tls_dir()).resolve())
    callers = Callers(args.address, tls_dir)
    try:
        import_stubs_fn(stubs_dir)
        # The secretary makes every call another principal need not make.
        result = load_fn(callers["secretary"], wait_timeout=args.wait, callers=callers,
                         **kwargs)
    except LoadError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    finally:
        callers.close()
    print_fn(result)
    if args.facts:
        write_facts(facts_fn(result, args.address, stubs_dir, tls_dir), args.facts)
    return 0
