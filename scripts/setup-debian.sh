#!/bin/sh
# Installs every Debian package herald needs to build, test, fuzz and benchmark.
# Idempotent: installs only what is missing; runs `apt-get update` only when needed.
set -eu

PACKAGES="
build-essential cmake pkg-config git ca-certificates
libpugixml-dev nlohmann-json3-dev libcli11-dev libfmt-dev libexpected-dev
libsqlitecpp-dev libsqlite3-dev sqlite3
libcurl4-openssl-dev zlib1g-dev
libzmq3-dev cppzmq-dev
libspdlog-dev libtomlplusplus-dev libsystemd-dev
libgtest-dev libgmock-dev googletest
clang clang-format libclang-rt-14-dev
nginx curl python3 python3-zmq python3-feedparser python3-matplotlib
sfeed newsboat hyperfine systemd
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
