import { assertEquals } from "../../assert.ts";
import { cpuFlagsFromCpuinfo, cpuModelFromCpuinfo, cpuSlug } from "../../../src/lab/bench/host.ts";

// Abridged /proc/cpuinfo texts (one processor each), as these machines print them.
const SAPPHIRE_RAPIDS = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse2 avx fma avx2 bmi2 avx512f avx512dq avx512bw avx512vl avx512_bf16 amx_bf16 avx512_fp16 amx_tile amx_int8
`;
const ZEN3 = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13 64-Core Processor
flags\t\t: fpu sse2 avx fma avx2 bmi2 sha_ni vaes
`;
const GRAVITON2 = `processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x3
CPU part\t: 0xd0c
CPU revision\t: 1
`;
const RASPBERRY_PI_4 = `processor\t: 0
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU part\t: 0xd08

Hardware\t: BCM2835
Model\t\t: Raspberry Pi 4 Model B Rev 1.4
`;

Deno.test("cpuModelFromCpuinfo() reads x86's model name and names ARM cores from implementer and part", () => {
  assertEquals(cpuModelFromCpuinfo(SAPPHIRE_RAPIDS), "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz");
  assertEquals(cpuModelFromCpuinfo(ZEN3), "AMD EPYC 7B13 64-Core Processor");
  assertEquals(cpuModelFromCpuinfo(GRAVITON2), "ARM Neoverse-N1");
  assertEquals(cpuModelFromCpuinfo(RASPBERRY_PI_4), "ARM Cortex-A72");
  assertEquals(cpuModelFromCpuinfo("CPU implementer\t: 0x61\nCPU part\t: 0x999\n"), "Apple part 0x999");
  assertEquals(cpuModelFromCpuinfo("Model\t\t: Some Board\n"), "Some Board");
  assertEquals(cpuModelFromCpuinfo(""), "unknown");
  assertEquals(cpuSlug(cpuModelFromCpuinfo(GRAVITON2)), "arm-neoverse-n1");
});

Deno.test("cpuFlagsFromCpuinfo() reports AVX2, AVX-512F, AMX (tile and bf16) and NEON", () => {
  assertEquals(cpuFlagsFromCpuinfo(SAPPHIRE_RAPIDS), { avx2: true, avx512f: true, amx: true, neon: false });
  assertEquals(cpuFlagsFromCpuinfo(ZEN3), { avx2: true, avx512f: false, amx: false, neon: false });
  assertEquals(cpuFlagsFromCpuinfo(GRAVITON2), { avx2: false, avx512f: false, amx: false, neon: true });
  assertEquals(cpuFlagsFromCpuinfo("flags\t: avx2 avx512f amx_tile\n").amx, false, "AMX without bf16 tiles");
  assertEquals(cpuFlagsFromCpuinfo(""), { avx2: false, avx512f: false, amx: false, neon: false });
});
