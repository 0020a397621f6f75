#!/usr/bin/env bash
# tests/deploy/manifests/redis-conf.sh RENDERED.yaml RESULTS
#   Starts the Redis of the rendered manifests for real: redis.conf from the
#   ConfigMap enamnd-redis-config, the ACL file from tools/redis-acl, with
#   only the paths, the address and the port changed for this machine. Then
#   runs the pod's readiness probe command and checks what the manifests
#   promise (AOF, noeviction, maxmemory, no anonymous access, a service's
#   own stream). Appends lines "ok<TAB>NAME<TAB>" or "FAIL<TAB>NAME<TAB>WHY" to RESULTS,
#   which check.mjs counts. Needs redis-server and redis-cli (Debian
#   redis-server, redis-tools).
set -euo pipefail

rendered="$1"
results="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

result() { # ok|FAIL name [why]
  printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" | tr -d '\r' >>"$results"
}

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  result FAIL "redis.conf runs" "redis-server or redis-cli missing (apt-get install redis-server redis-tools)"
  exit 0
fi

tmp="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/data"
"$root/tools/redis-acl" --dir "$tmp/acl" >/dev/null
node "$here/extract.mjs" "$rendered" ConfigMap enamnd-redis-config redis.conf >"$tmp/pod.conf"
# A free loopback port: bind one with python, let it go, use it.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
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
