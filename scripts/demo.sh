#!/bin/sh
# Installs what is missing, builds herald, and parses a bundled example feed.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
exec build/bin/herald parse examples/feeds/herald-news.xml
