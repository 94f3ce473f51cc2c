#!/bin/bash
# The GPU benchmark as it was run on a lent H200 (the `device` tool of our workplace): that
# machine has no network, so the Deno binary (.gpu/deno.xz), node_modules and the gradient
# bundle (.gpu/nm.tar.xz), the bottle category (.gpu/bottle.tar) and the Vulkan loader
# packages (.gl/*.deb) travel with the working tree. Results go to $OUT.
# Elsewhere, with a GPU and Vulkan driver: `deno task bench --backend webgpu`.
set -u
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export XDG_RUNTIME_DIR=/tmp DENO_DIR=/tmp/deno_dir
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  grep -m1 "model name" /proc/cpuinfo; nproc
} 2>&1 | tee "$OUT/machine.txt"
t0=$(date +%s)
xz -dc .gpu/deno.xz >/tmp/deno && chmod +x /tmp/deno
tar xJf .gpu/nm.tar.xz -C .
mkdir -p /tmp/data && tar xf .gpu/bottle.tar -C /tmp/data
echo "unpacked in $(($(date +%s) - t0)) s" | tee -a "$OUT/machine.txt"
/tmp/deno eval 'const a = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
console.log(a ? "adapter: " + JSON.stringify({ ...a.info, vendor: a.info.vendor, architecture: a.info.architecture, device: a.info.device, description: a.info.description, features: [...a.features] }) : "no adapter")' 2>&1 | tee -a "$OUT/machine.txt"
if command -v g++ >/dev/null; then
  /tmp/deno run -A native/build.mjs --force 2>&1 | tail -2 | tee -a "$OUT/machine.txt"
else
  echo "no g++: native kernels not rebuilt" | tee -a "$OUT/machine.txt"
  rm -rf native/build
fi
bench() { # name, timeout, extra args...
  local name=$1 limit=$2
  shift 2
  echo "=== $name $(date +%T)"
  timeout -k 5 "$limit" /tmp/deno run -A src/cli/bench.ts --data /tmp/data --category bottle --out "$OUT/$name.json" "$@" \
    >"$OUT/$name.log" 2>&1
  echo "rc $? $(date +%T)"
  tail -n 60 "$OUT/$name.log"
}
bench h200-webgpu 180 --backend webgpu --nn exact
PATCHSVDD_WEBGPU_STOCK_KERNELS=1 bench h200-webgpu-stock 120 --backend webgpu --nn exact
PATCHSVDD_WEBGPU_DW=split bench h200-webgpu-split 120 --backend webgpu --nn exact
bench h200-native 90 --backend native --nn exact
