#!/usr/bin/env bash
# Shows that the native kernels build and compute correctly on 64-bit ARM without an ARM machine:
# cross-compiles native/kernels.cc into an aarch64 shared library with Debian's toolchain, links
# native/check_kernels.cc (convolutions, their gradients, matmul, elementwise kernels and the exact
# nearest-neighbour search, each against float64 loops) against it, and runs that under qemu-user.
#
#   scripts/cross_check_aarch64.sh [--out DIR] [--compile-only]
#
# Needs: apt-get install g++-aarch64-linux-gnu (compiler and sysroot); qemu-user to run the checks
# (without it the script only compiles, and says so).
# Environment: AARCH64_CXX (default aarch64-linux-gnu-g++), AARCH64_SYSROOT (default
# /usr/aarch64-linux-gnu), AARCH64_CXXFLAGS (default "-O3 -march=armv8-a", the baseline every
# 64-bit ARM CPU runs; e.g. "-O3 -mcpu=neoverse-n1", or "-O3 -mcpu=neoverse-v1" with SVE),
# QEMU_AARCH64 (default qemu-aarch64), CHECK_THREADS (kernel threads, default 2).
# Output: DIR (default tmp/aarch64) holds libpatchsvdd.so and check_kernels; the last line says
# "passed", "compiled only" or "FAILED". Exit: 0 passed or compiled, 1 a check failed or the
# compile failed, 2 a missing tool or bad usage.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/tmp/aarch64"
run=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || { echo "cross_check_aarch64.sh: --out needs a folder" >&2; exit 2; }; out=$2; shift 2 ;;
    --compile-only) run=0; shift ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cross_check_aarch64.sh: unknown argument '$1'; use --out DIR or --compile-only" >&2; exit 2 ;;
  esac
done

cxx=${AARCH64_CXX:-aarch64-linux-gnu-g++}
sysroot=${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
qemu=${QEMU_AARCH64:-qemu-aarch64}
read -r -a arch_flags <<<"${AARCH64_CXXFLAGS:--O3 -march=armv8-a}"
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "cross_check_aarch64.sh: $cxx not found; install it with: apt-get install g++-aarch64-linux-gnu" >&2
  exit 2
fi
mkdir -p "$out"
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
lib="$out/libpatchsvdd.so"
check="$out/check_kernels"

# The same flags as native/build.mjs, with -march=native replaced by an explicit aarch64 target.
t0=$(date +%s.%N)
"$cxx" "${arch_flags[@]}" -pthread -fPIC -shared -std=c++17 -Wall -Wl,-z,nodelete \
  -o "$lib" "$root/native/kernels.cc" || { echo "FAILED: $cxx could not compile native/kernels.cc" >&2; exit 1; }
compile_s=$(elapsed "$t0")
t1=$(date +%s.%N)
"$cxx" -O2 -std=c++17 -Wall -pthread -o "$check" "$root/native/check_kernels.cc" -L"$out" -l:libpatchsvdd.so \
  -Wl,-rpath,'$ORIGIN' || { echo "FAILED: $cxx could not build native/check_kernels.cc" >&2; exit 1; }
driver_s=$(elapsed "$t1")
machine=$(LC_ALL=C "${cxx%g++}readelf" -h "$lib" 2>/dev/null | sed -n 's/^ *Machine: *//p' || true)
echo "compiled native/kernels.cc with $cxx ${arch_flags[*]}: $lib (${machine:-machine unknown})," \
  "$compile_s s; check_kernels $driver_s s"
if [ -n "$machine" ] && [ "$machine" != "AArch64" ]; then
  echo "FAILED: expected an AArch64 library but readelf says $machine" >&2
  exit 1
fi

if [ "$run" = 0 ]; then
  echo "compiled only (--compile-only)"
  exit 0
fi
if ! command -v "$qemu" >/dev/null 2>&1; then
  echo "compiled only: $qemu not found (apt-get install qemu-user to run the checks)"
  exit 0
fi
t3=$(date +%s.%N)
status=0
"$qemu" -L "$sysroot" "$check" --expect-isa neon --threads "${CHECK_THREADS:-2}" || status=$?
echo "ran check_kernels under $qemu in $(elapsed "$t3") s (exit $status)"
exit "$status"
