#!/bin/bash
# Pack what scripts/device_bench.sh needs on a machine without network into .gpu/ and .gl/
# (both ignored by git; carried by the device tool, 64 MiB in all: the Deno binary is xz -9e
# compressed and node_modules is pruned of the plotting packages the benchmark does not load).
# Usage: bash scripts/pack_device.sh [MVTEC_ROOT]   (default ../shared/data/mvtec_ad)
set -eu
root=${1:-../shared/data/mvtec_ad}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p .gpu .gl "$tmp/nm/native" /tmp/amd64/partial
cp -a node_modules .build "$tmp/nm/"
cp -a native/build "$tmp/nm/native/build"
(cd "$tmp/nm/node_modules" && rm -rf @deno deno .bin @types @observablehq d3* linkedom htmlparser2 css-select css-what cssomnom &&
  find . \( -name "*.map" -o -name "*.min.js" -o -name "*.es2017.js" -o -name "*_test.js" \) -delete)
tar cf - -C "$tmp/nm" node_modules .build native | xz -6 -T0 >.gpu/nm.tar.xz
xz -9e -T0 -c node_modules/@deno/linux-x64-glibc/deno >.gpu/deno.xz
tar cf .gpu/bottle.tar -C "$root" bottle
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
apt-get $o update >/dev/null
(cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
grep -qx "/.gpu/" .git/info/exclude || echo "/.gpu/" >>.git/info/exclude
grep -qx "/.gl/" .git/info/exclude || echo "/.gl/" >>.git/info/exclude
du -cb .gpu .gl | tail -1
