#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Build the oracle runner from source with the system C compiler.
# Output: oracle/build/runner (git-ignored). Usage: oracle/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
CC=${CC:-cc}
"$CC" -O2 -std=gnu11 -Wall -Wextra -pthread -o "$here/build/runner.tmp" "$here/runner.c"
mv "$here/build/runner.tmp" "$here/build/runner"
echo "$here/build/runner"
