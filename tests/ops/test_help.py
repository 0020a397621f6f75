#!/usr/bin/python3
"""`enamnd-<service> --help` and the configuration reference, against the code.

For each of the five built services:

  a) `--help` (and `-h`) exits 0 without starting anything and prints the
     usage message: the service's name, every flag with its environment
     variable (`--listen, ENAMND_LISTEN`, ...), the service's own default
     port, and no "No flags matched" nor "SetProgramUsageMessage() never
     called" (what Abseil printed before);
  b) Abseil's own `--helpshort` lists the platform's flags with their help
     (e.g. `--listen (host:port to serve gRPC on (env ENAMND_LISTEN))`),
     which Abseil hides by default because they are not defined in a file
     named after the binary.

And, without running anything, that every ENAMND_* environment variable the
code reads (a string literal in services/**/*.cc, plus the peer addresses
ENAMND_<SERVICE>_ADDR that server.cc builds from the service names):

  c) is listed by `--help`, and every name `--help` lists is read by the code;
  d) is documented in docs/operations.md.

Environment: ENAMND_BUILD_DIR, ENAMND_SOURCE_DIR. The last line printed is
"N passed, M failed".
"""

import os
import re
import subprocess
import sys
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("ENAMND_SOURCE_DIR") or Path(__file__).resolve().parents[2])
BUILD_DIR = Path(os.environ.get("ENAMND_BUILD_DIR") or SOURCE_DIR / "build")
SERVICES = {"meetings": 50051, "audits": 50052, "projects": 50053, "contracts": 50054,
            "finance": 50055}
FLAGS = {"listen": "ENAMND_LISTEN", "data_dir": "ENAMND_DATA_DIR", "redis": "ENAMND_REDIS",
         "log_level": "ENAMND_LOG_LEVEL", "today": "ENAMND_TODAY"}
# The usage message itself lists the names; it does not count as reading them.
USAGE_SOURCE = "services/platform/flags_usage.cc"
NAME = re.compile(r"ENAMND_[A-Z0-9_]*[A-Z0-9]")


def run(service, *args):
    binary = BUILD_DIR / "services" / service / f"enamnd-{service}"
    assert binary.exists(), f"{binary} is not built"
    # No data dir, TLS or Redis: help must not need any, nor create ./var.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=30,
                          env=env, cwd=BUILD_DIR)


def names_read_by_code():
    names = {f"ENAMND_{s.upper()}_ADDR" for s in SERVICES}  # built in LoadConfig
    for path in (SOURCE_DIR / "services").rglob("*.cc"):
        if path.relative_to(SOURCE_DIR).as_posix() == USAGE_SOURCE:
            continue
        for literal in re.findall(r'"(?:[^"\\\n]|\\.)*"', path.read_text()):
            names.update(NAME.findall(literal))
    return names


def check_help(service):
    for flag in ("--help", "-h"):
        result = run(service, flag)
        assert result.returncode == 0, (flag, result.returncode, result.stderr[-500:])
        out = result.stdout
        assert out.startswith(f"enamnd-{service}: the {service} service"), out[:200]
        for name, env in FLAGS.items():
            assert f"--{name}, {env}" in out, f"{flag}: --{name}, {env} not listed"
        assert f"127.0.0.1:{SERVICES[service]}" in out, f"{flag}: default port not shown"
        assert "No flags matched" not in out + result.stderr
        assert "SetProgramUsageMessage" not in out + result.stderr
    return out


def check_helpshort(service):
    result = run(service, "--helpshort")
    out = " ".join(result.stdout.split())  # Abseil wraps long help lines
    assert "No flags matched" not in out, out[-300:]
    for name, env in FLAGS.items():
        assert re.search(rf"--{name} \([^()]*\(env {env}\)\)", out), f"--{name} not in --helpshort"


def main():
    passed = failed = 0

    def check(name, fn, *args):
        nonlocal passed, failed
        try:
            value = fn(*args)
        except Exception as e:  # noqa: BLE001 - report every kind of failure
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            return None
        passed += 1
        print(f"ok   {name}", flush=True)
        return value

    helps = {}
    for service in SERVICES:
        helps[service] = check(f"a) enamnd-{service} --help", check_help, service)
        check(f"b) enamnd-{service} --helpshort", check_helpshort, service)
    code = names_read_by_code()
    listed = set(NAME.findall(helps.get("meetings") or ""))

    def help_matches_code():
        assert code - listed == set(), f"read by the code, not in --help: {code - listed}"
        assert listed - code == set(), f"in --help, not read by the code: {listed - code}"

    def documented():
        text = (SOURCE_DIR / "docs" / "operations.md").read_text()
        missing = {n for n in code if n not in text}
        assert not missing, f"not in docs/operations.md: {sorted(missing)}"

    check(f"c) --help lists the {len(code)} ENAMND_* names the code reads", help_matches_code)
    check("d) docs/operations.md documents each of them", documented)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
