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

enamnd_log() { printf '[enamnd] %s\n' "$*" >&2; }

enamnd_install_deps() {
  local missing=()
  local pkg
  for pkg in "${ENAMND_PACKAGES[@]}"; do
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

enamnd_build() {
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake -S "$ENAMND_ROOT" -B "$ENAMND_BUILD" -DCMAKE_BUILD_TYPE="${ENAMND_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
  cmake --build "$ENAMND_BUILD" -j "$jobs"
}
