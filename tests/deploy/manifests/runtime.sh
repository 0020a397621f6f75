#!/usr/bin/env bash
# tests/deploy/manifests/runtime.sh PROD.yaml DEV.yaml RESULTS
#   Runs what the rendered manifests configure, on this machine, without a
#   cluster:
#   1. Redis: redis.conf from the ConfigMap enamnd-redis-config and the ACL
#      file of tools/redis-acl, with only the paths, the address and the
#      port changed; the pod's readiness probe; AOF, noeviction, maxmemory
#      below the limit, no anonymous access, a service's own stream only.
#   2. The five services of each overlay, started at once from the built
#      binaries (ENAMND_BUILD_DIR, default build/) with exactly the
#      environment their pods get (podenv.mjs), in a directory laid out as
#      the pod's filesystem (/data, /tmp, /etc/enamnd/tls, redis, policy with
#      the overlay's policy file), ports moved to free loopback ports: the
#      port the pod's readinessProbe names answers SERVING as the kubelet's
#      gRPC probe asks (health.py), /metrics answers on the port of the
#      prometheus.io/port annotation, every consumer group is created in
#      Redis with the service's own user, and SIGTERM ends each with exit 0
#      within its terminationGracePeriodSeconds.
#   Appends lines "ok|FAIL|skip<TAB>NAME<TAB>WHY" to RESULTS (check.mjs
#   counts them). Needs redis-server, redis-cli, python3-grpcio, openssl.
set -euo pipefail

rendered="$1"
rendered_dev="$2"
results="$3"
build="${ENAMND_BUILD_DIR:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="${build:-$root/build}"
# The services run from temporary directories: a relative path must not
# depend on them.
if [[ -d $build ]]; then build="$(cd "$build" && pwd)"; fi

result() { # ok|FAIL name [why]
  printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" | tr -d '\r' >>"$results"
}

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  result FAIL "redis.conf runs" "redis-server or redis-cli missing (apt-get install redis-server redis-tools)"
  exit 0
fi

tmp="$(mktemp -d)"
pid=""
service_pids=()
cleanup() {
  local p
  for p in "${service_pids[@]}" $pid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/data"
"$root/tools/redis-acl" --dir "$tmp/acl" >/dev/null
node "$here/extract.mjs" "$rendered" ConfigMap enamnd-redis-config redis.conf >"$tmp/pod.conf"
# A free loopback port: bind one, let it go, use it.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
sed -e "s|^bind .*|bind 127.0.0.1|" -e "s|^port .*|port $port|" -e "s|^dir /data$|dir $tmp/data|" \
  -e "s|^aclfile /etc/redis/acl/users.acl$|aclfile $tmp/acl/users.acl|" "$tmp/pod.conf" >"$tmp/redis.conf"
if cmp -s "$tmp/pod.conf" "$tmp/redis.conf" || grep -q '/etc/redis\|^dir /data' "$tmp/redis.conf"; then
  result FAIL "redis.conf runs" "the paths of the pod (dir /data, aclfile /etc/redis/acl/users.acl) were not found"
  exit 0
fi

redis-server "$tmp/redis.conf" >"$tmp/redis.log" 2>&1 &
pid=$!

# The pod's readiness probe, with this machine's paths.
probe() {
  REDISCLI_AUTH="$(cat "$tmp/acl/admin.password")" redis-cli -p "$port" --no-auth-warning --user admin ping 2>/dev/null | grep -qx PONG
}
deadline=$((SECONDS + 20))
until probe; do
  if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
    result FAIL "redis.conf runs and the readiness probe answers PONG" "$(tail -5 "$tmp/redis.log" | tr '\n' ' ')"
    exit 0
  fi
  sleep 0.1
done
result ok "redis.conf runs and the readiness probe answers PONG"

admin() { REDISCLI_AUTH="$(cat "$tmp/acl/admin.password")" redis-cli -p "$port" --no-auth-warning --user admin "$@"; }
as_user() { local u="$1"; shift; REDISCLI_AUTH="$(cat "$tmp/acl/$u.password")" redis-cli -p "$port" --no-auth-warning --user "$u" "$@"; }
expect() { # name want got
  if [[ $3 == "$2" ]]; then result ok "$1"; else result FAIL "$1" "want '$2', got '$3'"; fi
}

expect "redis: appendonly yes" "appendonly yes" "$(admin config get appendonly | tr '\n' ' ' | sed 's/ $//')"
expect "redis: maxmemory-policy noeviction" "maxmemory-policy noeviction" "$(admin config get maxmemory-policy | tr '\n' ' ' | sed 's/ $//')"
maxmemory="$(admin config get maxmemory | tail -1)"
if ((maxmemory > 0 && maxmemory < 768 * 1024 * 1024)); then
  result ok "redis: maxmemory $maxmemory below the 768Mi limit"
else
  result FAIL "redis: maxmemory below the 768Mi limit" "maxmemory is $maxmemory"
fi
expect "redis: anonymous PING refused" "NOAUTH" "$(redis-cli -p "$port" ping 2>&1 | grep -o NOAUTH | head -1)"
id="$(as_user meetings xadd enamnd:events:meetings '*' k v 2>&1)"
if [[ $id =~ ^[0-9]+-[0-9]+$ ]]; then result ok "redis: the meetings user adds to its stream"; else result FAIL "redis: the meetings user adds to its stream" "$id"; fi
expect "redis: the meetings user may not add to another stream" "NOPERM" \
  "$(as_user meetings xadd enamnd:events:audits '*' k v 2>&1 | grep -o NOPERM | head -1)"
admin del enamnd:events:meetings >/dev/null

# The stream bound: a stream filled past the pods' ENAMND_STREAM_MAXLEN with
# 4 KB events (the relay's XADD ... MAXLEN ~ n) stays near n entries, and
# five such streams fit in three quarters of maxmemory.
maxlen="$(node "$here/podenv.mjs" "$rendered" enamnd-meetings | sed -n 's/^ENAMND_STREAM_MAXLEN=//p')"
if [[ ! $maxlen =~ ^[1-9][0-9]*$ ]]; then
  result FAIL "redis: streams bounded by ENAMND_STREAM_MAXLEN" "ENAMND_STREAM_MAXLEN is '$maxlen'"
else
  before="$(admin info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')"
  python3 - "$maxlen" <<'PY' | REDISCLI_AUTH="$(cat "$tmp/acl/admin.password")" redis-cli -p "$port" --no-auth-warning --user admin --pipe >/dev/null
import os, sys, uuid
n = int(sys.argv[1])
out = sys.stdout.buffer
def command(*args):
    args = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
for seq in range(1, n + n // 10 + 1):
    command("XADD", "enamnd:events:meetings", "MAXLEN", "~", n, f"{seq}-0", "id", str(uuid.uuid4()),
            "type", "enamnd.meetings.v1.DecisionRecorded", "subject", f"meetings/m/paragraphs/{seq}",
            "event", os.urandom(4096))
PY
  len="$(admin xlen enamnd:events:meetings)"
  after="$(admin info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')"
  per=$(((after - before) / len))
  if ((len >= maxlen && len <= maxlen + 200 && 5 * per * maxlen <= maxmemory * 3 / 4)); then
    result ok "redis: a stream at ENAMND_STREAM_MAXLEN $maxlen keeps $len entries of $per bytes; five take $((5 * per * maxlen / 1048576)) MiB of maxmemory $((maxmemory / 1048576)) MiB"
  else
    result FAIL "redis: streams bounded by ENAMND_STREAM_MAXLEN within 3/4 of maxmemory" \
      "$len entries (MAXLEN ~ $maxlen) of $per bytes; five: $((5 * per * maxlen / 1048576)) MiB, maxmemory $((maxmemory / 1048576)) MiB"
  fi
  admin del enamnd:events:meetings >/dev/null
fi

# --- 2. the services ---------------------------------------------------------
SERVICES=(meetings audits projects contracts finance)
if [[ ! -x "$build/services/meetings/enamnd-meetings" ]]; then
  result skip "the services start with the rendered configuration" "no binaries under $build (build first, or set ENAMND_BUILD_DIR)"
  exit 0
fi
"$root/tools/tls" init "$tmp/pki" 2>/dev/null
for s in "${SERVICES[@]}"; do
  "$root/tools/tls" issue "$tmp/pki" "$s" "spiffe://enamnd/service/$s" "enamnd-$s" 127.0.0.1 2>/dev/null
done

# Every port of every service (gRPC, metrics, health) moves to a free one,
# and every Service name to 127.0.0.1, so the values of ENAMND_LISTEN,
# ENAMND_*_ADDR, ... keep pointing where they point in the cluster.
declare -A PORTS=()
for s in "${SERVICES[@]}"; do
  for value in $(node "$here/podenv.mjs" "$rendered" "enamnd-$s" | grep -o ':[0-9]\+$' | tr -d :); do
    [[ -n ${PORTS[$value]:-} ]] || PORTS[$value]="$(free_port)"
  done
done

# VALUE as the process sees it in pod directory ROOT: absolute paths under
# ROOT, host:port on loopback with the moved port.
local_value() { # root value
  local value="$2"
  if [[ $value == /* ]]; then
    echo "$1$value"
  elif [[ $value =~ ^tcp://enamnd-redis:6379$ ]]; then
    echo "tcp://127.0.0.1:$port"
  elif [[ $value =~ ^[a-z0-9.-]+:([0-9]+)$ && -n ${PORTS[${BASH_REMATCH[1]}]:-} ]]; then
    echo "127.0.0.1:${PORTS[${BASH_REMATCH[1]}]}"
  else
    echo "$value"
  fi
}

# The pod's filesystem for service $2 of overlay $1: what its volumes hold.
pod_root() { # overlay service rendered
  local r="$tmp/$1/$2"
  mkdir -p "$r/data" "$r/tmp" "$r/etc/enamnd/tls" "$r/etc/enamnd/redis" "$r/etc/enamnd/policy"
  cp "$tmp/pki/$2.pem" "$r/etc/enamnd/tls/tls.crt"
  cp "$tmp/pki/$2.key" "$r/etc/enamnd/tls/tls.key"
  cp "$tmp/pki/ca.pem" "$r/etc/enamnd/tls/ca.crt"
  cp "$tmp/acl/$2.password" "$r/etc/enamnd/redis/password"
  node "$here/extract.mjs" "$3" ConfigMap enamnd-policy policy.textproto >"$r/etc/enamnd/policy/policy.textproto"
  echo "$r"
}

start_service() { # overlay service rendered
  local r env=() line key
  r="$(pod_root "$1" "$2" "$3")"
  while IFS= read -r line; do
    key="${line%%=*}"
    env+=("$key=$(local_value "$r" "${line#*=}")")
  done < <(node "$here/podenv.mjs" "$3" "enamnd-$2")
  (cd "$r" && exec env -i PATH=/usr/bin:/bin "${env[@]}" "$build/services/$2/enamnd-$2") >"$r.log" 2>&1 &
  service_pids+=($!)
}

# 127.0.0.1:<moved port> for the port the manifest names (--probe-port:
# the readiness probe's, --scrape-port: prometheus.io/port); the port as
# named when no setting of any service listens on it (the check then fails).
manifest_port() { # rendered service option
  local named
  named="$(node "$here/podenv.mjs" "$1" "enamnd-$2" "$3")"
  echo "127.0.0.1:${PORTS[$named]:-$named}"
}

check_overlay() { # overlay rendered
  local overlay="$1" file="$2" s i health metrics started status
  service_pids=()
  for s in "${SERVICES[@]}"; do start_service "$overlay" "$s" "$file"; done
  for i in "${!SERVICES[@]}"; do
    s="${SERVICES[$i]}"
    # The port the pod's probe names, moved as the service's own ports are:
    # where the kubelet would knock, not what the environment says.
    health="$(manifest_port "$file" "$s" --probe-port)"
    started=$SECONDS
    until status="$("$here/health.py" "$health" 2>&1)"; do
      if ! kill -0 "${service_pids[$i]}" 2>/dev/null || ((SECONDS - started > 30)); then break; fi
      sleep 0.2
    done
    if [[ $status == SERVING ]]; then
      result ok "$overlay: enamnd-$s starts with its pod's configuration; its readinessProbe's port answers SERVING"
    else
      result FAIL "$overlay: enamnd-$s starts with its pod's configuration; its readinessProbe's port answers SERVING" \
        "$status; the log: $(grep -m 2 'ERROR' "$tmp/$overlay/$s.log" || tail -2 "$tmp/$overlay/$s.log")"
    fi
    metrics="$(manifest_port "$file" "$s" --scrape-port)"
    if python3 -c "import sys,urllib.request; urllib.request.urlopen('http://$metrics/metrics', timeout=2).read()" 2>/dev/null; then
      result ok "$overlay: enamnd-$s answers /metrics on its prometheus.io/port"
    else
      result FAIL "$overlay: enamnd-$s answers /metrics on its prometheus.io/port" "no answer on $metrics"
    fi
  done
  check_groups "$overlay"
  stop_services "$overlay" "$file"
}

# Each consumer group exists: the service authenticated with its own user
# and password file and created it (XGROUP CREATE) within its ACL.
check_groups() { # overlay
  local want stream group have started
  for want in meetings:audits meetings:projects meetings:contracts meetings:finance projects:finance; do
    stream="enamnd:events:${want%%:*}" group="${want#*:}" started=$SECONDS
    until have="$(admin xinfo groups "$stream" 2>/dev/null)" && grep -qx "$group" <<<"$have"; do
      ((SECONDS - started > 15)) && break
      sleep 0.2
    done
    if grep -qx "$group" <<<"$have"; then
      result ok "$1: consumer group $group on $stream created with its own Redis user"
    else
      result FAIL "$1: consumer group $group on $stream created with its own Redis user" "groups: $(tr '\n' ' ' <<<"$have")"
    fi
  done
}

stop_services() { # overlay rendered
  local i s rc grace started
  for i in "${!SERVICES[@]}"; do
    s="${SERVICES[$i]}"
    grace="$(node "$here/podenv.mjs" "$2" "enamnd-$s" --grace)"
    started=$SECONDS
    kill -TERM "${service_pids[$i]}" 2>/dev/null || true
    rc=0
    wait "${service_pids[$i]}" || rc=$?
    if ((rc == 0 && SECONDS - started < grace)); then
      result ok "$1: enamnd-$s stops on SIGTERM with exit 0 in $((SECONDS - started)) s (grace period $grace s)"
    else
      result FAIL "$1: enamnd-$s stops on SIGTERM with exit 0 within its grace period" "exit $rc after $((SECONDS - started)) s (grace $grace s)"
    fi
  done
  service_pids=()
}

check_overlay prod "$rendered"
admin flushall >/dev/null
check_overlay dev "$rendered_dev"
