#!/usr/bin/python3
"""The demo's certificates and policy file (issue 8).

Usage:
    /usr/bin/python3 tools/demo/demo_tls.py --dir var/tls \\
        [--service meetings[=HOST,...]] [--service audits[=HOST,...]] ...

Makes, with tools/tls (openssl), in DIR:

  * ca.pem, ca.key: the local CA (kept when it exists);
  * <name>.pem, <name>.key: one client certificate per principal of
    data/principals.json, with its URI SAN (spiffe://enamnd/person/secretary,
    spiffe://enamnd/municipality/2584/system, ...);
  * <service>.pem, <service>.key: per --service, its server certificate,
    URI SAN spiffe://enamnd/service/<service> and the SANs localhost,
    127.0.0.1 and ::1 plus the HOSTs given (a name or an address clients
    use), which it also presents to the services it calls (PeerChannel);
  * policy.textproto: the demo's policy file (enamnd.auth.v1.PolicyFile in
    text format), the grants of data/principals.json: its principals' and
    its services' (the finance service's own identity reads the meetings,
    contracts and projects services for the plan follow-up). Written when
    missing; an existing one is kept (an operator may have edited it, e.g.
    removed a principal to revoke it) and a note says when it differs from
    the demo's, naming the demo's grants it lacks (e.g. one written before
    the finance service's grant existed).

Certificates are kept while they are valid for another 30 days, verify
against ca.pem and carry the SANs asked for; otherwise tools/tls issues them
anew. Prints one line per note; exit status 1 on failure.

Tests import this module and call make(dir, services).
"""

import argparse
import subprocess
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import demo_common  # noqa: E402
from demo_common import REPO_ROOT, LoadError  # noqa: E402

TLS_TOOL = REPO_ROOT / "tools" / "tls"
# What every server certificate names, so that clients on this machine can
# dial 127.0.0.1:port, [::1]:port or localhost:port.
LOCAL_SANS = ("localhost", "127.0.0.1", "::1")
POLICY_FILE = "policy.textproto"


def principals():
    """The demo principals: [{name, uri, what, grants: [{role, municipalities?}]}]."""
    return demo_common.read_data("principals.json")["principals"]


def service_grants():
    """The grants to the services' own identities: [{service, uri, what,
    grants: [{role}]}]."""
    return demo_common.read_data("principals.json").get("services", [])


def service_uri(service):
    return f"spiffe://enamnd/service/{service}"


def policy_text():
    """The demo policy file: every grant of data/principals.json."""
    lines = ["# The demo's policy file (enamnd.auth.v1.PolicyFile, text format), written by",
             "# tools/demo/demo_tls.py from tools/demo/data/principals.json. Services read",
             "# it at start (ENAMND_POLICY) and again on SIGHUP. docs/security.md has the",
             "# roles and how to revoke a principal."]
    for p in principals():
        lines.append(f"# {p['name']}: {p['what']}")
        lines.extend(_grant_lines(p))
    for s in service_grants():
        lines.append(f"# the {s['service']} service (its own certificate): {s['what']}")
        lines.extend(_grant_lines(s))
    return "\n".join(lines) + "\n"


def _grant_lines(holder):
    lines = []
    for grant in holder["grants"]:
        scope = "".join(f' municipalities: "{m}"' for m in grant.get("municipalities", []))
        lines.append(f'grants {{ principal: "{holder["uri"]}" role: "{grant["role"]}"{scope} }}')
    return lines


def missing_grants(text):
    """The demo's grant lines that policy text `text` lacks (compared line by
    line, blanks squeezed)."""
    have = {" ".join(line.split()) for line in text.splitlines()}
    return [line for line in policy_text().splitlines()
            if line.startswith("grants ") and " ".join(line.split()) not in have]


def _tls(*args):
    result = subprocess.run([str(TLS_TOOL), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise LoadError(f"tools/tls {' '.join(args)} failed: {result.stderr.strip()}")
    sys.stderr.write(result.stderr)  # "[tls] issued ..." when it made one


def make(tls_dir, services=()):
    """Makes the CA, the principals' and the services' certificates and the
    policy file in tls_dir. services: (name, [extra hosts]) pairs. Returns
    the notes (list of str)."""
    directory = Path(tls_dir)
    clash = {p["name"] for p in principals()} & {name for name, _ in services}
    if clash:
        raise LoadError(f"principal(s) {sorted(clash)} of data/principals.json share a name with "
                        "a service: their certificates would overwrite each other")
    _tls("init", str(directory))
    for p in principals():
        _tls("issue", str(directory), p["name"], p["uri"])
    for name, hosts in services:
        sans = list(dict.fromkeys([*LOCAL_SANS, *hosts]))
        _tls("issue", str(directory), name, service_uri(name), *sans)
    notes = []
    policy = directory / POLICY_FILE
    text = policy_text()
    if not policy.exists():
        policy.write_text(text, encoding="utf-8")
    elif policy.read_text(encoding="utf-8") != text:
        missing = missing_grants(policy.read_text(encoding="utf-8"))
        notes.append(f"{policy} differs from the demo's policy and is kept; remove it to get "
                     "the demo's again"
                     + (f"; it lacks the demo's {'; '.join(missing)} (add the line(s) and send "
                        "tools/up SIGHUP, or remove the file and run tools/up again)"
                        if missing else ""))
    return notes


def _service_arg(value):
    name, _, hosts = value.partition("=")
    if not name.isidentifier():
        raise argparse.ArgumentTypeError(f"{value!r}: want NAME or NAME=HOST,...")
    return name, [h for h in hosts.split(",") if h]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="demo_tls", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", required=True, help="where the certificates go (var/tls)")
    parser.add_argument("--service", type=_service_arg, action="append", default=[],
                        metavar="NAME[=HOST,...]",
                        help="a service's server certificate, with extra host SANs")
    args = parser.parse_args(argv)
    try:
        notes = make(args.dir, args.service)
    except LoadError as e:
        print(f"demo_tls: error: {e}", file=sys.stderr)
        return 1
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
