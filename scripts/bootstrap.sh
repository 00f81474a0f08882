#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then either
# runs the main job on an embedded default (`run`) or passes every test (`test`).
#
#   ./scripts/bootstrap.sh run    # install, build, start the demo fleet and router (Ctrl-C stops)
#   ./scripts/bootstrap.sh test   # install, build, run every test and print CTest's summary
set -euo pipefail

mode="${1:-run}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="${SCOVILLE_BUILD_DIR:-$root/build}"

# Packages the build and the tests need, all from Debian 12's own archive.
packages=(
  build-essential cmake ccache clang-format pkg-config
  nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev doctest-dev
  libsqlite3-dev sqlite3 python3 python3-requests libboost-dev curl
  prometheus-cpp-dev prometheus
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "bootstrap: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

build() {
  local jobs
  jobs="$(nproc)"
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" -j "$jobs"
}

case "$mode" in
  run)
    install_missing
    build
    exec "$build_dir/scoville" demo
    ;;
  test)
    install_missing
    build
    cd "$build_dir"
    ctest --output-on-failure -j "$(nproc)"
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
