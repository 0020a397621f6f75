# Shared by ./tools/up and ./tools/test: install what is missing, build.
# shellcheck shell=bash

ENAMND_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENAMND_BUILD="${ENAMND_BUILD:-$ENAMND_ROOT/build}"

# Debian 12 packages the project needs to build, test and run.
ENAMND_PACKAGES=(
  build-essential cmake pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libhiredis-dev libsqlite3-dev libssl-dev libgtest-dev libgmock-dev
  redis-server redis-tools tzdata
  python3-grpcio python3-protobuf python3-redis
)

# Only the slow checks of ./tools/test --all need these (and npm, from
# Debian only where no npm is installed: the machine image may ship its own).
ENAMND_PACKAGES_ALL=(clang)
# buf, pinned; installed with npm under .tools/ (not committed).
ENAMND_BUF_VERSION=1.47.2

enamnd_log() { printf '[enamnd] %s\n' "$*" >&2; }

enamnd_install_deps() {
  enamnd_install_packages "${ENAMND_PACKAGES[@]}"
}

enamnd_install_deps_all() {
  enamnd_install_packages "${ENAMND_PACKAGES_ALL[@]}"
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

enamnd_build() {
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake -S "$ENAMND_ROOT" -B "$ENAMND_BUILD" -DCMAKE_BUILD_TYPE="${ENAMND_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$ENAMND_BUILD" -j "$jobs"
}
