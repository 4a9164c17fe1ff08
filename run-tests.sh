#!/bin/sh
# Build remsim and run the whole test suite (unit, integration, fuzz replay).
# Usage: ./run-tests.sh [extra meson test args]
set -e
cd "$(dirname "$0")"
./contrib/install-deps.sh

BUILD=${REMSIM_BUILD_DIR:-build}
if [ ! -d "$BUILD" ]; then
	meson setup "$BUILD" -Dwarning_level=3 -Dwerror=true
fi
ninja -C "$BUILD"
REMSIM_TEST_STRICT=1 meson test -C "$BUILD" --print-errorlogs "$@"
