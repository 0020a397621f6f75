# Shared by ./tools/up and ./tools/test: install what is missing, build.
# shellcheck shell=bash

ENAMND_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENAMND_BUILD="${ENAMND_BUILD:-$ENAMND_ROOT/build}"

# Debian 12 packages the project needs to build, test and run.
ENAMND_PACKAGES=(
  build-essential cmake pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libsqlite3-dev libssl-dev libgtest-dev libgmock-dev
  redis-server redis-tools tzdata openssl
  python3-grpcio python3-protobuf python3-redis
  libcpp-httplib-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core poppler-utils
)

# Only the slow checks of ./tools/test --all need these (and npm, from
# Debian only where no npm is installed: the machine image may ship its own).
# libclang-rt-14-dev holds the ASan/UBSan runtimes and libFuzzer (clang only
# recommends it).
# debootstrap, buildah, podman and runc build and run the images without a
# Docker daemon (tools/image).
ENAMND_PACKAGES_ALL=(clang libclang-rt-14-dev debootstrap buildah podman runc)
# tools/bench: h2load drives the unary reads; strace counts fdatasync calls as a
# cross-check of the services' counter. tools/bench installs them when missing,
# and so does ./tools/test --all.
ENAMND_PACKAGES_BENCH=(nghttp2-client strace)
# buf, pinned; installed with npm under .tools/ (not committed).
ENAMND_BUF_VERSION=1.47.2

enamnd_log() { printf '[enamnd] %s\n' "$*" >&2; }

enamnd_install_deps() {
  enamnd_install_packages "${ENAMND_PACKAGES[@]}"
}

enamnd_install_deps_bench() {
  enamnd_install_packages "${ENAMND_PACKAGES_BENCH[@]}"
}

enamnd_install_deps_all() {
  enamnd_install_packages "${ENAMND_PACKAGES_ALL[@]}" "${ENAMND_PACKAGES_BENCH[@]}"
  if ! command -v npm >/dev/null; then enamnd_install_packages npm; fi
  local buf="$ENAMND_ROOT/.tools/node_modules/.bin/buf"
  if [[ ! -x $buf ]] || [[ $("$buf" --version) != "$ENAMND_BUF_VERSION" ]]; then
    enamnd_log "installing @bufbuild/buf@$ENAMND_BUF_VERSION (npm) into .tools/"
    mkdir -p "$ENAMND_ROOT/.tools"
    npm install --prefix "$ENAMND_ROOT/.tools" --no-audit --no-fund --no-save \
      "@bufbuild/buf@$ENAMND_BUF_VERSION" >/dev/null
  fi
}

# buf lint (buf.yaml), then buf breaking against the recorded baseline: the
# protos as outside clients may have generated them. A deliberate break
# (before any client exists) records a new baseline with
#   .tools/node_modules/.bin/buf build -o tools/proto_baseline.binpb
enamnd_proto_checks() {
  local buf="$ENAMND_ROOT/.tools/node_modules/.bin/buf"
  (cd "$ENAMND_ROOT" && "$buf" lint && "$buf" breaking --against tools/proto_baseline.binpb)
}

enamnd_install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  enamnd_log "installing: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# ccache (when installed) keys on paths relative to the checkout, so a fresh
# clone in another folder (CI) reuses what an earlier build compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ENAMND_ROOT}"
# Debug info (-g) would otherwise put the build directory into the hash, and
# a clone in another directory would miss every entry.
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

# Arguments go to cmake's configure step (e.g. -DENAMND_SANITIZE=ON);
# ENAMND_BUILD_TARGET builds one target instead of all.
enamnd_build() {
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake -S "$ENAMND_ROOT" -B "$ENAMND_BUILD" -DCMAKE_BUILD_TYPE="${ENAMND_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
  cmake --build "$ENAMND_BUILD" -j "$jobs" ${ENAMND_BUILD_TARGET:+--target "$ENAMND_BUILD_TARGET"}
}

# Fuzzes every target of <build dir> (configured with -DENAMND_FUZZ=ON, target
# enamnd_fuzz built) for <seconds> each, on a copy of its seed corpus
# tests/fuzz/corpus/<target>/ in a temporary folder: the checkout is not
# written. On a crash, a failed invariant, a timeout or a leak it prints the
# log and the path of the saved input, keeps the folder, and fails.
enamnd_fuzz_runs() {  # build dir, seconds per target
  local build="$1" seconds="$2" work bin name dir failed=0 artifact
  work="$(mktemp -d "${TMPDIR:-/tmp}/enamnd-fuzz.XXXXXX")"
  for bin in "$build"/tests/fuzz/*_fuzz; do
    name="$(basename "$bin" _fuzz)"
    dir="$work/$name"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp -R "$ENAMND_ROOT/tests/fuzz/corpus/$name/." "$dir/corpus/"
    if "$bin" -max_total_time="$seconds" -timeout=10 -artifact_prefix="$dir/artifacts/" \
        "$dir/corpus" >"$dir/log" 2>&1; then
      enamnd_log "fuzz $name: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$dir/log"), corpus $(find "$dir/corpus" -type f | wc -l) inputs"
    else
      failed=1
      tail -n 60 "$dir/log" >&2
      enamnd_log "fuzz $name: FAILED (log $dir/log)"
      for artifact in "$dir/artifacts"/*; do
        if [[ -e $artifact ]]; then
          enamnd_log "fuzz $name: crashing input: $artifact (replay: $bin $artifact)"
        fi
      done
    fi
  done
  if ((failed)); then
    enamnd_log "fuzz: failed; inputs and logs kept in $work"
    return 1
  fi
  rm -rf "$work"
}
