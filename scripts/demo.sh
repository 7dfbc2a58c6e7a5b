#!/bin/sh
# Installs what is missing, builds herald, then runs heraldd on its built-in default: the bundled
# example feeds in examples/feeds/, read as local file:// feeds (works offline), state in
# build/demo-state. herald-tail prints every event from the start; Ctrl-C stops both.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
export XDG_STATE_HOME="$PWD/build/demo-state"
unset HERALD_CONFIG
mkdir -p "$XDG_STATE_HOME"
build/bin/herald-tail --since 0 &
tail_pid=$!
trap 'kill "$tail_pid" 2>/dev/null || true' EXIT
build/bin/heraldd
