#!/usr/bin/python3
"""The image test: every enamnd service started from its image as
Kubernetes starts it (docs/deployment.md, "1. Images").

    ENAMND_IMAGE_TAG=<tag> /usr/bin/python3 tests/deploy/test_image.py

(./tools/image test builds the images and runs it.) The images are
localhost/enamnd-<service>:<tag> in podman's vfs storage. Each container:

  * `podman run` with the OCI runtime ENAMND_IMAGE_RUNTIME (default runc),
    cgroupfs, the host network, and ENAMND_IMAGE_RUN_FLAGS (default the
    ulimit flags this sandbox needs, see tools/image);
  * a read-only root filesystem, every capability dropped,
    no-new-privileges, user 10001:10001;
  * /data: a directory owned by root, group 10001, mode 2770, as a volume
    with `fsGroup: 10001` is;
  * /etc/enamnd/tls (tls.crt, tls.key, ca.crt), /etc/enamnd/policy and
    /etc/enamnd/redis/password read-only, group 10001 readable, as Secrets
    and ConfigMaps are mounted (the demo's CA and policy, tools/demo/demo_tls.py);
  * its own Redis user of tools/redis-acl on a redis-server started here on
    a free port of 127.0.0.1 with that ACL file;
  * free ports on 127.0.0.1 for gRPC, /metrics and plaintext health.

Checks: the image's configuration (user, entrypoint, ports, volume) and
contents (a stripped binary; no compiler or headers), health SERVING over
mTLS and over plaintext on ENAMND_HEALTH_LISTEN,
/metrics, the demo loaders of every service (tools/up's, in its order: real
writes through each public API, rendering PDF included), each service's
events on its Redis stream (every event of its log, its consumers caught
up), the SQLite files in /data, and SIGTERM: exit code 0 and "server:
stopped". Prints each image's size and binary size, how long containers take
to start and stop, and ends with "N passed, M failed".
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
import e2e_harness as h  # noqa: E402

import grpc  # noqa: E402
import redis  # noqa: E402

import demo_common  # noqa: E402

TAG = os.environ.get("ENAMND_IMAGE_TAG", "")
RUNTIME = os.environ.get("ENAMND_IMAGE_RUNTIME", "runc")
RUN_FLAGS = shlex.split(os.environ.get(
    "ENAMND_IMAGE_RUN_FLAGS", "--ulimit nofile=4096:4096 --ulimit nproc=4096:4096"))
PODMAN = ["podman", "--storage-driver", "vfs", "--runtime", RUNTIME,
          "--cgroup-manager", "cgroupfs"]
GID = 10001
# tools/up's table: the services, in start order, with their demo loaders.
SERVICES = {
    "meetings": ["load_demo.py"],
    "audits": ["load_audits_demo.py"],
    "projects": ["load_projects_demo.py"],
    "contracts": ["load_contracts_demo.py"],
    "finance": ["load_finance_demo.py", "load_plan_demo.py"],
}
START_TIMEOUT = 120  # seconds from `podman run` to SERVING (vfs copies the image)
STOP_TIMEOUT = 40    # seconds for SIGTERM to end a container (the drain is <= 14 s)


def image(service):
    return f"localhost/enamnd-{service}:{TAG}"


def podman(*args, timeout=300, check=True):
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:2])} failed ({result.returncode}): "
                             f"{result.stderr.strip()[-2000:]}")
    return result.stdout


class Scenario:
    """Redis, the secrets and the containers of one run, in a temp dir."""

    def __init__(self, tmp):
        self.tmp = Path(tmp)
        self.tls = self.tmp / "tls"   # the demo CA, principals and policy
        self.acl = self.tmp / "acl"   # tools/redis-acl's users.acl and passwords
        self.redis_proc = None
        self.redis = None
        self.redis_port = None
        self.addrs = {}               # service -> 127.0.0.1:port (gRPC)
        self.ports = {}               # service -> (grpc, metrics, health)
        self.containers = {}          # service -> container name
        self.started = {}             # service -> seconds from `podman run` to SERVING
        self.stopped = {}             # service -> seconds from SIGTERM to exit

    # ------------------------------------------------------------ setup

    def start_redis(self):
        subprocess.run([str(h.SOURCE_DIR / "tools" / "redis-acl"), "--dir", str(self.acl)],
                       check=True, capture_output=True)
        self.redis_port = h.free_port()
        with open(self.tmp / "redis.log", "wb") as log:
            self.redis_proc = subprocess.Popen(
                ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.tmp),
                 "--aclfile", str(self.acl / "users.acl")],
                stdout=log, stderr=subprocess.STDOUT)
        self.redis = redis.Redis(host="127.0.0.1", port=self.redis_port, username="admin",
                                 password=(self.acl / "admin.password").read_text().strip())

        def pong():
            if self.redis_proc.poll() is not None:
                raise AssertionError(f"redis-server exited:\n{h.tail(self.tmp / 'redis.log')}")
            try:
                return self.redis.ping()
            except redis.exceptions.ConnectionError:
                return False

        h.poll(pong, 20, "redis-server to answer PING as admin")
        # The default user is off: no service gets in without its password.
        anonymous = redis.Redis(host="127.0.0.1", port=self.redis_port)
        try:
            anonymous.ping()
            raise AssertionError("Redis answered PING without a password")
        except redis.exceptions.AuthenticationError:
            pass
        except redis.exceptions.ResponseError as e:
            assert "NOAUTH" in str(e), e
        finally:
            anonymous.close()

    def make_certificates(self):
        notes = h.demo_tls.make(self.tls, [(name, []) for name in SERVICES])
        assert not notes, notes
        for name in SERVICES:
            grpc_port, metrics_port, health_port = h.free_port(), h.free_port(), h.free_port()
            self.ports[name] = (grpc_port, metrics_port, health_port)
            self.addrs[name] = f"127.0.0.1:{grpc_port}"

    def secret_dir(self, name, files):
        """A directory as a Secret volume with fsGroup 10001 is: root:10001,
        files 0640 (dir 0750). files: {file name: source path}."""
        directory = self.tmp / name
        directory.mkdir()
        for file_name, source in files.items():
            target = directory / file_name
            shutil.copyfile(source, target)
            os.chown(target, 0, GID)
            os.chmod(target, 0o640)
        os.chown(directory, 0, GID)
        os.chmod(directory, 0o750)
        return directory

    def data_dir(self, name):
        """The service's volume as fsGroup makes it: root:10001, 2770."""
        directory = self.tmp / f"{name}-data"
        directory.mkdir()
        os.chown(directory, 0, GID)
        os.chmod(directory, 0o2770)
        return directory

    # ------------------------------------------------------------ containers

    def run_args(self, name):
        grpc_port, metrics_port, health_port = self.ports[name]
        tls = self.secret_dir(f"{name}-tls", {"tls.crt": self.tls / f"{name}.pem",
                                               "tls.key": self.tls / f"{name}.key",
                                               "ca.crt": self.tls / "ca.pem"})
        policy = self.secret_dir(f"{name}-policy",
                                 {"policy.textproto": self.tls / "policy.textproto"})
        password = self.secret_dir(f"{name}-redis", {"password": self.acl / f"{name}.password"})
        env = {
            "ENAMND_LISTEN": f"127.0.0.1:{grpc_port}",
            "ENAMND_METRICS_LISTEN": f"127.0.0.1:{metrics_port}",
            "ENAMND_HEALTH_LISTEN": f"127.0.0.1:{health_port}",
            "ENAMND_TLS_CERT": "/etc/enamnd/tls/tls.crt",
            "ENAMND_TLS_KEY": "/etc/enamnd/tls/tls.key",
            "ENAMND_TLS_CLIENT_CA": "/etc/enamnd/tls/ca.crt",
            "ENAMND_POLICY": "/etc/enamnd/policy/policy.textproto",
            "ENAMND_REDIS": f"tcp://127.0.0.1:{self.redis_port}",
            "ENAMND_REDIS_USER": name,
            "ENAMND_REDIS_PASSWORD_FILE": "/etc/enamnd/redis/password",
            "ENAMND_TODAY": h.TODAY,
        }
        env.update({f"ENAMND_{peer.upper()}_ADDR": addr for peer, addr in self.addrs.items()})
        args = ["run", "--detach", "--name", self.containers[name], "--network", "host",
                "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--user", f"{GID}:{GID}", *RUN_FLAGS,
                "--volume", f"{self.data_dir(name)}:/data",
                "--volume", f"{tls}:/etc/enamnd/tls:ro",
                "--volume", f"{policy}:/etc/enamnd/policy:ro",
                "--volume", f"{password}:/etc/enamnd/redis:ro"]
        for key, value in env.items():
            args += ["--env", f"{key}={value}"]
        return [*args, image(name)]

    def start(self, name):
        self.containers[name] = f"enamnd-image-test-{name}-{os.getpid()}"
        t0 = time.monotonic()
        podman(*self.run_args(name))
        channel = demo_common.secure_channel(self.addrs[name], self.tls, "secretary")
        try:
            h.poll(lambda: self.serving(name, channel), START_TIMEOUT,
                   f"enamnd-{name} to be SERVING over mTLS")
        finally:
            channel.close()
        self.started[name] = time.monotonic() - t0
        host = json.loads(podman("inspect", self.containers[name]))[0]["HostConfig"]
        assert host["ReadonlyRootfs"] is True, "root filesystem not read-only"
        assert "no-new-privileges" in host.get("SecurityOpt", []), host.get("SecurityOpt")
        assert {c.upper().removeprefix("CAP_") for c in host["CapDrop"]} >= {
            "CHOWN", "DAC_OVERRIDE", "SETUID", "SETGID", "NET_RAW"}, host["CapDrop"]

    def state(self, name):
        out = podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}",
                     self.containers[name])
        status, code = out.split()
        return status, int(code)

    def serving(self, name, channel):
        status, code = self.state(name)
        if status not in ("running", "created", "configured"):
            raise AssertionError(f"container of enamnd-{name} is {status}, exit code {code}:\n"
                                 + self.log_text(name)[-3000:])
        return health_check(channel)

    def log_text(self, name):
        result = subprocess.run([*PODMAN, "logs", self.containers[name]],
                                capture_output=True, text=True, timeout=60)
        return result.stdout + result.stderr

    def logs(self):
        """[(title, path)] of the container logs (written now), for h.main."""
        out = []
        for name in self.containers:
            path = self.tmp / f"{name}.log"
            try:
                path.write_text(self.log_text(name))
            except (subprocess.SubprocessError, OSError) as e:
                path.write_text(f"(podman logs failed: {e})")
            out.append((f"enamnd-{name} (container)", path))
        return out + [("redis-server", self.tmp / "redis.log")]

    def stop(self):
        for name in reversed(list(self.containers)):
            subprocess.run([*PODMAN, "rm", "--force", "--time", "0", self.containers[name]],
                           capture_output=True, timeout=120)
        self.containers.clear()
        if self.redis is not None:
            self.redis.close()
        if self.redis_proc is not None:
            h.stop_process(self.redis_proc, "redis-server")
            self.redis_proc = None


def health_check(channel, timeout=2.0):
    """grpc.health.v1 Check of service "": True when SERVING. Debian's
    python3-grpcio has no grpc_health, so the call is made with its raw
    encoding: the request is empty; the answer is field 1 (status) as a
    varint, SERVING = 1."""
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    try:
        return check(b"", timeout=timeout) == b"\x08\x01"
    except grpc.RpcError as e:
        if e.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            return False
        raise


# ------------------------------------------------------------------ checks

def check_image_config(service):
    """The image's configuration: numeric user, entrypoint, ports, volume."""
    info = json.loads(podman("image", "inspect", image(service)))[0]
    config = info["Config"]
    port = 50050 + list(SERVICES).index(service) + 1
    assert config.get("User") == f"{GID}:{GID}", config.get("User")
    assert config.get("Entrypoint") == [f"/usr/local/bin/enamnd-{service}"], config.get(
        "Entrypoint")
    assert "/data" in (config.get("Volumes") or {}), config.get("Volumes")
    exposed = set(config.get("ExposedPorts") or {})
    want = {f"{p}/tcp" for p in (port, port + 1000, port + 2000)}
    assert exposed == want, f"exposed {sorted(exposed)}, want {sorted(want)}"
    env = dict(e.split("=", 1) for e in config.get("Env", []))
    assert env.get("ENAMND_DATA_DIR") == "/data", env
    assert env.get("ENAMND_LISTEN") == f"0.0.0.0:{port}", env
    return info["Size"]


def check_image_files(service):
    """The image's files: a stripped binary, the user and group 10001, no
    compiler, headers or package lists. Returns the binary's size."""
    root = Path(podman("image", "mount", image(service)).strip())
    try:
        for directory in ("", "usr", "usr/local", "usr/local/bin", "etc", "usr/share"):
            mode = (root / directory).stat().st_mode & 0o7777
            assert mode == 0o755, f"/{directory} has mode {mode:o}, want 755"
        binary = root / "usr/local/bin" / f"enamnd-{service}"
        assert binary.is_file(), f"{binary} missing"
        sections = subprocess.run(["readelf", "-S", "-W", str(binary)], capture_output=True,
                                  text=True, check=True).stdout
        assert ".symtab" not in sections and ".debug_info" not in sections, "not stripped"
        for absent in ("usr/bin/g++", "usr/bin/cc", "usr/bin/cmake", "usr/include/grpcpp",
                       "usr/bin/ccache", "src"):
            assert not (root / absent).exists(), f"/{absent} is in the runtime image"
        assert not any((root / "var/lib/apt/lists").glob("*_Packages")), "apt lists kept"
        assert f"enamnd:x:{GID}:" in (root / "etc/group").read_text(), "group enamnd != 10001"
        assert f"enamnd:x:{GID}:{GID}:" in (root / "etc/passwd").read_text(), "user != 10001"
        data = (root / "data").stat()
        assert (data.st_uid, data.st_gid) == (GID, GID), (data.st_uid, data.st_gid)
        assert (root / "usr/share/zoneinfo/Europe/Stockholm").exists(), "no tzdata"
        assert any((root / "usr/share/fonts/truetype/dejavu").glob("DejaVuSans*.ttf")), "no fonts"
        return binary.stat().st_size
    finally:
        podman("image", "unmount", image(service), check=False)


def check_plaintext_health(scenario, service):
    _, _, health_port = scenario.ports[service]
    channel = grpc.insecure_channel(f"127.0.0.1:{health_port}")
    try:
        h.poll(lambda: health_check(channel), 20, f"plaintext health of enamnd-{service}")
    finally:
        channel.close()


def check_metrics(scenario, service):
    _, metrics_port, _ = scenario.ports[service]
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as r:
        assert r.status == 200, r.status
        body = r.read().decode()
    assert "# TYPE " in body, body[:500]


def run_loader(scenario, service, loader):
    """One of tools/up's demo loaders against the container."""
    result = subprocess.run(
        ["/usr/bin/python3", str(h.SOURCE_DIR / "tools" / "demo" / loader),
         "--address", scenario.addrs[service], "--stubs", str(h.BUILD_DIR / "python"),
         "--tls", str(scenario.tls), "--wait", "60"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (f"{loader} exited with {result.returncode}:\n"
                                    f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")


def check_stream(scenario, service):
    """Every event of the service's log is on its stream (one entry each,
    the last one's ID its sequence), and each consumer group of the stream
    has taken and acknowledged all of it."""
    stream = f"enamnd:events:{service}"
    channel = demo_common.secure_channel(scenario.addrs[service], scenario.tls, "secretary")
    try:
        head = h.log_head(h.service_stub(service, channel))
    finally:
        channel.close()
    assert head > 0, f"enamnd-{service} logged no event"

    def published():
        last = scenario.redis.xrevrange(stream, "+", "-", count=1)
        return bool(last) and last[0][0].decode() == f"{head}-0"

    h.poll(published, 30, f"event {head} of enamnd-{service} on {stream}")
    assert scenario.redis.xlen(stream) == head, (scenario.redis.xlen(stream), head)
    for group in scenario.redis.xinfo_groups(stream):
        name = group["name"].decode()
        h.poll(lambda: h.consumer_caught_up(scenario.redis, stream, name), 60,
               f"consumer group {name} of {stream} to catch up")
    return head


def check_data_dir(scenario, service):
    db = scenario.tmp / f"{service}-data" / f"{service}.db"
    assert db.is_file(), f"{db} missing"
    st = db.stat()
    assert (st.st_uid, st.st_gid) == (GID, GID), f"{db} owned by {st.st_uid}:{st.st_gid}"


def check_sigterm(scenario, service):
    name = scenario.containers[service]
    t0 = time.monotonic()
    podman("kill", "--signal", "TERM", name)
    code = int(podman("wait", name, timeout=STOP_TIMEOUT).strip())
    scenario.stopped[service] = time.monotonic() - t0
    log = scenario.log_text(service)
    assert code == 0, f"exit code {code} after SIGTERM:\n{log[-3000:]}"
    assert "server: stopped" in log, f"no 'server: stopped' in the log:\n{log[-3000:]}"


# ------------------------------------------------------------------ the run

def run_checks(results, scenario):
    assert TAG, "set ENAMND_IMAGE_TAG (./tools/image test does)"
    sizes, binaries = {}, {}
    for service in SERVICES:
        sizes[service] = results.check(f"{service}: image configuration",
                                       check_image_config, service)
        files = results.check(f"{service}: image files", check_image_files, service)
        if files:
            binaries[service] = files
    failed = results.failed
    results.check("redis-server with the ACL of tools/redis-acl", scenario.start_redis)
    results.check("certificates and policy (demo_tls)", scenario.make_certificates)
    if results.failed > failed:
        return
    for service in SERVICES:
        results.check(f"{service}: container SERVING over mTLS", scenario.start, service)
    running = [s for s in SERVICES if s in scenario.started]
    for service in running:
        # The kubelet's probes depend on it (deploy/k8s): not optional.
        results.check(f"{service}: plaintext health SERVING on ENAMND_HEALTH_LISTEN",
                      check_plaintext_health, scenario, service)
        results.check(f"{service}: /metrics", check_metrics, scenario, service)
    for service in running:
        for loader in SERVICES[service]:
            results.check(f"{service}: {loader} (writes through the API)",
                          run_loader, scenario, service, loader)
    heads = {s: results.check(f"{s}: events on enamnd:events:{s}", check_stream, scenario, s)
             for s in running}
    for service in running:
        results.check(f"{service}: {service}.db in /data, group 10001",
                      check_data_dir, scenario, service)
    for service in reversed(running):
        results.check(f"{service}: SIGTERM, exit code 0", check_sigterm, scenario, service)
    report(sizes, binaries, heads, scenario)


def report(sizes, binaries, heads, scenario):
    print(f"\n{'image':45} size      binary    serving  stop     events")
    for service in SERVICES:
        def mb(n):
            return f"{n / 1e6:6.1f} MB" if n else "     ?   "

        def sec(t):
            return f"{t:5.1f} s " if t is not None else "   ?    "

        print(f"{image(service):45} {mb(sizes.get(service))} {mb(binaries.get(service))} "
              f"{sec(scenario.started.get(service))} {sec(scenario.stopped.get(service))} "
              f"{heads.get(service)}", flush=True)


if __name__ == "__main__":
    sys.exit(h.main(Scenario, run_checks))
