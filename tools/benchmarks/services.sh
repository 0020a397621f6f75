# tools/benchmarks/services.sh: sourced by the benchmark scripts (list-scaling,
# ingest) that run services of their own. They start a redis-server on a
# unix socket and service binaries on free loopback ports, with their data
# in a temporary directory, in plaintext (ENAMND_INSECURE=true, loopback
# only) with a policy file of their own and a write rate limit high enough
# not to be what is measured, and remove everything when the script ends,
# also on Ctrl-C or failure. Nothing of the caller's ENAMND_* settings
# reaches the services (ENAMND_BUILD excepted), ./var and the default ports
# are never touched.
#
# Before sourcing, set BENCH_NAME (the prefix of log lines and of the
# temporary directory). Sourcing creates $TMP and installs the traps.
# KEEP_LOGS=1 keeps $TMP (the services' logs are $TMP/<name>.log).
# shellcheck shell=bash

BENCH_START_DEADLINE_S=30

log() { printf '[%s] %s\n' "$BENCH_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v redis-server >/dev/null || die "redis-server is not installed"

# Nothing of the caller's service configuration (TLS, policy, a pinned
# today, addresses) leaks into the services started here.
while IFS= read -r name; do
  [[ "$name" == ENAMND_BUILD ]] || unset "$name"
done < <(compgen -e | grep '^ENAMND_' || true)

TMP="$(mktemp -d "${TMPDIR:-/tmp}/enamnd-$BENCH_NAME.XXXXXX")"
pids=()
bench_cleanup() {
  local status=$?
  # In reverse order of starting: the services, then the Redis they use.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  if [[ "${KEEP_LOGS:-0}" == 1 ]]; then
    log "kept $TMP (logs: $TMP/*.log)"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Fails unless every argument is an executable (built first).
bench_require_binaries() {
  local bin
  for bin in "$@"; do
    [[ -x "$bin" ]] || die "$bin is missing; build it first (see the top of $0)"
  done
}

# A loopback port nothing listens on, outside the default 50051-50055 and 6379.
# Each service is listening before the next port is chosen.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# Waits until a process accepts connections on a port (or dies trying).
wait_port() {
  local name=$1 pid=$2 port=$3 deadline=$((SECONDS + BENCH_START_DEADLINE_S))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$TMP/$name.log" >&2; die "$name exited at start"; }
    ((SECONDS < deadline)) || die "$name did not accept connections on $port within ${BENCH_START_DEADLINE_S} s"
    sleep 0.1
  done
}

# Writes $POLICY granting <principal> each <role>.
bench_policy() {
  local principal=$1 role
  shift
  POLICY="$TMP/policy.textproto"
  : >"$POLICY"
  for role in "$@"; do
    printf 'grants { principal: "%s" role: "%s" }\n' "$principal" "$role" >>"$POLICY"
  done
}

# Starts redis-server on $REDIS_SOCKET and waits until it answers.
start_redis() {
  REDIS_SOCKET="$TMP/redis.sock"
  redis-server --port 0 --unixsocket "$REDIS_SOCKET" --dir "$TMP" --save "" --appendonly no \
    --daemonize no >"$TMP/redis.log" 2>&1 &
  local pid=$! deadline=$((SECONDS + BENCH_START_DEADLINE_S))
  pids+=("$pid")
  until [[ -S "$REDIS_SOCKET" ]] && redis-cli -s "$REDIS_SOCKET" ping >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$TMP/redis.log" >&2; die "redis-server exited at start"; }
    ((SECONDS < deadline)) || die "redis-server did not answer within ${BENCH_START_DEADLINE_S} s"
    sleep 0.1
  done
}

# start_service <name> <binary> <port> [VAR=value...]: the service with its
# data in $TMP/<name>, the Redis of start_redis and the policy of
# bench_policy (and the extra settings given); waits until it listens.
start_service() {
  local name=$1 bin=$2 port=$3
  shift 3
  mkdir -p "$TMP/$name"
  env ENAMND_LISTEN="127.0.0.1:$port" ENAMND_DATA_DIR="$TMP/$name" \
    ENAMND_REDIS="unix://$REDIS_SOCKET" ENAMND_LOG_LEVEL=warning \
    ENAMND_INSECURE=true ENAMND_POLICY="$POLICY" \
    ENAMND_WRITE_RATE=1000000 ENAMND_WRITE_BURST=1000000 "$@" \
    "$bin" >"$TMP/$name.log" 2>&1 &
  pids+=($!)
  wait_port "$name" "$!" "$port"
}

# Logs what is measured: the source the build directory <build> was
# configured from, its build type, the time and the cores.
log_build() {
  local build=$1 src commit build_type
  src="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null || true)"
  if commit="$(git -C "${src:-/nonexistent}" rev-parse --short HEAD 2>/dev/null)"; then
    git -C "$src" diff --quiet HEAD -- services 2>/dev/null || commit+=" + uncommitted changes in services/"
  else
    commit="unknown (not a git checkout)"
  fi
  build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)"
  log "build of ${src:-?} (${build_type:-?}; its checkout is now at commit $commit: rebuild to measure that); $(date -u +%FT%TZ); $(nproc) cores"
}
