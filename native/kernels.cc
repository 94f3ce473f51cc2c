// Patch SVDD native CPU kernels: NHWC float32 convolutions (forward, backprop input, backprop
// filter), batched matmul, and an exact nearest-neighbour search.
//
// Built by native/build.mjs (g++ -O3 -march=native -pthread -shared -fPIC) into
// native/build/libpatchsvdd.so and loaded from Deno with FFI (src/backend/native.ts).
// Every entry point is a plain C function (extern "C" at the bottom of this file).
//
// One GEMM engine serves every convolution. A kernel describes its two operands as packing
// functions ("gathers" that read straight from the NHWC tensors, so no im2col buffer is ever
// materialised) and its output rows as a row -> pointer map; the engine blocks for the caches,
// packs, and runs a register-blocked micro-kernel (14 x 32 or 8 x 48 floats of C in AVX-512
// registers). With k = tap * Cin + ci (tap = i * kw + j):
//   forward          Y[m, co]        = sum_k  im2col(x)[m, k]  * W[k, co]
//   backprop input   dX[m', ci]      = sum_k' col(dy)[m', k']  * W^T[k', ci]   one GEMM per stride phase
//                    (or, for small images, dX[pixel(m, tap)] += dy[m, co] * W[tap]^T[co, ci] per tap)
//   backprop filter  dW^T[co, k]     = sum_m  dy^T[co, m]      * im2col(x)[m, k]   reduction split by thread
// Padding, stride and dilation are arbitrary; taps that fall outside the image read zeros.
// The forward pass of large stride-1 3x3 layers uses Winograd F(2x2, 3x3) instead (see there).
// With the opt-in bf16 precision (psv_set_precision) the same GEMMs run on AMX tiles instead.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// Vector type and register-blocking shapes for the instruction set we are compiled for.
// ---------------------------------------------------------------------------------------------

#if defined(__AVX512F__)
constexpr int VL = 16;  // floats per vector register
constexpr const char* kIsa = "avx512";
#elif defined(__AVX__)
constexpr int VL = 8;
#if defined(__AVX2__)
constexpr const char* kIsa = "avx2";
#else
constexpr const char* kIsa = "avx";
#endif
#elif defined(__ARM_NEON)
constexpr int VL = 4;  // AArch64 Advanced SIMD: 128-bit registers (SVE, where present, is not used)
constexpr const char* kIsa = "neon";
#else
constexpr int VL = 4;  // plain vector extensions (SSE2 on x86-64 without AVX)
constexpr const char* kIsa = "generic";
#endif

typedef float vf __attribute__((vector_size(VL * 4)));              // aligned vector
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4)));  // unaligned vector

inline vf load(const float* p) { return *reinterpret_cast<const vfu*>(p); }
inline void store(float* p, vf v) { *reinterpret_cast<vfu*>(p) = v; }

// ---------------------------------------------------------------------------------------------
// Thread pool. The calling thread works too, and a call returns as soon as every task is done:
// it never waits for a worker that has not woken up yet (on a busy machine a barrier would wait a
// whole scheduler time slice for it). Tasks are claimed one by one under a mutex (they are coarse).
// A second caller arriving while the pool is busy (e.g. a nonblocking FFI call) runs serially.
// ---------------------------------------------------------------------------------------------

class Pool {
 public:
  static Pool& instance() {
    static Pool* pool = new Pool();  // never destroyed: workers live as long as the process
    return *pool;
  }

  // Threads used by a run, the caller included.
  int threads() const { return limit_.load() + 1; }

  void set_threads(int n) {
    if (n <= 0) n = default_threads();
    std::lock_guard<std::mutex> lk(mu_);
    while (static_cast<int>(started_) < n - 1) {
      std::thread([this, id = started_] { worker(id); }).detach();
      ++started_;
    }
    limit_ = n - 1;
  }

  template <class Fn>
  void run(int64_t ntasks, const Fn& fn) {
    if (ntasks <= 0) return;
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock() || limit_.load() == 0 || ntasks == 1) {
      for (int64_t t = 0; t < ntasks; ++t) fn(t);
      return;
    }
    Job job{ntasks, &fn, [](const void* f, int64_t t) { (*static_cast<const Fn*>(f))(t); }};
    uint64_t g;
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = &job;
      next_ = 0;
      done_ = 0;
      g = ++gen_;
    }
    wake_.notify_all();
    work(g);
    std::unique_lock<std::mutex> lk(mu_);
    finished_.wait(lk, [&] { return done_ == ntasks; });  // only tasks already running
    job_ = nullptr;
  }

 private:
  struct Job {
    int64_t ntasks;
    const void* fn;
    void (*call)(const void*, int64_t);
  };

  Pool() { set_threads(default_threads()); }

  static int default_threads() {
    if (const char* env = std::getenv("PATCHSVDD_THREADS")) {
      if (std::atoi(env) > 0) return std::atoi(env);
    }
    return std::max(1u, std::thread::hardware_concurrency());
  }

  // Claims and runs tasks of generation g until none are left.
  void work(uint64_t g) {
    for (;;) {
      const Job* job;
      int64_t t;
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (gen_ != g || job_ == nullptr || next_ >= job_->ntasks) return;
        job = job_;
        t = next_++;
      }
      job->call(job->fn, t);
      std::lock_guard<std::mutex> lk(mu_);
      if (++done_ == job->ntasks) finished_.notify_one();
    }
  }

  void worker(int id) {
    uint64_t seen = 0;
    for (;;) {
      uint64_t g;
      {
        std::unique_lock<std::mutex> lk(mu_);
        wake_.wait(lk, [&] { return gen_ != seen && job_ != nullptr; });
        g = seen = gen_;
      }
      if (id < limit_.load()) work(g);
    }
  }

  std::mutex mu_, busy_;
  std::condition_variable wake_, finished_;
  const Job* job_ = nullptr;
  int64_t next_ = 0, done_ = 0;
  uint64_t gen_ = 0;
  unsigned started_ = 0;
  std::atomic<int> limit_{0};
};

int num_threads() { return Pool::instance().threads(); }

// ---------------------------------------------------------------------------------------------
// Allocator. Every tfjs op returns a fresh output array (up to ~80 MiB for a training step's
// convolutions), and glibc serves sizes above 128 KiB-32 MiB with mmap and unmaps them when
// freed, so each op faulted its output in page by page: on our 2-core VM a quarter of a training
// step's CPU time, most of it in the kernel. Loading the library raises glibc's mmap and trim
// thresholds to 256 MiB so freed arrays are reused from the heap (at most 256 MiB of free heap
// is kept). PATCHSVDD_MALLOC_REUSE=0 keeps glibc's defaults.
// ---------------------------------------------------------------------------------------------

#if defined(__GLIBC__)
__attribute__((constructor)) void reuse_freed_arrays() {
  const char* e = std::getenv("PATCHSVDD_MALLOC_REUSE");
  if (e && e[0] == '0') return;
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
#endif

// Runs fn(task) for task in [0, ntasks) on the pool, or serially when the work (in flops) is too
// small to be worth waking a thread.
template <class Fn>
void parallel_for(int64_t ntasks, double flops, const Fn& fn) {
  if (flops < 4e6 || num_threads() <= 1) {
    for (int64_t t = 0; t < ntasks; ++t) fn(t);
    return;
  }
  Pool::instance().run(ntasks, fn);
}

constexpr int64_t kElemChunk = 1 << 16;  // elements per task

template <class Fn>
void parallel_elements(int64_t n, const Fn& fn) {  // fn(i0, i1) on [i0, i1)
  const int64_t nchunk = (n + kElemChunk - 1) / kElemChunk;
  parallel_for(nchunk, 4.0 * n, [&](int64_t c) { fn(c * kElemChunk, std::min(n, (c + 1) * kElemChunk)); });
}

// A 64-byte aligned float buffer that only grows.
struct Buffer {
  float* p = nullptr;
  size_t n = 0;
  float* get(size_t want) {
    if (want > n) {
      std::free(p);
      size_t bytes = ((want * sizeof(float) + 63) / 64) * 64;
      p = static_cast<float*>(std::aligned_alloc(64, bytes));
      n = want;
    }
    return p;
  }
  ~Buffer() { std::free(p); }
};

// Per-thread packing buffers, reused across calls.
struct Scratch {
  Buffer a, b;
  std::vector<float*> rows;
};
thread_local Scratch t_scratch;

// ---------------------------------------------------------------------------------------------
// Micro-kernel: C[MR, NR] (+)= A[MR, kc] * B[kc, NR], then an optional bias + activation.
// A is packed row-major with row stride KCS (a compile-time constant, so the MR broadcasts use
// immediate offsets); B is packed [kc][NR]. Rows of C are given as pointers (strided outputs).
// ---------------------------------------------------------------------------------------------

enum Activation { kLinear = 0, kRelu = 1, kLeakyRelu = 2 };

struct Epilogue {
  const float* bias;  // padded with zeros to a whole number of NR panels; may be null
  int act;
  float alpha;
};

inline vf activate(vf v, int act, float alpha) {
  if (act == kRelu) return v > 0.0f ? v : vf{};
  if (act == kLeakyRelu) return v < 0.0f ? v * alpha : v;
  return v;
}

inline float activate1(float v, int act, float alpha) {
  if (act == kRelu) return v > 0.0f ? v : 0.0f;
  if (act == kLeakyRelu) return v < 0.0f ? v * alpha : v;
  return v;
}

template <int MR_, int NV_, int KCS_>
struct MicroKernel {
  static constexpr int MR = MR_;
  static constexpr int NV = NV_;
  static constexpr int NR = NV_ * VL;
  static constexpr int KCS = KCS_;
  static constexpr bool kAmx = false;
  using Elem = float;

  // Never inlined: inlined into a large caller, GCC spilled the accumulators to the stack.
  __attribute__((noinline)) static void run(int kc, const float* __restrict A, const float* __restrict B,
                                            float* const* crow, int mvalid,
                  int nvalid, bool accumulate, const Epilogue* ep, int n0) {
    vf c[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) c[r][v] = vf{};
    for (int k = 0; k < kc; ++k) {
      vf b[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) b[v] = *reinterpret_cast<const vf*>(B + k * NR + v * VL);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const float a = A[r * KCS + k];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) c[r][v] += a * b[v];
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      if (r >= mvalid) break;
      float* cp = crow[r] + n0;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const int lanes = nvalid - v * VL;
        if (lanes <= 0) break;
        vf val = c[r][v];
        if (lanes >= VL) {
          if (accumulate) val += load(cp + v * VL);
          if (ep) {
            if (ep->bias) val += load(ep->bias + n0 + v * VL);
            val = activate(val, ep->act, ep->alpha);
          }
          store(cp + v * VL, val);
        } else {
          alignas(64) float tmp[VL];
          *reinterpret_cast<vf*>(tmp) = val;
          for (int l = 0; l < lanes; ++l) {
            float t = tmp[l];
            if (accumulate) t += cp[v * VL + l];
            if (ep) {
              if (ep->bias) t += ep->bias[n0 + v * VL + l];
              t = activate1(t, ep->act, ep->alpha);
            }
            cp[v * VL + l] = t;
          }
        }
      }
    }
  }
};

// Register-blocking shapes. "Wide" suits long M (convolution outputs), "Tall" suits small M with
// a long reduction (the backprop-filter GEMM, M = Cout).
// The non-AVX-512 shapes fit 16 vector registers (AVX2). NEON has 32 but keeps these shapes: no ARM
// machine has measured a larger block yet.
#if defined(__AVX512F__)
using KernelWide = MicroKernel<14, 2, 256>;  // 28 accumulators, B micro-panel 32 KiB
using KernelTall = MicroKernel<8, 3, 160>;   // 24 accumulators, B micro-panel 30 KiB
#else
using KernelWide = MicroKernel<6, 2, 256>;
using KernelTall = MicroKernel<6, 2, 128>;  // 4 x 24 (3 B vectors) left GCC too few registers: B was
                                            // reloaded for every row, 0.8x the speed of 6 x 16 (Zen 5)
#endif

// A dense matrix with arbitrary strides: element (row, col) = p[row * s_row + col * s_col].
// Elements are float32, or bf16 bits (uint16_t) for the AMX kernels.
template <class T>
struct Dense {
  const T* p;
  int64_t s_row, s_col;
  T at(int64_t r, int64_t c) const { return p[r * s_row + c * s_col]; }
};

// ---------------------------------------------------------------------------------------------
// Matmul precision. kFp32 (the default) runs the float32 micro-kernels above. On CPUs with AMX
// (Intel Sapphire Rapids and later) the opt-in kBf16 runs the same GEMMs on bfloat16 tiles:
// operands rounded to bf16 (8 mantissa bits), products summed in float32. Each operand is
// converted to bf16 once per call (Operand, Transposed) and then gathered by the same packing
// code as the float32 kernels (Dense, Im2col over bf16 bits). Splitting each operand into two
// bf16 parts to recover ~16 mantissa bits (three tile products per block) was tried and was no
// faster than float32 here, so it is not offered.
// ---------------------------------------------------------------------------------------------

enum Precision { kFp32 = 0, kBf16 = 1 };
// Per calling thread: each Deno worker (e.g. parallel test modules in one process) sets its own.
// Only the calling thread reads it (to pick the kernel shape); pool threads never do.
thread_local int g_precision = kFp32;

#if defined(__AMX_TILE__) && defined(__AMX_BF16__) && defined(__AVX512BF16__) && defined(__AVX512BW__)
#define PSV_AMX 1
#include <sys/syscall.h>
#include <unistd.h>

// Asks the kernel for the AMX tile state once per process (Linux >= 5.16). False when refused.
bool amx_permitted() {
  static const bool ok = [] {
    constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return ok;
}

// Every tile is 16 rows x 64 bytes: 0-3 hold a 32 x 32 block of C, 4-5 two 16-row slices of A
// (32 bf16 of the reduction each), 6-7 two 16-column slices of B in VNNI order (pairs of
// reduction rows interleaved). Tile configuration is per thread.
void amx_configure_thread() {
  thread_local bool configured = false;
  if (configured) return;
  struct alignas(64) {
    uint8_t palette = 1, start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
  } cfg;
  for (int t = 0; t < 8; ++t) {
    cfg.colsb[t] = 64;
    cfg.rows[t] = 16;
  }
  _tile_loadconfig(&cfg);
  configured = true;
}

// Two reduction rows r0, r1 of a 32-column B panel (bf16 bits) -> 64 bf16 in VNNI order
// (column n: r0[n], r1[n]).
inline void vnni_pair(const uint16_t* r0, const uint16_t* r1, uint16_t* dst) {
  alignas(64) static const uint16_t kLo[32] = {0, 32, 1, 33, 2,  34, 3,  35, 4,  36, 5,  37, 6,  38, 7,  39,
                                               8, 40, 9, 41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
  alignas(64) static const uint16_t kHi[32] = {16, 48, 17, 49, 18, 50, 19, 51, 20, 52, 21, 53, 22, 54, 23, 55,
                                               24, 56, 25, 57, 26, 58, 27, 59, 28, 60, 29, 61, 30, 62, 31, 63};
  const __m512i a = _mm512_loadu_si512(r0), b = _mm512_loadu_si512(r1);
  _mm512_storeu_si512(dst, _mm512_permutex2var_epi16(a, _mm512_load_si512(kLo), b));
  _mm512_storeu_si512(dst + 32, _mm512_permutex2var_epi16(a, _mm512_load_si512(kHi), b));
}

alignas(64) const uint16_t kZeroRow[32] = {};

// C (tiles 0-3, a 32 x 32 block) += A[32][kp] * B[kp][32]. A: 32 rows of bf16, lda apart; B: a
// VNNI panel of kp / 2 rows of 64 bf16.
inline void amx_block(const uint16_t* A, int lda, const uint16_t* B, int kp) {
  for (int kk = 0; kk < kp; kk += 32) {
    // Loads interleaved with the products that need them: tiles are not renamed, so a load
    // waits for the products still reading the tile it overwrites.
    _tile_loadd(4, A + kk, lda * 2);
    _tile_loadd(6, B + kk * 32, 128);
    _tile_dpbf16ps(0, 4, 6);
    _tile_loadd(7, B + kk * 32 + 32, 128);
    _tile_dpbf16ps(1, 4, 7);
    _tile_loadd(5, A + 16 * lda + kk, lda * 2);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
}
#else
bool amx_permitted() { return false; }
#endif

// x rounded to bf16 (nearest, ties to even), as its 16 bits.
inline uint16_t bf16_bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}

// src[0 .. n) rounded to bf16 (nearest, ties to even) -> dst, on the thread pool.
void to_bf16(const float* src, uint16_t* dst, int64_t n) {
  parallel_elements(n, [&](int64_t i0, int64_t i1) {
    int64_t i = i0;
#if defined(PSV_AMX)
    for (; i + 16 <= i1; i += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(src + i)));
#endif
    for (; i < i1; ++i) dst[i] = bf16_bits(src[i]);
  });
}

// An operand in the element type T of a kernel shape: float32 as given, or converted once to
// bf16 bits, so that the gathers copy half the bytes and nothing is converted twice.
template <class T>
struct Operand;
template <>
struct Operand<float> {
  const float* p;
  Operand(const float* x, int64_t) : p(x) {}
};
template <>
struct Operand<uint16_t> {
  std::vector<uint16_t> v;
  const uint16_t* p;
  Operand(const float* x, int64_t n) : v(static_cast<size_t>(n)) {
    to_bf16(x, v.data(), n);
    p = v.data();
  }
};

// The transpose of a [rows][cols] float32 matrix (element (c, r) = x[r * cols + c]) as a Dense of
// element type T: a strided view for float32, a transposed bf16 copy for AMX (whose A tiles need
// contiguous rows).
template <class T>
struct Transposed;
template <>
struct Transposed<float> {
  Dense<float> d;
  Transposed(const float* x, int64_t, int cols) : d{x, 1, cols} {}
};
template <>
struct Transposed<uint16_t> {
  std::vector<uint16_t> v;
  Dense<uint16_t> d;
  Transposed(const float* x, int64_t rows, int cols) : v(static_cast<size_t>(rows) * cols), d{nullptr, rows, 1} {
    constexpr int64_t kBlock = 32;  // rows per block: the block's source (32 x cols floats) stays in L1
    constexpr int64_t kTask = 8;    // blocks per task
    const int64_t nblock = (rows + kBlock - 1) / kBlock;
    parallel_for((nblock + kTask - 1) / kTask, 4.0 * rows * cols, [&](int64_t t) {
      for (int64_t r0 = t * kTask * kBlock; r0 < std::min(rows, (t + 1) * kTask * kBlock); r0 += kBlock) {
        const int64_t r1 = std::min(rows, r0 + kBlock);
        for (int c = 0; c < cols; ++c)
          for (int64_t r = r0; r < r1; ++r) v[static_cast<size_t>(c) * rows + r] = bf16_bits(x[r * cols + c]);
      }
    });
    d.p = v.data();
  }
};

// The GEMM shapes of the AMX engine: C blocks of 32 x 32 and a reduction block of KCS (a multiple
// of 32). Wide: long M (convolutions, matmul); Tall: the backprop-filter GEMM, whose B (an im2col
// slab of KCS rows) must stay in L2. Operands are packed as bf16 bits.
template <int KCS_>
struct AmxShape {
  static constexpr int MR = 32, NR = 32, KCS = KCS_;
  static constexpr bool kAmx = true;
  using Elem = uint16_t;
};
using AmxWide = AmxShape<512>;
using AmxTall = AmxShape<128>;

// Per-thread buffers of the AMX engine.
struct AmxScratch {
  Buffer c;
  std::vector<uint16_t> a, b, staging;
  std::vector<float*> rows;
};
thread_local AmxScratch t_amx;

#if defined(PSV_AMX)
// gemm_range (below) on AMX tiles; same contract, with packA / packB writing bf16 bits. C
// accumulates in a float32 block buffer across reduction blocks and is written to its rows once,
// with the epilogue. B is converted to VNNI order once per call when several row blocks share it.
template <class K, class PackA, class PackB, class RowPtr>
void gemm_range_amx(int64_t m0, int64_t m1, int N, int64_t k0, int64_t k1, const PackA& packA, const PackB& packB,
                    const RowPtr& rowptr, const Epilogue* ep, bool accumulate, int64_t MC) {
  constexpr int MR = K::MR, NR = K::NR, KCS = K::KCS;
  amx_configure_thread();
  AmxScratch& s = t_amx;
  const int npanel = (N + NR - 1) / NR, Npad = npanel * NR;
  MC = std::min<int64_t>(MC, m1 - m0);
  MC = ((MC + MR - 1) / MR) * MR;
  const int ntile_max = static_cast<int>(MC / MR);
  // Reduction blocks: as few as possible, of equal length rounded up to 32.
  const int64_t klen = k1 - k0;
  const int64_t nkb = std::max<int64_t>(1, (klen + KCS - 1) / KCS);
  const int kstep = static_cast<int>(std::min<int64_t>(KCS, ((klen + nkb - 1) / nkb + 31) / 32 * 32));
  const bool hoistB = m1 - m0 > MC;  // B is the same for every row block: convert it once
  const int64_t bblock = static_cast<int64_t>(npanel) * KCS * NR;  // bf16 per converted reduction block
  float* C = s.c.get(static_cast<size_t>(MC) * Npad);
  s.a.resize(static_cast<size_t>(ntile_max) * MR * KCS);
  s.b.resize(static_cast<size_t>((hoistB ? nkb : 1) * bblock));
  s.staging.resize(static_cast<size_t>(bblock));
  if (s.rows.size() < static_cast<size_t>(MC)) s.rows.resize(MC);
  float** rows = s.rows.data();

  auto convertB = [&](int64_t pc, int kc, int kp, uint16_t* dst) {
    packB(pc, kc, s.staging.data());
    for (int j = 0; j < npanel; ++j) {
      const uint16_t* src = s.staging.data() + static_cast<size_t>(j) * kc * NR;
      for (int k = 0; k < kp; k += 2)
        vnni_pair(k < kc ? src + k * NR : kZeroRow, k + 1 < kc ? src + (k + 1) * NR : kZeroRow,
                  dst + (static_cast<size_t>(j) * kp + k) * NR);
    }
  };
  if (hoistB) {
    int64_t b = 0;
    for (int64_t pc = k0; pc < k1; pc += kstep, ++b) {
      const int kc = static_cast<int>(std::min<int64_t>(kstep, k1 - pc)), kp = (kc + 31) / 32 * 32;
      convertB(pc, kc, kp, s.b.data() + b * bblock);
    }
  }

  for (int64_t mb = m0; mb < m1; mb += MC) {
    const int mlen = static_cast<int>(std::min<int64_t>(MC, m1 - mb));
    const int ntile = (mlen + MR - 1) / MR;
    for (int i = 0; i < mlen; ++i) rows[i] = rowptr(mb + i);
    if (k1 <= k0) std::memset(C, 0, static_cast<size_t>(mlen) * Npad * sizeof(float));
    int64_t b = 0;
    for (int64_t pc = k0; pc < k1; pc += kstep, ++b) {
      const int kc = static_cast<int>(std::min<int64_t>(kstep, k1 - pc)), kp = (kc + 31) / 32 * 32;
      uint16_t* bp = s.b.data() + (hoistB ? b * bblock : 0);
      if (!hoistB) convertB(pc, kc, kp, bp);
      for (int t = 0; t < ntile; ++t) {
        uint16_t* at = s.a.data() + static_cast<size_t>(t) * MR * KCS;
        packA(mb + t * MR, std::min(MR, mlen - t * MR), pc, kc, at);
        if (kp > kc)
          for (int r = 0; r < MR; ++r) std::memset(at + r * KCS + kc, 0, (kp - kc) * sizeof(uint16_t));
      }
      const int sc = Npad * 4;  // bytes between C rows
      for (int t = 0; t < ntile; ++t) {  // A (32 x kp) stays in L1 while every B panel passes
        for (int j = 0; j < npanel; ++j) {
          float* c = C + static_cast<size_t>(t) * MR * Npad + j * NR;
          if (pc == k0) {
            _tile_zero(0);
            _tile_zero(1);
            _tile_zero(2);
            _tile_zero(3);
          } else {
            _tile_loadd(0, c, sc);
            _tile_loadd(1, c + 16, sc);
            _tile_loadd(2, c + 16 * Npad, sc);
            _tile_loadd(3, c + 16 * Npad + 16, sc);
          }
          amx_block(s.a.data() + static_cast<size_t>(t) * MR * KCS, KCS, bp + static_cast<size_t>(j) * kp * NR, kp);
          _tile_stored(0, c, sc);
          _tile_stored(1, c + 16, sc);
          _tile_stored(2, c + 16 * Npad, sc);
          _tile_stored(3, c + 16 * Npad + 16, sc);
        }
      }
    }
    // C rows -> output rows: accumulate, bias, activation.
    for (int i = 0; i < mlen; ++i) {
      float* out = rows[i];
      const float* c = C + static_cast<size_t>(i) * Npad;
      for (int n = 0; n < N; n += 16) {
        const int left = N - n;
        const __mmask16 m = left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1);
        __m512 v = _mm512_loadu_ps(c + n);
        if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, out + n));
        if (ep) {
          if (ep->bias) v = _mm512_add_ps(v, _mm512_loadu_ps(ep->bias + n));
          v = (__m512)activate((vf)v, ep->act, ep->alpha);
        }
        _mm512_mask_storeu_ps(out + n, m, v);
      }
    }
  }
}
#endif

// ---------------------------------------------------------------------------------------------
// GEMM driver. For rows [m0, m1) and reduction [k0, k1):
//   packA(m, mr, k, kc, dst)   fills dst[MR][KCS] with A[m .. m+mr, k .. k+kc] (rows >= mr zeroed)
//   packB(k, kc, dst)          fills dst[panel][kc][NR] with B[k .. k+kc, 0 .. N] (zero padded)
//   rowptr(m)                  the address of C[m, 0]
// C is overwritten unless `accumulate`; the epilogue is applied once, after the last k block.
// ---------------------------------------------------------------------------------------------

template <class K, class PackA, class PackB, class RowPtr>
void gemm_range_fp32(int64_t m0, int64_t m1, int N, int64_t k0, int64_t k1, const PackA& packA, const PackB& packB,
                const RowPtr& rowptr, const Epilogue* ep, bool accumulate, int64_t MC) {
  constexpr int MR = K::MR, NR = K::NR, KCS = K::KCS;
  if (m1 <= m0 || N <= 0) return;
  const int npanel = (N + NR - 1) / NR;
  Scratch& s = t_scratch;
  MC = std::min<int64_t>(MC, m1 - m0);
  const int ntile_max = static_cast<int>((MC + MR - 1) / MR);
  float* Ap = s.a.get(static_cast<size_t>(ntile_max) * MR * KCS);
  float* Bp = s.b.get(static_cast<size_t>(npanel) * KCS * NR);
  if (s.rows.size() < static_cast<size_t>(ntile_max * MR)) s.rows.resize(ntile_max * MR);
  float** rows = s.rows.data();

  for (int64_t mb = m0; mb < m1; mb += MC) {
    const int mlen = static_cast<int>(std::min<int64_t>(MC, m1 - mb));
    const int ntile = (mlen + MR - 1) / MR;
    for (int i = 0; i < mlen; ++i) rows[i] = rowptr(mb + i);
    if (k1 <= k0) {  // empty reduction: C = epilogue(0) (or unchanged when accumulating)
      if (accumulate && !ep) continue;
      for (int i = 0; i < mlen; ++i)
        for (int n = 0; n < N; ++n) {
          float t = accumulate ? rows[i][n] : 0.0f;
          if (ep) t = activate1(t + (ep->bias ? ep->bias[n] : 0.0f), ep->act, ep->alpha);
          rows[i][n] = t;
        }
      continue;
    }
    for (int64_t pc = k0; pc < k1; pc += KCS) {
      const int kc = static_cast<int>(std::min<int64_t>(KCS, k1 - pc));
      packB(pc, kc, Bp);
      for (int t = 0; t < ntile; ++t) packA(mb + t * MR, std::min(MR, mlen - t * MR), pc, kc, Ap + t * MR * KCS);
      const bool acc = accumulate || pc > k0;
      const Epilogue* e = pc + kc >= k1 ? ep : nullptr;
      for (int j = 0; j < npanel; ++j) {
        const float* Bj = Bp + static_cast<size_t>(j) * kc * NR;
        const int nvalid = std::min(NR, N - j * NR);
        for (int t = 0; t < ntile; ++t) {
          K::run(kc, Ap + t * MR * KCS, Bj, rows + t * MR, std::min(MR, mlen - t * MR), nvalid, acc, e, j * NR);
        }
      }
    }
  }
}

// Runs gemm_range_fp32, or gemm_range_amx for the AMX shapes.
template <class K, class PackA, class PackB, class RowPtr>
void gemm_range(int64_t m0, int64_t m1, int N, int64_t k0, int64_t k1, const PackA& packA, const PackB& packB,
                const RowPtr& rowptr, const Epilogue* ep, bool accumulate, int64_t MC) {
  if constexpr (K::kAmx) {
#if defined(PSV_AMX)
    gemm_range_amx<K>(m0, m1, N, k0, k1, packA, packB, rowptr, ep, accumulate, MC);
#endif
  } else {
    gemm_range_fp32<K>(m0, m1, N, k0, k1, packA, packB, rowptr, ep, accumulate, MC);
  }
}

// Splits [0, M) into blocks of a multiple of MR rows: at most ~512 rows (packed A stays in L2),
// and a multiple of the thread count so both cores get the same share.
template <class K>
int64_t block_rows(int64_t M, int64_t batches) {
  const int nt = num_threads();
  int64_t nblocks = std::max<int64_t>(1, (M + 511) / 512);
  if (batches * nblocks < nt) nblocks = (nt + batches - 1) / batches;
  if (batches == 1) nblocks = ((nblocks + nt - 1) / nt) * nt;
  int64_t mc = (M + nblocks - 1) / nblocks;
  mc = ((mc + K::MR - 1) / K::MR) * K::MR;
  return std::max<int64_t>(mc, K::MR);
}

// Splits C's rows across threads (each thread packs its own blocks): forward, backprop input, matmul.
template <class K, class PackA, class PackB, class RowPtr>
void gemm_parallel_rows(int64_t M, int N, int64_t Kdim, const PackA& packA, const PackB& packB, const RowPtr& rowptr,
                        const Epilogue* ep, bool accumulate = false) {
  const int64_t mc = block_rows<K>(M, 1);
  const int64_t nblocks = (M + mc - 1) / mc;
  parallel_for(nblocks, 2.0 * M * N * Kdim, [&](int64_t b) {
    gemm_range<K>(b * mc, std::min(M, (b + 1) * mc), N, 0, Kdim, packA, packB, rowptr, ep, accumulate, mc);
  });
}

// Calls f(shape) with the float32 register-blocking shape, or with the AMX shape when a bf16
// precision is selected (psv_set_precision only accepts one where AMX works).
template <class Fp32, class Amx, class F>
void with_kernel(const F& f) {
  if (g_precision != kFp32) {
    f(Amx{});
  } else {
    f(Fp32{});
  }
}

// ---------------------------------------------------------------------------------------------
// Operand gathers.
// ---------------------------------------------------------------------------------------------

// Packs rows of a Dense matrix as GEMM "A" ([MR][KCS], rows >= mr zeroed).
template <int MR, int KCS, class T>
void pack_dense_a(const Dense<T>& d, int64_t m, int mr, int64_t k, int kc, T* dst) {
  if (d.s_col == 1) {
    for (int r = 0; r < mr; ++r) std::memcpy(dst + r * KCS, d.p + (m + r) * d.s_row + k, kc * sizeof(T));
  } else {
    for (int kk = 0; kk < kc; ++kk) {
      const T* src = d.p + (k + kk) * d.s_col + m * d.s_row;
      for (int r = 0; r < mr; ++r) dst[r * KCS + kk] = src[r * d.s_row];
    }
  }
  for (int r = mr; r < MR; ++r) std::memset(dst + r * KCS, 0, kc * sizeof(T));
}

// Packs a Dense matrix [K, N] as GEMM "B" ([panel][kc][NR], zero padded).
template <int NR, class T>
void pack_dense_b(const Dense<T>& d, int N, int64_t k, int kc, T* dst) {
  const int npanel = (N + NR - 1) / NR;
  for (int j = 0; j < npanel; ++j) {
    const int n0 = j * NR, nv = std::min(NR, N - n0);
    T* out = dst + static_cast<size_t>(j) * kc * NR;
    for (int kk = 0; kk < kc; ++kk, out += NR) {
      if (d.s_col == 1) {
        std::memcpy(out, d.p + (k + kk) * d.s_row + n0, nv * sizeof(T));
      } else {
        for (int v = 0; v < nv; ++v) out[v] = d.at(k + kk, n0 + v);
      }
      for (int v = nv; v < NR; ++v) out[v] = T{};
    }
  }
}

// Copies n floats (short runs are common: a 3-channel pixel triple is 9 floats).
inline void copy_floats(float* dst, const float* src, int n) {
#if defined(__AVX512F__)
  for (; n >= 16; n -= 16, dst += 16, src += 16) _mm512_storeu_ps(dst, _mm512_loadu_ps(src));
  if (n > 0) {
    const __mmask16 m = static_cast<__mmask16>((1u << n) - 1);
    _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
  }
#else
  std::memcpy(dst, src, n * sizeof(float));
#endif
}

// The same for bf16 bits.
inline void copy_floats(uint16_t* dst, const uint16_t* src, int n) {
#if defined(__AVX512BW__)
  for (; n >= 32; n -= 32, dst += 32, src += 32) _mm512_storeu_si512(dst, _mm512_loadu_si512(src));
  if (n > 0) {
    const __mmask32 m = static_cast<__mmask32>((1ull << n) - 1);
    _mm512_mask_storeu_epi16(dst, m, _mm512_maskz_loadu_epi16(m, src));
  }
#else
  std::memcpy(dst, src, n * sizeof(uint16_t));
#endif
}

// The implicit im2col matrix of an NHWC image batch: row m = (n, a, b) is the patch whose corner
// sits at pixel (a * ry + y0, b * rx + x0); column k = tap * C + c reads channel c at that corner
// plus the tap's offset (toy[tap], tox[tap]); pixels outside the image read 0. Call finalize()
// after filling the taps. T: float32, or bf16 bits for the AMX kernels.
template <class T>
struct Im2col {
  const T* src;
  int H, W, C;
  int Ra, Rb;
  int ry, rx, y0, x0;
  std::vector<int> toy, tox;

  Im2col(const T* src_, int H_, int W_, int C_, int Ra_, int Rb_, int ry_, int rx_, int y0_, int x0_)
      : src(src_), H(H_), W(W_), C(C_), Ra(Ra_), Rb(Rb_), ry(ry_), rx(rx_), y0(y0_), x0(x0_) {}

  // Columns that are contiguous in memory for a row whose taps are all inside the image: taps
  // that are horizontally adjacent pixels (dilation 1) merge into one run.
  struct Run {
    int64_t k0;
    int len;
    int64_t offset;  // floats from the row's corner pixel
  };
  std::vector<Run> runs;
  int tymin = 0, tymax = 0, txmin = 0, txmax = 0;

  void finalize() {
    runs.clear();
    const int ntaps = static_cast<int>(toy.size());
    for (int t = 0; t < ntaps;) {
      int t2 = t;
      while (t2 + 1 < ntaps && toy[t2 + 1] == toy[t2] && tox[t2 + 1] == tox[t2] + 1) ++t2;
      runs.push_back({static_cast<int64_t>(t) * C, (t2 - t + 1) * C, (static_cast<int64_t>(toy[t]) * W + tox[t]) * C});
      t = t2 + 1;
    }
    if (ntaps > 0) {
      tymin = *std::min_element(toy.begin(), toy.end());
      tymax = *std::max_element(toy.begin(), toy.end());
      txmin = *std::min_element(tox.begin(), tox.end());
      txmax = *std::max_element(tox.begin(), tox.end());
    }
  }

  int64_t cols() const { return static_cast<int64_t>(toy.size()) * C; }

  struct Row {
    const T* img;
    int y, x;
    bool inside;  // every tap inside the image
  };

  Row locate(int64_t m) const {
    const int64_t per = static_cast<int64_t>(Ra) * Rb;
    const int64_t n = m / per;
    const int rem = static_cast<int>(m - n * per);
    const int a = rem / Rb, b = rem - (rem / Rb) * Rb;
    const int y = a * ry + y0, x = b * rx + x0;
    const bool inside = y + tymin >= 0 && y + tymax < H && x + txmin >= 0 && x + txmax < W;
    return {src + n * H * W * static_cast<int64_t>(C), y, x, inside};
  }

  // Writes columns [k, k + len) of the row to dst.
  void copy(const Row& row, int64_t k, int len, T* dst) const {
    const int64_t kend = k + len;
    if (row.inside) {
      const T* corner = row.img + (static_cast<int64_t>(row.y) * W + row.x) * C;
      for (const Run& r : runs) {
        const int64_t lo = std::max(k, r.k0), hi = std::min(kend, r.k0 + r.len);
        if (lo < hi) copy_floats(dst + (lo - k), corner + r.offset + (lo - r.k0), static_cast<int>(hi - lo));
      }
      return;
    }
    int t = static_cast<int>(k / C);
    int c = static_cast<int>(k - static_cast<int64_t>(t) * C);
    for (int left = len; left > 0; ++t, c = 0) {
      const int n = std::min(C - c, left);
      const int y = row.y + toy[t], x = row.x + tox[t];
      if (y >= 0 && y < H && x >= 0 && x < W) {
        copy_floats(dst, row.img + (static_cast<int64_t>(y) * W + x) * C + c, n);
      } else {
        std::memset(dst, 0, n * sizeof(T));
      }
      dst += n;
      left -= n;
    }
  }

  // GEMM "A" operand: rows m .. m + mr, columns k .. k + kc.
  template <int MR, int KCS>
  void pack_a(int64_t m, int mr, int64_t k, int kc, T* dst) const {
    for (int r = 0; r < mr; ++r) copy(locate(m + r), k, kc, dst + r * KCS);
    for (int r = mr; r < MR; ++r) std::memset(dst + r * KCS, 0, kc * sizeof(T));
  }

  // GEMM "B" operand (rows of im2col are the reduction): rows k .. k + kc, all columns.
  template <int NR>
  void pack_b(int64_t k, int kc, T* dst) const {
    const int N = static_cast<int>(cols());
    const int npanel = (N + NR - 1) / NR;
    for (int kk = 0; kk < kc; ++kk) {
      const Row row = locate(k + kk);
      if (row.inside) {  // each run of contiguous columns, cut at panel boundaries
        const T* corner = row.img + (static_cast<int64_t>(row.y) * W + row.x) * C;
        for (const Run& r : runs) {
          for (int64_t c = r.k0; c < r.k0 + r.len;) {
            const int j = static_cast<int>(c / NR), off = static_cast<int>(c - static_cast<int64_t>(j) * NR);
            const int n = static_cast<int>(std::min<int64_t>(NR - off, r.k0 + r.len - c));
            copy_floats(dst + (static_cast<size_t>(j) * kc + kk) * NR + off, corner + r.offset + (c - r.k0), n);
            c += n;
          }
        }
        T* last = dst + (static_cast<size_t>(npanel - 1) * kc + kk) * NR;
        for (int v = N - (npanel - 1) * NR; v < NR; ++v) last[v] = T{};
        continue;
      }
      for (int j = 0; j < npanel; ++j) {
        const int n0 = j * NR, nv = std::min(NR, N - n0);
        T* out = dst + (static_cast<size_t>(j) * kc + kk) * NR;
        copy(row, n0, nv, out);
        for (int v = nv; v < NR; ++v) out[v] = T{};
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Convolutions. Shapes come in one int32 block (see ConvShape::read).
// ---------------------------------------------------------------------------------------------

struct ConvShape {
  int N, H, W, Cin, Ho, Wo, Cout, kh, kw, sh, sw, dh, dw, pt, pl;
  static ConvShape read(const int32_t* p) {
    return {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
  }
  int64_t K() const { return static_cast<int64_t>(kh) * kw * Cin; }
};

// Bias padded to whole panels so the micro-kernel can load it as vectors.
std::vector<float> padded_bias(const float* bias, int N, int NR) {
  std::vector<float> b(static_cast<size_t>((N + NR - 1) / NR) * NR + VL, 0.0f);
  if (bias) std::copy(bias, bias + N, b.begin());
  return b;
}

// The im2col view of a convolution's input in its forward geometry: one tap per filter position.
template <class T>
Im2col<T> forward_im2col(const T* x, const ConvShape& s) {
  Im2col<T> g(x, s.H, s.W, s.Cin, s.Ho, s.Wo, s.sh, s.sw, -s.pt, -s.pl);
  for (int i = 0; i < s.kh; ++i)
    for (int j = 0; j < s.kw; ++j) {
      g.toy.push_back(i * s.dh);
      g.tox.push_back(j * s.dw);
    }
  g.finalize();
  return g;
}

// ---------------------------------------------------------------------------------------------
// Winograd F(2x2, 3x3) for the forward pass of float32 3x3 convolutions of stride 1: each 2x2
// output tile costs 16 products per channel pair instead of 36. Y = A^T [(G g G^T) .* (B^T d B)] A,
// the 16 elementwise products summed over channels as 16 GEMMs. Used where it measured faster:
// outputs of at least 5x5 and at least 32 input channels (f_small's layers 2 to 6: 1.3x on the 9x9
// to 7x7 layer, 1.15x on the 7x7 to 5x5 one, Zen 5 single thread). A 3x3 output wastes too much of
// each tile, and the input gradient (a "full" convolution, mostly zero padding at these sizes) was
// no faster, so both keep the direct kernels. The result differs from the direct sum by float32 rounding only (the
// transforms' coefficients are 0, +-1/2 and +-1). The same layers' filter gradients use Winograd too
// (conv3x3_winograd_filter). PATCHSVDD_WINOGRAD=0 turns both off.
// ---------------------------------------------------------------------------------------------

bool winograd_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("PATCHSVDD_WINOGRAD");
    return !(e && e[0] == '0');
  }();
  return on;
}

bool winograd_ok(const ConvShape& s) {
  const int cin = s.Cin, cout = s.Cout;
  return g_precision == kFp32 && winograd_enabled() && s.kh == 3 && s.kw == 3 && s.sh == 1 && s.sw == 1 && s.dh == 1 && s.dw == 1 &&
         cin % VL == 0 && cout % VL == 0 && cin >= 32 && s.Ho >= 5 && s.Wo >= 5;
}

// y[n, a, b, co] = epilogue(sum over i, j < 3 and ci of x[n, a + i - pt, b + j - pl, ci] * w(i, j, ci, co))
// for a < Ho, b < Wo (x reads 0 outside H x W). w(i, j, ci, co) gives the filter.
template <class Wf>
void conv3x3_winograd(const float* x, int N, int H, int W, int C, int pt, int pl, int Ho, int Wo, int Co, const Wf& w,
                      float* y, const Epilogue* ep) {
  // Filter transform U[e][ci][co] = (G g G^T)[e], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
  std::vector<float> U(static_cast<size_t>(16) * C * Co);
  for (int ci = 0; ci < C; ++ci)
    for (int co = 0; co < Co; ++co) {
      float g[3][3], t[4][3];
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) g[i][j] = w(i, j, ci, co);
      for (int j = 0; j < 3; ++j) {
        t[0][j] = g[0][j];
        t[1][j] = 0.5f * (g[0][j] + g[1][j] + g[2][j]);
        t[2][j] = 0.5f * (g[0][j] - g[1][j] + g[2][j]);
        t[3][j] = g[2][j];
      }
      for (int i = 0; i < 4; ++i) {
        const float u[4] = {t[i][0], 0.5f * (t[i][0] + t[i][1] + t[i][2]), 0.5f * (t[i][0] - t[i][1] + t[i][2]),
                            t[i][2]};
        for (int j = 0; j < 4; ++j) U[(static_cast<size_t>(i * 4 + j) * C + ci) * Co + co] = u[j];
      }
    }
  const int TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, T = TH * TW;
  const int64_t tiles = static_cast<int64_t>(N) * T;
  constexpr int64_t kChunk = 384;  // tiles per task: V and the products stay within L2
  using K = KernelWide;
  // When C is 32, 64, 128 or 256, V[e] is written as the GEMM's packed A operand (rows of stride C,
  // padded to whole MR tiles) and U is packed once per call, so the GEMMs run without packing.
  const bool direct = C == 32 || C == 64 || C == 128 || C == 256;
  const int npanel = (Co + K::NR - 1) / K::NR;
  Buffer up;  // U[e] packed as GEMM "B" panels, 64-byte aligned
  if (direct) {
    float* p = up.get(static_cast<size_t>(16) * npanel * C * K::NR);
    for (int e = 0; e < 16; ++e)
      pack_dense_b<K::NR>(Dense<float>{U.data() + static_cast<size_t>(e) * C * Co, Co, 1}, Co, 0, C,
                          p + static_cast<size_t>(e) * npanel * C * K::NR);
  }
  parallel_for((tiles + kChunk - 1) / kChunk, 2.0 * 16 * tiles * C * Co, [&](int64_t task) {
    const int64_t t0 = task * kChunk, t1 = std::min(tiles, t0 + kChunk);
    const int M = static_cast<int>(t1 - t0);
    const int Mv = direct ? (M + K::MR - 1) / K::MR * K::MR : M;  // rows of each V[e]
    thread_local std::vector<float> V, Mo;
    thread_local std::vector<float*> rows;
    V.resize(static_cast<size_t>(16) * Mv * C);
    Mo.resize(static_cast<size_t>(16) * M * Co);
    // Input transform V[e][m][ci] = (B^T d B)[e], B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
    for (int m = 0; m < M; ++m) {
          const int64_t tile = t0 + m;
          const int n = static_cast<int>(tile / T), th = static_cast<int>(tile % T) / TW, tw = static_cast<int>(tile % T) % TW;
          const int y0 = 2 * th - pt, x0 = 2 * tw - pl;
          const float* rows[4][4];
          for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) {
              const int yy = y0 + i, xx = x0 + j;
              rows[i][j] = (yy >= 0 && yy < H && xx >= 0 && xx < W)
                               ? x + ((static_cast<int64_t>(n) * H + yy) * W + xx) * C
                               : nullptr;
            }
          for (int c = 0; c < C; c += VL) {
            vf d[4][4], t[4][4];
            for (int i = 0; i < 4; ++i)
              for (int j = 0; j < 4; ++j) d[i][j] = rows[i][j] ? load(rows[i][j] + c) : vf{};
            for (int j = 0; j < 4; ++j) {
              t[0][j] = d[0][j] - d[2][j];
              t[1][j] = d[1][j] + d[2][j];
              t[2][j] = d[2][j] - d[1][j];
              t[3][j] = d[1][j] - d[3][j];
            }
            for (int i = 0; i < 4; ++i) {
              const vf v[4] = {t[i][0] - t[i][2], t[i][1] + t[i][2], t[i][2] - t[i][1], t[i][1] - t[i][3]};
              for (int j = 0; j < 4; ++j) store(V.data() + (static_cast<size_t>(i * 4 + j) * Mv + m) * C + c, v[j]);
            }
          }
        }
    // 16 GEMMs Mo[e] = V[e] (M x C) * U[e] (C x Co).
    auto direct_gemms = [&](auto stride) {
      using KS = MicroKernel<K::MR, K::NV, decltype(stride)::value>;  // A rows of stride C
      rows.resize(Mv);
      for (int e = 0; e < 16; ++e) {
        const float* Ve = V.data() + static_cast<size_t>(e) * Mv * C;
        const float* Ue = up.p + static_cast<size_t>(e) * npanel * C * K::NR;
        for (int m = 0; m < M; ++m) rows[m] = Mo.data() + (static_cast<size_t>(e) * M + m) * Co;
        for (int j = 0; j < npanel; ++j)
          for (int t = 0; t * K::MR < M; ++t)
            KS::run(C, Ve + static_cast<size_t>(t) * K::MR * C, Ue + static_cast<size_t>(j) * C * K::NR,
                    rows.data() + t * K::MR, std::min(K::MR, M - t * K::MR), std::min(K::NR, Co - j * K::NR), false,
                    nullptr, j * K::NR);
      }
    };
    if (C == 32) direct_gemms(std::integral_constant<int, 32>{});
    if (C == 64) direct_gemms(std::integral_constant<int, 64>{});
    if (C == 128) direct_gemms(std::integral_constant<int, 128>{});
    if (C == 256) direct_gemms(std::integral_constant<int, 256>{});
    for (int e = 0; e < 16 && !direct; ++e) {
      const Dense<float> A{V.data() + static_cast<size_t>(e) * M * C, C, 1};
      const Dense<float> B{U.data() + static_cast<size_t>(e) * C * Co, Co, 1};
      float* out = Mo.data() + static_cast<size_t>(e) * M * Co;
      gemm_range<K>(
          0, M, Co, 0, C,
          [&](int64_t m, int mr, int64_t k, int kc, float* dst) { pack_dense_a<K::MR, K::KCS>(A, m, mr, k, kc, dst); },
          [&](int64_t k, int kc, float* dst) { pack_dense_b<K::NR>(B, Co, k, kc, dst); },
          [&](int64_t m) { return out + m * Co; }, nullptr, false, 512);
    }
    // Output transform Y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1], then bias and activation.
    for (int m = 0; m < M; ++m) {
          const int64_t tile = t0 + m;
          const int n = static_cast<int>(tile / T), th = static_cast<int>(tile % T) / TW, tw = static_cast<int>(tile % T) % TW;
          for (int c = 0; c < Co; c += VL) {
            vf q[4][4], t[2][4];
            for (int e = 0; e < 16; ++e) q[e / 4][e % 4] = load(Mo.data() + (static_cast<size_t>(e) * M + m) * Co + c);
            for (int j = 0; j < 4; ++j) {
              t[0][j] = q[0][j] + q[1][j] + q[2][j];
              t[1][j] = q[1][j] - q[2][j] - q[3][j];
            }
            for (int i = 0; i < 2; ++i) {
              const int a = 2 * th + i;
              if (a >= Ho) break;
              const vf o[2] = {t[i][0] + t[i][1] + t[i][2], t[i][1] - t[i][2] - t[i][3]};
              for (int j = 0; j < 2; ++j) {
                const int b = 2 * tw + j;
                if (b >= Wo) break;
                const int64_t off = ((static_cast<int64_t>(n) * Ho + a) * Wo + b) * Co + c;
                vf v = o[j];
                if (ep) {
                  if (ep->bias) v += load(ep->bias + c);
                  v = activate(v, ep->act, ep->alpha);
                }
                store(y + off, v);
              }
            }
          }
        }
  });
}

void conv2d_forward(const float* x, const float* w, const float* bias, float* y, const ConvShape& s, int act,
                    float alpha) {
  if (winograd_ok(s)) {
    const std::vector<float> pb = padded_bias(bias, s.Cout, VL);
    const Epilogue ep{bias ? pb.data() : nullptr, act, alpha};
    conv3x3_winograd(
        x, s.N, s.H, s.W, s.Cin, s.pt, s.pl, s.Ho, s.Wo, s.Cout,
        [&](int i, int j, int ci, int co) { return w[((i * 3 + j) * static_cast<int64_t>(s.Cin) + ci) * s.Cout + co]; },
        y, (bias || act != kLinear) ? &ep : nullptr);
    return;
  }
  with_kernel<KernelWide, AmxWide>([&](auto shape) {
    using K = decltype(shape);
    using T = typename K::Elem;
    const Operand<T> xo(x, static_cast<int64_t>(s.N) * s.H * s.W * s.Cin), wo(w, s.K() * s.Cout);
    const Im2col<T> g = forward_im2col(xo.p, s);
    const int64_t M = static_cast<int64_t>(s.N) * s.Ho * s.Wo;
    const Dense<T> wm{wo.p, s.Cout, 1};
    const std::vector<float> pb = padded_bias(bias, s.Cout, K::NR);
    const Epilogue ep{bias ? pb.data() : nullptr, act, alpha};
    gemm_parallel_rows<K>(
        M, s.Cout, s.K(),
        [&](int64_t m, int mr, int64_t k, int kc, T* dst) { g.template pack_a<K::MR, K::KCS>(m, mr, k, kc, dst); },
        [&](int64_t k, int kc, T* dst) { pack_dense_b<K::NR>(wm, s.Cout, k, kc, dst); },
        [&](int64_t m) { return y + m * s.Cout; }, (bias || act != kLinear) ? &ep : nullptr);
  });
}

// out[i] *= (ref[i] > 0 ? 1 : alpha) for i in [i0, i1): the gradient through a LeakyReLU whose
// output is ref, applied in place.
// (Vectorised by hand: GCC kept the in-place loop scalar and branchy, a fifth of the input gradient.)
inline void leaky_mask(float* __restrict out, const float* __restrict ref, int64_t i0, int64_t i1, float alpha) {
  int64_t i = i0;
  for (; i + VL <= i1; i += VL) {
    const vf o = load(out + i);
    store(out + i, load(ref + i) > 0.0f ? o : o * alpha);
  }
  for (; i < i1; ++i) out[i] = ref[i] > 0.0f ? out[i] : out[i] * alpha;
}

inline int floor_div(int a, int b) { return (a >= 0 ? a : a - b + 1) / b; }
inline int mod(int a, int b) { return ((a % b) + b) % b; }

// Backprop input, scatter form: one GEMM per tap, dx[pixel(m, tap)] += dy[m] * W[tap]^T, where
// pixel(m, tap) is the input pixel that output m reads through that tap (each tap maps outputs to
// distinct pixels, so threads never write the same row). No multiplication is wasted on zeros,
// which matters for small images (a 3x3 output of a 5x5 input). Work is split into chunks of whole
// images small enough for dx to stay in L2 while every tap adds to it; `mask` (optional) is then
// applied to the chunk while it is still cached.
void conv2d_backprop_input_scatter(const float* dy, const float* w, float* dx, const ConvShape& s,
                                   const float* mask, float alpha) {
  with_kernel<KernelWide, AmxWide>([&](auto shape) {
    using K = decltype(shape);
    const int64_t per_out = static_cast<int64_t>(s.Ho) * s.Wo;          // dy rows per image
    const int64_t per_in = static_cast<int64_t>(s.H) * s.W * s.Cin;     // dx floats per image
    using T = typename K::Elem;
    const Operand<T> dyo(dy, static_cast<int64_t>(s.N) * per_out * s.Cout);
    const Dense<T> dym{dyo.p, s.Cout, 1};
    // Each tap's filter transposed once, wT[tap][co][ci], so that packing it is a row copy.
    const int64_t taps = static_cast<int64_t>(s.kh) * s.kw;
    std::vector<float> wT(static_cast<size_t>(taps) * s.Cout * s.Cin);
    for (int64_t t = 0; t < taps; ++t)
      for (int ci = 0; ci < s.Cin; ++ci)
        for (int co = 0; co < s.Cout; ++co)
          wT[(t * s.Cout + co) * s.Cin + ci] = w[(t * s.Cin + ci) * s.Cout + co];
    const Operand<T> wTo(wT.data(), static_cast<int64_t>(wT.size()));
    // Images [n0, n1) through every tap; tasks own whole images, so no two threads share a dx row.
    // float32 with Cout <= KCS (one reduction block): every tap's filter packed once per call, and
    // each block of dy rows packed once for all taps (the taps differ only in where C's rows go).
    const bool packed_taps = !K::kAmx && s.Cout <= K::KCS;
    Buffer btbuf;  // 64-byte aligned: the micro-kernel loads B with aligned vector loads
    float* bt = nullptr;
    const int npanel = (s.Cin + K::NR - 1) / K::NR;
    if constexpr (!K::kAmx) {
      if (packed_taps) {
        bt = btbuf.get(static_cast<size_t>(taps) * npanel * s.Cout * K::NR);
        for (int64_t t = 0; t < taps; ++t)
          pack_dense_b<K::NR>(Dense<float>{wTo.p + t * s.Cout * s.Cin, s.Cin, 1}, s.Cin, 0, s.Cout,
                              bt + t * npanel * s.Cout * K::NR);
      }
    }
    auto chunk_packed = [&](int64_t n0, int64_t n1) {
      if constexpr (!K::kAmx) {
      constexpr int MR = K::MR, NR = K::NR, KCS = K::KCS;
      constexpr int64_t MC = 24 * MR;  // rows per block: dy block (MC x KCS) in L2 beside the dx chunk
      thread_local Buffer ap;
      thread_local std::vector<float*> rows;
      thread_local std::vector<int64_t> base;  // per row: image offset in dx, and its corner (y, x)
      thread_local std::vector<int> by, bx;
      thread_local std::vector<float> trash;
      float* apd = ap.get(static_cast<size_t>(MC) * KCS);
      rows.resize(MC);
      base.resize(MC);
      by.resize(MC);
      bx.resize(MC);
      if (trash.size() < static_cast<size_t>(s.Cin) + VL) trash.resize(s.Cin + VL);
      for (int64_t mb = n0 * per_out; mb < n1 * per_out; mb += MC) {
        const int mlen = static_cast<int>(std::min<int64_t>(MC, n1 * per_out - mb));
        const int ntile = (mlen + MR - 1) / MR;
        for (int t = 0; t < ntile; ++t)
          pack_dense_a<MR, KCS>(dym, mb + t * MR, std::min(MR, mlen - t * MR), 0, s.Cout, apd + t * MR * KCS);
        for (int r = 0; r < mlen; ++r) {
          const int64_t m = mb + r, n = m / per_out;
          const int rem = static_cast<int>(m - n * per_out);
          base[r] = n * s.H * s.W;
          by[r] = (rem / s.Wo) * s.sh - s.pt;
          bx[r] = (rem % s.Wo) * s.sw - s.pl;
        }
        for (int i = 0; i < s.kh; ++i)
          for (int j = 0; j < s.kw; ++j) {
            for (int r = 0; r < mlen; ++r) {
              const int y = by[r] + i * s.dh, x = bx[r] + j * s.dw;
              rows[r] = (y < 0 || y >= s.H || x < 0 || x >= s.W)
                            ? trash.data()
                            : dx + (base[r] + static_cast<int64_t>(y) * s.W + x) * s.Cin;
            }
            const float* btap = bt + (static_cast<int64_t>(i) * s.kw + j) * npanel * s.Cout * NR;
            for (int p = 0; p < npanel; ++p) {
              const int nvalid = std::min(NR, s.Cin - p * NR);
              for (int t = 0; t < ntile; ++t)
                K::run(s.Cout, apd + t * MR * KCS, btap + static_cast<size_t>(p) * s.Cout * NR, rows.data() + t * MR,
                       std::min(MR, mlen - t * MR), nvalid, true, nullptr, p * NR);
            }
          }
      }
      }
    };
    auto images = [&](int64_t n0, int64_t n1, bool parallel_rows) {
      std::memset(dx + n0 * per_in, 0, (n1 - n0) * per_in * sizeof(float));
      if constexpr (!K::kAmx) {
        if (packed_taps && !parallel_rows) {
          chunk_packed(n0, n1);
          if (mask) leaky_mask(dx, mask, n0 * per_in, n1 * per_in, alpha);
          return;
        }
      }
      for (int i = 0; i < s.kh; ++i)
        for (int j = 0; j < s.kw; ++j) {
          const Dense<T> wt{wTo.p + (static_cast<int64_t>(i) * s.kw + j) * s.Cout * s.Cin, s.Cin, 1};  // (co, ci)
          auto rowptr = [&](int64_t m) -> float* {
            thread_local std::vector<float> trash;  // rows that land in the padding
            const int64_t n = m / per_out;
            const int rem = static_cast<int>(m - n * per_out), oh = rem / s.Wo, ow = rem % s.Wo;
            const int y = oh * s.sh - s.pt + i * s.dh, x = ow * s.sw - s.pl + j * s.dw;
            if (y < 0 || y >= s.H || x < 0 || x >= s.W) {
              if (trash.size() < static_cast<size_t>(s.Cin)) trash.resize(s.Cin);
              return trash.data();
            }
            return dx + ((n * s.H + y) * s.W + x) * s.Cin;
          };
          auto packB = [&](int64_t k, int kc, T* dst) { pack_dense_b<K::NR>(wt, s.Cin, k, kc, dst); };
          if (parallel_rows) {  // a single image: split its rows across threads, tap by tap
            const int64_t m0 = n0 * per_out;
            gemm_parallel_rows<K>(
                per_out, s.Cin, s.Cout,
                [&](int64_t m, int mr, int64_t k, int kc, T* dst) {
                  pack_dense_a<K::MR, K::KCS>(dym, m0 + m, mr, k, kc, dst);
                },
                packB, [&](int64_t m) { return rowptr(m0 + m); }, nullptr, true);
          } else {
            auto packA = [&](int64_t m, int mr, int64_t k, int kc, T* dst) {
              pack_dense_a<K::MR, K::KCS>(dym, m, mr, k, kc, dst);
            };
            gemm_range<K>(n0 * per_out, n1 * per_out, s.Cin, 0, s.Cout, packA, packB, rowptr, nullptr, true, 512);
          }
        }
      if (mask) leaky_mask(dx, mask, n0 * per_in, n1 * per_in, alpha);
    };
    const int nt = num_threads();
    if (s.N < 2 * nt) {
      for (int n = 0; n < s.N; ++n) images(n, n + 1, true);
      return;
    }
    // Images per chunk: dx chunk <= 256 KiB, but at least 4 chunks per thread for balance.
    int64_t chunk = std::max<int64_t>(1, (256 * 1024 / 4) / std::max<int64_t>(1, per_in));
    chunk = std::max<int64_t>(1, std::min<int64_t>(chunk, s.N / (4 * nt)));
    const int64_t ntask = (s.N + chunk - 1) / chunk;
    parallel_for(ntask, 2.0 * s.N * per_out * s.Cout * s.Cin * s.kh * s.kw,
                 [&](int64_t t) { images(t * chunk, std::min<int64_t>(s.N, (t + 1) * chunk), false); });
  });
}

// Backprop input, gather form: dx[n, ih, iw, ci] = sum over taps (i, j) and channels co of
// dy[n, oh, ow, co] * w[i, j, ci, co] where ih + pt = oh * sh + i * dh (same for columns). Rows of dx
// are split into sh * sw phases by (ih + pt) mod sh; inside a phase each tap either always or never
// contributes and oh = a + offset, so every phase is one GEMM over a gather of dy that writes each
// dx row once. Taps reaching outside dy read zeros: wasted work near the border, negligible for
// large images.
void conv2d_backprop_input_gather(const float* dy, const float* w, float* dx, const ConvShape& s) {
  with_kernel<KernelWide, AmxWide>([&](auto shape) {
    using K = decltype(shape);
    using T = typename K::Elem;
    const Operand<T> dyo(dy, static_cast<int64_t>(s.N) * s.Ho * s.Wo * s.Cout);
    for (int py = 0; py < s.sh; ++py) {
      for (int px = 0; px < s.sw; ++px) {
        const int ih0 = mod(py - s.pt, s.sh), iw0 = mod(px - s.pl, s.sw);  // first dx row / col of this phase
        if (ih0 >= s.H || iw0 >= s.W) continue;
        const int Ra = (s.H - ih0 + s.sh - 1) / s.sh, Rb = (s.W - iw0 + s.sw - 1) / s.sw;
        Im2col<T> g(dyo.p, s.Ho, s.Wo, s.Cout, Ra, Rb, 1, 1, 0, 0);
        std::vector<int> ti, tj;
        for (int i = 0; i < s.kh; ++i) {
          const int ry = ih0 + s.pt - i * s.dh;  // = s.sh * (oh - a)
          if (mod(ry, s.sh) != 0) continue;
          for (int j = 0; j < s.kw; ++j) {
            const int rx = iw0 + s.pl - j * s.dw;
            if (mod(rx, s.sw) != 0) continue;
            g.toy.push_back(floor_div(ry, s.sh));
            g.tox.push_back(floor_div(rx, s.sw));
            ti.push_back(i);
            tj.push_back(j);
          }
        }
        const int64_t M = static_cast<int64_t>(s.N) * Ra * Rb;
        auto rowptr = [&](int64_t m) {
          const int64_t per = static_cast<int64_t>(Ra) * Rb;
          const int64_t n = m / per;
          const int rem = static_cast<int>(m - n * per), a = rem / Rb, b = rem % Rb;
          return dx + ((n * s.H + ih0 + static_cast<int64_t>(a) * s.sh) * s.W + iw0 + static_cast<int64_t>(b) * s.sw) *
                          s.Cin;
        };
        g.finalize();
        if (ti.empty()) {  // no tap reaches these pixels
          for (int64_t m = 0; m < M; ++m) std::memset(rowptr(m), 0, s.Cin * sizeof(float));
          continue;
        }
        // The phase's weights as a dense [taps * Cout, Cin] matrix.
        const int64_t Kp = static_cast<int64_t>(ti.size()) * s.Cout;
        std::vector<float> wp(static_cast<size_t>(Kp) * s.Cin);
        for (size_t t = 0; t < ti.size(); ++t)
          for (int co = 0; co < s.Cout; ++co)
            for (int ci = 0; ci < s.Cin; ++ci)
              wp[(t * s.Cout + co) * s.Cin + ci] = w[((static_cast<int64_t>(ti[t]) * s.kw + tj[t]) * s.Cin + ci) * s.Cout + co];
        const Operand<T> wpo(wp.data(), static_cast<int64_t>(wp.size()));
        const Dense<T> wm{wpo.p, s.Cin, 1};
        gemm_parallel_rows<K>(
            M, s.Cin, Kp,
            [&](int64_t m, int mr, int64_t k, int kc, T* dst) { g.template pack_a<K::MR, K::KCS>(m, mr, k, kc, dst); },
            [&](int64_t k, int kc, T* dst) { pack_dense_b<K::NR>(wm, s.Cin, k, kc, dst); }, rowptr, nullptr);
      }
    }
  });
}

// Chooses the gather form unless its border waste exceeds 20%. With `mask` (not null), dx is then
// multiplied by the gradient of a LeakyReLU (slope alpha) whose output was `mask` ([N,H,W,Cin]).
void conv2d_backprop_input(const float* dy, const float* w, float* dx, const ConvShape& s, const float* mask,
                           float alpha) {
  const double useful = static_cast<double>(s.Ho) * s.Wo * s.kh * s.kw;
  double gathered = 0.0;  // rows x taps of the gather form, per image
  for (int py = 0; py < s.sh; ++py)
    for (int px = 0; px < s.sw; ++px) {
      const int ih0 = mod(py - s.pt, s.sh), iw0 = mod(px - s.pl, s.sw);
      if (ih0 >= s.H || iw0 >= s.W) continue;
      int ti = 0, tj = 0;
      for (int i = 0; i < s.kh; ++i) ti += mod(ih0 + s.pt - i * s.dh, s.sh) == 0;
      for (int j = 0; j < s.kw; ++j) tj += mod(iw0 + s.pl - j * s.dw, s.sw) == 0;
      gathered += static_cast<double>((s.H - ih0 + s.sh - 1) / s.sh) * ((s.W - iw0 + s.sw - 1) / s.sw) * ti * tj;
    }
  if (gathered > 1.2 * useful) {
    conv2d_backprop_input_scatter(dy, w, dx, s, mask, alpha);
  } else {
    conv2d_backprop_input_gather(dy, w, dx, s);
    if (mask) {
      const int64_t n = static_cast<int64_t>(s.N) * s.H * s.W * s.Cin;
      parallel_elements(n, [&](int64_t i0, int64_t i1) { leaky_mask(dx, mask, i0, i1, alpha); });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Winograd F(2x2, 3x3) for the filter gradient of float32 3x3 convolutions of stride 1 (the same
// conditions as the forward's, winograd_ok). The forward is Y = A^T [U .* V] A per 2x2 output tile
// with U = G g G^T and V = B^T d B, so dg = G^T [sum over tiles of V .* (A dY A^T)] G: per tile, the
// input's 4x4 window is transformed as in the forward (V[e][tile][ci]) and the 2x2 block of dy as
// Z = A dY A^T (Z[e][tile][co]); the 16 sums over tiles of V[e]^T Z[e] are GEMMs whose reduction runs
// over the tiles, read in place (KMajorKernel: both operands row-major by tile, no packing), and
// G^T (.) G at the end maps them to the 3x3 taps. 16 products per tile and channel pair instead of
// 36 per 2x2 outputs; parts of dy past the output (odd sizes) are zeros and add nothing. The
// transforms' coefficients are 0, +-1/2 and +-1, so the result differs from the direct sum by float32
// rounding only. PATCHSVDD_WINOGRAD=0 turns it off with the forward's.
// ---------------------------------------------------------------------------------------------

// C[MR, NR] += A^T B over kc reduction steps, where step k reads A[k * lda + r] (r < MR) and
// B[k * ldb + n] (n < NR): both operands stay in their row-major layout. C has row stride ldc and
// whole MR x NR tiles (the caller pads it); rows and columns past the operands' ends read the
// caller's zero padding and land in C's.
template <int MR_, int NV_>
struct KMajorKernel {
  static constexpr int MR = MR_, NV = NV_, NR = NV_ * VL;
  __attribute__((noinline)) static void run(int kc, const float* __restrict A, int64_t lda, const float* __restrict B,
                                            int64_t ldb, float* __restrict C, int64_t ldc) {
    vf c[MR][NV];
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) c[r][v] = load(C + r * ldc + v * VL);
    for (int k = 0; k < kc; ++k, A += lda, B += ldb) {
      vf b[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) b[v] = load(B + v * VL);
#pragma GCC unroll 16
      for (int r = 0; r < MR; ++r) {
        const float a = A[r];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) c[r][v] += a * b[v];
      }
    }
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) store(C + r * ldc + v * VL, c[r][v]);
  }
};
#if defined(__AVX512F__)
using KernelWgrad = KMajorKernel<8, 2>;  // 16 accumulators; 8 rows and 32 columns divide 32, 64 and 128 channels
#else
using KernelWgrad = KMajorKernel<6, 2>;  // 12 accumulators (16 registers)
#endif

// dw[i, j, ci, co] = sum over n, a < Ho, b < Wo of x[n, a + i - pt, b + j - pl, ci] * dy[n, a, b, co]
// (x reads 0 outside H x W), for 3x3 filters of stride 1 with C and Co multiples of VL.
void conv3x3_winograd_filter(const float* x, const float* dy, float* dw, int N, int H, int W, int C, int pt, int pl,
                             int Ho, int Wo, int Co) {
  using K = KernelWgrad;
  const int TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, T = TH * TW;
  const int64_t tiles = static_cast<int64_t>(N) * T;
  // Rows of each GEMM's result: the larger channel count (the fewest padded rows), columns the other.
  const bool rows_ci = C >= Co;
  const int R = rows_ci ? C : Co, Cc = rows_ci ? Co : C;
  const int Rp = (R + K::MR - 1) / K::MR * K::MR, Cp = (Cc + K::NR - 1) / K::NR * K::NR;
  const int64_t plane = static_cast<int64_t>(Rp) * Cp;  // one e of the accumulated products
  constexpr int kChunk = 128;                          // tiles per GEMM reduction block
  // Row strides of V and Z: 16 floats past the channels (kept zero), so that the GEMMs, which walk
  // down the rows, do not fall into a few L1 cache sets with a power-of-two stride (1.2x on the
  // 128-channel layers, AVX-512). Padded rows and columns of a tile read those zeros.
  const int ldv = C + 16, ldz = Co + 16;
  const int64_t nchunk = (tiles + kChunk - 1) / kChunk;
  const double flops = 2.0 * 16 * tiles * C * Co;
  const int nt = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(flops < 4e6 ? 1 : num_threads(), nchunk)));
  Buffer acc;  // per thread: 16 planes of [Rp][Cp]
  float* accp = acc.get(static_cast<size_t>(nt) * 16 * plane);
  std::memset(accp, 0, static_cast<size_t>(nt) * 16 * plane * sizeof(float));
  parallel_for(nt, flops, [&](int64_t t) {
    float* Mt = accp + t * 16 * plane;
    thread_local Buffer vbuf, zbuf;
    const int64_t pad = K::MR + K::NR;  // operands read up to a tile past their last row
    float* V = vbuf.get(static_cast<size_t>(16) * kChunk * ldv + pad);
    float* Z = zbuf.get(static_cast<size_t>(16) * kChunk * ldz + pad);
    std::memset(V + 16 * kChunk * ldv, 0, pad * sizeof(float));
    std::memset(Z + 16 * kChunk * ldz, 0, pad * sizeof(float));
    for (int64_t row = 0; row < 16 * kChunk; ++row) {
      std::memset(V + row * ldv + C, 0, 16 * sizeof(float));
      std::memset(Z + row * ldz + Co, 0, 16 * sizeof(float));
    }
    for (int64_t ch = nchunk * t / nt; ch < nchunk * (t + 1) / nt; ++ch) {
      const int64_t t0 = ch * kChunk;
      const int M = static_cast<int>(std::min<int64_t>(kChunk, tiles - t0));
      for (int m = 0; m < M; ++m) {
        const int64_t tile = t0 + m;
        const int n = static_cast<int>(tile / T), th = static_cast<int>(tile % T) / TW,
                  tw = static_cast<int>(tile % T) % TW;
        // Input transform V[e][m][ci] = (B^T d B)[e], as in conv3x3_winograd.
        const int y0 = 2 * th - pt, x0 = 2 * tw - pl;
        const float* rows[4][4];
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j) {
            const int yy = y0 + i, xx = x0 + j;
            rows[i][j] = (yy >= 0 && yy < H && xx >= 0 && xx < W)
                             ? x + ((static_cast<int64_t>(n) * H + yy) * W + xx) * C
                             : nullptr;
          }
        for (int c = 0; c < C; c += VL) {
          vf d[4][4], u[4][4];
          for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) d[i][j] = rows[i][j] ? load(rows[i][j] + c) : vf{};
          for (int j = 0; j < 4; ++j) {
            u[0][j] = d[0][j] - d[2][j];
            u[1][j] = d[1][j] + d[2][j];
            u[2][j] = d[2][j] - d[1][j];
            u[3][j] = d[1][j] - d[3][j];
          }
          for (int i = 0; i < 4; ++i) {
            const vf v[4] = {u[i][0] - u[i][2], u[i][1] + u[i][2], u[i][2] - u[i][1], u[i][1] - u[i][3]};
            for (int j = 0; j < 4; ++j) store(V + (static_cast<size_t>(i * 4 + j) * kChunk + m) * ldv + c, v[j]);
          }
        }
        // Output-gradient transform Z[e][m][co] = (A dY A^T)[e], A = [1 0; 1 1; 1 -1; 0 -1].
        const float* yrow[2][2];
        for (int i = 0; i < 2; ++i)
          for (int j = 0; j < 2; ++j) {
            const int a = 2 * th + i, b = 2 * tw + j;
            yrow[i][j] = (a < Ho && b < Wo) ? dy + ((static_cast<int64_t>(n) * Ho + a) * Wo + b) * Co : nullptr;
          }
        for (int c = 0; c < Co; c += VL) {
          vf g[2][2], u[4][2];
          for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 2; ++j) g[i][j] = yrow[i][j] ? load(yrow[i][j] + c) : vf{};
          for (int j = 0; j < 2; ++j) {
            u[0][j] = g[0][j];
            u[1][j] = g[0][j] + g[1][j];
            u[2][j] = g[0][j] - g[1][j];
            u[3][j] = -g[1][j];
          }
          for (int i = 0; i < 4; ++i) {
            const vf z[4] = {u[i][0], u[i][0] + u[i][1], u[i][0] - u[i][1], -u[i][1]};
            for (int j = 0; j < 4; ++j) store(Z + (static_cast<size_t>(i * 4 + j) * kChunk + m) * ldz + c, z[j]);
          }
        }
      }
      // 16 GEMMs: Mt[e] (rows x cols) += sum over the chunk's tiles of A[e]^T B[e].
      const float* Aop = rows_ci ? V : Z;
      const float* Bop = rows_ci ? Z : V;
      const int lda = rows_ci ? ldv : ldz, ldb = rows_ci ? ldz : ldv;
      for (int e = 0; e < 16; ++e) {
        const float* Ae = Aop + static_cast<size_t>(e) * kChunk * lda;
        const float* Be = Bop + static_cast<size_t>(e) * kChunk * ldb;
        float* Ce = Mt + e * plane;
        for (int r = 0; r < Rp; r += K::MR)
          for (int j = 0; j < Cp; j += K::NR)
            K::run(M, Ae + r, lda, Be + j, ldb, Ce + static_cast<int64_t>(r) * Cp + j, Cp);
      }
    }
  });
  // dw = G^T (sum over threads) G, G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
  parallel_for(R, 20.0 * R * Cp * nt, [&](int64_t r) {
    alignas(64) float out[9][VL];
    for (int c = 0; c < Cc; c += VL) {
      vf u[4][4];
      for (int e = 0; e < 16; ++e) {
        vf s = load(accp + e * plane + r * Cp + c);
        for (int t = 1; t < nt; ++t) s += load(accp + (t * 16 + e) * plane + r * Cp + c);
        u[e / 4][e % 4] = s;
      }
      vf q[3][4];
      for (int b = 0; b < 4; ++b) {
        q[0][b] = u[0][b] + 0.5f * (u[1][b] + u[2][b]);
        q[1][b] = 0.5f * (u[1][b] - u[2][b]);
        q[2][b] = 0.5f * (u[1][b] + u[2][b]) + u[3][b];
      }
      for (int i = 0; i < 3; ++i) {
        const vf g[3] = {q[i][0] + 0.5f * (q[i][1] + q[i][2]), 0.5f * (q[i][1] - q[i][2]),
                         0.5f * (q[i][1] + q[i][2]) + q[i][3]};
        for (int j = 0; j < 3; ++j) {
          if (rows_ci) {  // r = ci, the VL columns are output channels: contiguous in dw
            store(dw + ((i * 3 + j) * static_cast<int64_t>(C) + r) * Co + c, g[j]);
          } else {
            *reinterpret_cast<vf*>(out[i * 3 + j]) = g[j];
          }
        }
      }
      if (!rows_ci)  // r = co, the VL columns are input channels
        for (int tap = 0; tap < 9; ++tap)
          for (int l = 0; l < VL; ++l) dw[(tap * static_cast<int64_t>(C) + c + l) * Co + r] = out[tap][l];
    }
  });
}

// dw[k, co] = sum_m im2col(x)[m, k] * dy[m, co], computed as dW^T = dy^T * im2col(x) so that the
// large operand (im2col) is packed with contiguous copies. Each thread reduces over its own share of
// m into a private dW^T; the shares are summed and transposed at the end.
void conv2d_backprop_filter(const float* x, const float* dy, float* dwout, const ConvShape& s) {
  if (winograd_ok(s)) {
    conv3x3_winograd_filter(x, dy, dwout, s.N, s.H, s.W, s.Cin, s.pt, s.pl, s.Ho, s.Wo, s.Cout);
    return;
  }
  with_kernel<KernelTall, AmxTall>([&](auto shape) {
    using K = decltype(shape);
    using T = typename K::Elem;
    const Operand<T> xo(x, static_cast<int64_t>(s.N) * s.H * s.W * s.Cin);
    const Im2col<T> g = forward_im2col(xo.p, s);
    const int64_t Kw = s.K();                                     // rows of dw
    const int64_t Mred = static_cast<int64_t>(s.N) * s.Ho * s.Wo;  // reduction length
    const double flops = 2.0 * Mred * Kw * s.Cout;
    const int nt = (flops < 4e6 || Mred < 2 * K::KCS) ? 1 : std::max(1, num_threads());
    std::vector<float> partial(static_cast<size_t>(nt) * s.Cout * Kw);
    const Transposed<T> dyT(dy, Mred, s.Cout);  // dy^T: element (co, m) = dy[m * Cout + co]
    const int64_t MC = ((s.Cout + K::MR - 1) / K::MR) * K::MR;
    auto work = [&](int t) {
      // Share of the reduction, in whole KCS blocks.
      const int64_t blocks = (Mred + K::KCS - 1) / K::KCS;
      const int64_t b0 = blocks * t / nt, b1 = blocks * (t + 1) / nt;
      const int64_t r0 = std::min(Mred, b0 * K::KCS), r1 = std::min(Mred, b1 * K::KCS);
      float* dwT = partial.data() + static_cast<size_t>(t) * s.Cout * Kw;
      gemm_range<K>(
          0, s.Cout, static_cast<int>(Kw), r0, r1,
          [&](int64_t m, int mr, int64_t k, int kc, T* dst) { pack_dense_a<K::MR, K::KCS>(dyT.d, m, mr, k, kc, dst); },
          [&](int64_t k, int kc, T* dst) { g.template pack_b<K::NR>(k, kc, dst); },
          [&](int64_t co) { return dwT + co * Kw; },
          nullptr, false, MC);
    };
    parallel_for(nt, flops, [&](int64_t t) { work(static_cast<int>(t)); });
    // dw[k, co] = sum_t partial[t][co, k]
    const int64_t plane = static_cast<int64_t>(s.Cout) * Kw;
    const int64_t kchunk = 64;
    parallel_for((Kw + kchunk - 1) / kchunk, static_cast<double>(plane) * nt, [&](int64_t c) {
      for (int64_t k = c * kchunk; k < std::min(Kw, (c + 1) * kchunk); ++k) {
        float* out = dwout + k * s.Cout;
        for (int co = 0; co < s.Cout; ++co) {
          float acc = 0.0f;
          for (int t = 0; t < nt; ++t) acc += partial[t * plane + co * Kw + k];
          out[co] = acc;
        }
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Batched matmul: C[b] = op(A[b]) * op(B[b]) (+ bias, activation), batch broadcast when one side is 1.
// ---------------------------------------------------------------------------------------------

void matmul(const float* a, const float* b, const float* bias, float* c, int batchA, int batchB, int M, int N, int Kd,
            bool transA, bool transB, int act, float alpha) {
  with_kernel<KernelWide, AmxWide>([&](auto shape) {
    using K = decltype(shape);
    using T = typename K::Elem;
    const int batch = std::max(batchA, batchB);
    const Operand<T> ao(a, static_cast<int64_t>(batchA) * M * Kd), bo(b, static_cast<int64_t>(batchB) * Kd * N);
    const std::vector<float> pb = padded_bias(bias, N, K::NR);
    const Epilogue ep{bias ? pb.data() : nullptr, act, alpha};
    const Epilogue* epp = (bias || act != kLinear) ? &ep : nullptr;
    const int64_t mc = block_rows<K>(M, batch);
    const int64_t mblocks = (M + mc - 1) / mc;
    parallel_for(batch * mblocks, 2.0 * batch * M * N * Kd, [&](int64_t task) {
      const int bi = static_cast<int>(task / mblocks);
      const int64_t m0 = (task % mblocks) * mc;
      const T* pa = ao.p + static_cast<int64_t>(batchA == 1 ? 0 : bi) * M * Kd;
      const T* pbm = bo.p + static_cast<int64_t>(batchB == 1 ? 0 : bi) * Kd * N;
      float* pc = c + static_cast<int64_t>(bi) * M * N;
      const Dense<T> A = transA ? Dense<T>{pa, 1, M} : Dense<T>{pa, Kd, 1};
      const Dense<T> B = transB ? Dense<T>{pbm, 1, Kd} : Dense<T>{pbm, N, 1};
      gemm_range<K>(
          m0, std::min<int64_t>(M, m0 + mc), N, 0, Kd,
          [&](int64_t m, int mr, int64_t k, int kc, T* dst) { pack_dense_a<K::MR, K::KCS>(A, m, mr, k, kc, dst); },
          [&](int64_t k, int kc, T* dst) { pack_dense_b<K::NR>(B, N, k, kc, dst); },
          [&](int64_t m) { return pc + m * N; }, epp, false, mc);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Exact nearest neighbour (non-squared L2) of every query in a bank.
//
// 1. Deduplicate: bitwise identical bank vectors are searched once, as the one with the smallest
//    index (a random encoder's bank of bottle repeats one background vector 23824 times).
// 2. Rotate: bank and queries are centred on the bank mean, rotated onto the bank's principal axes
//    and scaled by a power of two (in float64, rounded once to float32: y). Distances are
//    unchanged up to that rounding: |dist(y) - scale dist(x)| <= 1.01 2^-24 (|y_q| + |y_b|).
// 3. Partition: the bank is cut into slabs of equal count along the first axis y1; within a slab
//    vectors are sorted by r = |y_2..D| and packed in blocks of kNNBlock, each with its box
//    (y1 range, r range, largest |y|^2). |y_q - y_b|^2 >= (q1 - b1)^2 + (r_q - r_b)^2
//    (Cauchy-Schwarz on the other axes) bounds every pair of a block from below. Queries are
//    sorted the same way (slab, then r) and handled kNNRows at a time.
// 4. Sweep: from the tile's own slab and r, slabs and blocks are visited outwards; a block is
//    skipped when its box bound exceeds every row's threshold, a direction ends when the bound
//    (monotone in that direction) does.
// 5. Scan a block as a GEMM: s = |q|^2 + |b|^2 - 2 q.b in float32 (one FMA per pair and axis).
//    Its error is at most (Dp + 5) 1.01 2^-24 (|q|^2 + |b|^2) (dot product and three roundings);
//    with the rounding of y, each pair gets a rigorous interval [lo, up] of its true distance
//    (times scale). After 16, 24, ... axes the partial sum bounds the rest by Cauchy-Schwarz,
//    q.b <= q_<m.b_<m + |q_>=m| |b_>=m|, and a block is abandoned once every pair is out of reach
//    (on a random encoder's bank 63% of the blocks computed at all end after 16 axes, 94% after 32).
//    Per query, every pair whose lo is at most the smallest up seen is kept (up to
//    kCand) and re-ranked in float64 on the original vectors (ties: smallest index). A query whose
//    list overflowed is settled by a float64 scan of every block its box bound cannot exclude.
//    Hence the result is the exact nearest neighbour, however close the vectors (REFERENCE.md's
//    precision note: the float32 identity alone picks wrong neighbours; with the interval it only
//    selects candidates).
// ---------------------------------------------------------------------------------------------

constexpr int kCand = 16;
// Register tiles for the dot products: kNNRows x kNNVecs accumulators, kNNVecs bank vectors and
// one broadcast must fit the vector registers. Few rows and wide blocks: a tile's block is skipped
// or abandoned only when every row is out of reach (measured on bottle's K=32 bank, single
// thread: AVX-512 6x4 4.5 s, 12x2 5.5 s, 8x3 5.0 s, 4x4 4.5 s; AVX2 4x3 6.5 s, 6x2 7.3 s).
#if defined(__AVX512F__)
constexpr int kNNRows = 6, kNNVecs = 4;  // 24 + 4 + 1 of 32 registers
#else
constexpr int kNNRows = 4, kNNVecs = 3;  // 12 + 3 + 1 of 16 (AVX2, SSE2); NEON has 32
#endif
constexpr int kNNBlock = kNNVecs * VL;  // bank vectors per block
typedef int32_t vmask __attribute__((vector_size(VL * 4)));  // lane masks of comparisons
constexpr double kU = 1.0 / (1 << 24);  // float32 unit roundoff
constexpr double kTiny = 1e-40;         // absolute slack for subnormal results (2^-149 ~ 1.4e-45)
constexpr int kMaxChecks = 64;          // partial-sum checkpoints per block (see nn_checkpoints)

// Axes after which a block's dot products are checked against the thresholds: every 8 from 16 (a
// coarser step for long vectors), before Dp.
std::vector<int> nn_checkpoints(int Dp) {
  std::vector<int> at;
  const int step = std::max(8, ((Dp / 16 + 3) / 4) * 4);
  for (int d = 16; d < Dp && static_cast<int>(at.size()) < kMaxChecks; d += step) at.push_back(d);
  return at;
}

// Per query: the smallest upper bound of its true (scaled) nearest distance seen, and the
// candidates whose lower bound does not exceed it.
struct NNState {
  double ub, dropped;  // dropped: smallest lower bound of a candidate that did not fit
  int cnt;
  double lb[kCand];
  int32_t ci[kCand];  // positions in the packed bank
};

// Adds a pair with distance interval [lo, up] (not squared).
void nn_insert(NNState& st, double lo, double up, int32_t pos) {
  if (lo > st.ub) return;
  if (up < st.ub) {
    st.ub = up;
    int w = 0;
    for (int i = 0; i < st.cnt; ++i)
      if (st.lb[i] <= up) {
        st.lb[w] = st.lb[i];
        st.ci[w] = st.ci[i];
        ++w;
      }
    st.cnt = w;
  }
  if (st.cnt < kCand) {
    st.lb[st.cnt] = lo;
    st.ci[st.cnt] = pos;
    ++st.cnt;
    return;
  }
  int worst = 0;
  for (int i = 1; i < kCand; ++i)
    if (st.lb[i] > st.lb[worst]) worst = i;
  if (st.lb[worst] > lo) {
    st.dropped = std::min(st.dropped, st.lb[worst]);
    st.lb[worst] = lo;
    st.ci[worst] = pos;
  } else {
    st.dropped = std::min(st.dropped, lo);
  }
}

// Adds the dot products over axes [d0, d1) of queries Q[kNNRows][Dp] with bank block
// B[Dp][kNNBlock] to acc.
inline void nn_dots(const float* __restrict Q, const float* __restrict B, int Dp, int d0, int d1,
                    vf (&acc)[kNNRows][kNNVecs]) {
#pragma GCC unroll 2
  for (int d = d0; d < d1; ++d) {
    vf b[kNNVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kNNVecs; ++v) b[v] = *reinterpret_cast<const vf*>(B + d * kNNBlock + v * VL);
#pragma GCC unroll 32
    for (int r = 0; r < kNNRows; ++r) {
      const float q = Q[r * Dp + d];
#pragma GCC unroll 4
      for (int v = 0; v < kNNVecs; ++v) acc[r][v] += b[v] * q;
    }
  }
}

// Eigenvectors of the symmetric matrix A [n][n] (overwritten) by cyclic Jacobi rotations, as the
// columns of V, ordered by decreasing eigenvalue. V is orthogonal to float64 precision whatever
// the convergence, which is all the search's exactness relies on.
std::vector<double> principal_axes(std::vector<double> A, int n) {
  std::vector<double> V(static_cast<size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) V[i * n + i] = 1.0;
  for (int sweep = 0; sweep < 50; ++sweep) {
    double off = 0.0, diag = 0.0;
    for (int i = 0; i < n; ++i) {
      diag += A[i * n + i] * A[i * n + i];
      for (int j = i + 1; j < n; ++j) off += A[i * n + j] * A[i * n + j];
    }
    if (off <= 1e-24 * diag || off == 0.0) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        const double apq = A[p * n + q];
        if (std::fabs(apq) < 1e-300) continue;
        const double theta = (A[q * n + q] - A[p * n + p]) / (2.0 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; ++k) {
          const double akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {
          const double apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {
          const double vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return A[a * n + a] > A[b * n + b]; });
  std::vector<double> out(static_cast<size_t>(n) * n);
  for (int d = 0; d < n; ++d)
    for (int k = 0; k < n; ++k) out[d * n + k] = V[d * n + order[k]];
  return out;
}

// Centring, rotation and scaling y = scale R^T (x - mean), in float64 and rounded once to float32.
struct Rotation {
  int dim, Dp;
  double scale;                 // a power of two: the largest |y| is below 1
  std::vector<double> mean, R;  // R [dim][dim]: column k is the k-th principal axis

  // Writes y[0 .. Dp) (zero padded) at the given stride; returns |y|^2 and |y_2..D|^2 of the
  // rounded y (in float64).
  void apply(const float* x, float* y, int stride, double& norm2, double& rest2) const {
    double acc[512];
    for (int k = 0; k < dim; ++k) acc[k] = 0.0;
    for (int d = 0; d < dim; ++d) {
      const double xc = (static_cast<double>(x[d]) - mean[d]) * scale;
      const double* row = R.data() + static_cast<size_t>(d) * dim;
      for (int k = 0; k < dim; ++k) acc[k] += xc * row[k];
    }
    norm2 = rest2 = 0.0;
    for (int k = 0; k < Dp; ++k) {
      const float v = k < dim ? static_cast<float>(acc[k]) : 0.0f;
      y[k * stride] = v;
      norm2 += static_cast<double>(v) * v;
      if (k > 0) rest2 += static_cast<double>(v) * v;
    }
  }
};

Rotation make_rotation(const float* bank, int64_t nb, int dim, int nt) {
  Rotation rot{dim, ((dim + 3) / 4) * 4, 1.0, std::vector<double>(dim, 0.0), {}};
  // Statistics on an even subsample (any orthogonal R is exact; PCA only makes pruning effective).
  const int64_t step = std::max<int64_t>(1, nb / 65536);
  int64_t count = 0;
  for (int64_t i = 0; i < nb; i += step, ++count)
    for (int d = 0; d < dim; ++d) rot.mean[d] += bank[i * dim + d];
  for (int d = 0; d < dim; ++d) rot.mean[d] /= std::max<int64_t>(count, 1);
  std::vector<double> cov(static_cast<size_t>(dim) * dim, 0.0);
  const int64_t nsample = (nb + step - 1) / step;
  std::vector<std::vector<double>> partial(nt, std::vector<double>(static_cast<size_t>(dim) * dim, 0.0));
  parallel_for(nt, 1.0 * nsample * dim * dim, [&](int64_t t) {
    std::vector<double>& local = partial[t];
    std::vector<double> xc(dim);
    for (int64_t j = nsample * t / nt; j < nsample * (t + 1) / nt; ++j) {
      const int64_t i = j * step;
      for (int d = 0; d < dim; ++d) xc[d] = bank[i * dim + d] - rot.mean[d];
      for (int a = 0; a < dim; ++a)
        for (int b = a; b < dim; ++b) local[a * dim + b] += xc[a] * xc[b];
    }
  });
  for (const auto& local : partial)
    for (size_t k = 0; k < local.size(); ++k) cov[k] += local[k];
  for (int a = 0; a < dim; ++a)
    for (int b = 0; b < a; ++b) cov[a * dim + b] = cov[b * dim + a];
  rot.R = principal_axes(cov, dim);
  return rot;
}

// fn(i) for i in [0, n), in chunks over the pool.
template <class Fn>
void parallel_range(int64_t n, int64_t chunk, double flops_per_item, const Fn& fn) {
  const int64_t nchunk = (n + chunk - 1) / chunk;
  parallel_for(nchunk, flops_per_item * n, [&](int64_t c) {
    for (int64_t i = c * chunk; i < std::min(n, (c + 1) * chunk); ++i) fn(i);
  });
}

// The smallest index of each group of bitwise identical rows, in increasing order; with rep_of,
// also that index for every row.
std::vector<int32_t> distinct_rows(const float* x, int64_t n, int dim, std::vector<int32_t>* rep_of = nullptr) {
  std::vector<std::pair<uint64_t, int32_t>> key(n);
  parallel_range(n, 4096, 4.0 * dim, [&](int64_t i) {
    uint64_t h = 1469598103934665603ull;
    const uint32_t* w = reinterpret_cast<const uint32_t*>(x + i * dim);
    for (int d = 0; d < dim; ++d) h = (h ^ w[d]) * 1099511628211ull;
    key[i] = {h ^ (h >> 29), static_cast<int32_t>(i)};
  });
  std::sort(key.begin(), key.end());
  std::vector<int32_t> keep;
  keep.reserve(n);
  if (rep_of) rep_of->assign(n, 0);
  for (int64_t s = 0; s < n;) {
    int64_t e = s;
    while (e < n && key[e].first == key[s].first) ++e;
    const size_t first = keep.size();
    for (int64_t i = s; i < e; ++i) {  // a run of equal hashes: keep those unlike every kept one
      const float* xi = x + static_cast<int64_t>(key[i].second) * dim;
      int32_t rep = key[i].second;
      for (size_t j = first; j < keep.size(); ++j)
        if (std::memcmp(xi, x + static_cast<int64_t>(keep[j]) * dim, sizeof(float) * dim) == 0) {
          rep = keep[j];
          break;
        }
      if (rep == key[i].second) keep.push_back(rep);
      if (rep_of) (*rep_of)[key[i].second] = rep;
    }
    s = e;
  }
  std::sort(keep.begin(), keep.end());
  return keep;
}

int nearest(const float* bank, int64_t nb, const float* queries, int64_t nq, int dim, float* out_dist,
            int32_t* out_idx) {
  if (dim <= 0 || dim > 512 || nq < 0 || nb < 0) return -1;
  for (const auto& [p, n] : {std::make_pair(bank, nb), std::make_pair(queries, nq)})
    for (int64_t i = 0; i < n * dim; ++i)
      if (!std::isfinite(p[i])) return -2;
  const double inf = std::numeric_limits<double>::infinity();
  if (nb == 0) {
    for (int64_t i = 0; i < nq; ++i) {
      out_dist[i] = std::numeric_limits<float>::infinity();
      if (out_idx) out_idx[i] = -1;
    }
    return 0;
  }
  if (nq == 0) return 0;
  {  // bitwise identical queries (a random encoder's background patches) are searched once
    std::vector<int32_t> rep_of;
    const std::vector<int32_t> uq = distinct_rows(queries, nq, dim, &rep_of);
    const int64_t nqu = static_cast<int64_t>(uq.size());
    if (nqu < nq) {
      std::vector<float> qu(static_cast<size_t>(nqu) * dim), du(nqu);
      std::vector<int32_t> iu(nqu), slot(nq, -1);
      for (int64_t j = 0; j < nqu; ++j) {
        std::memcpy(qu.data() + j * dim, queries + static_cast<int64_t>(uq[j]) * dim, sizeof(float) * dim);
        slot[uq[j]] = static_cast<int32_t>(j);
      }
      const int code = nearest(bank, nb, qu.data(), nqu, dim, du.data(), iu.data());
      for (int64_t i = 0; i < nq; ++i) {
        const int32_t j = slot[rep_of[i]];
        out_dist[i] = du[j];
        if (out_idx) out_idx[i] = iu[j];
      }
      return code;
    }
  }
  const int nt = num_threads();
  const std::vector<int32_t> uniq = distinct_rows(bank, nb, dim);
  const int64_t nu = static_cast<int64_t>(uniq.size());
  Rotation rot = make_rotation(bank, nb, dim, nt);
  const int Dp = rot.Dp;
  {  // scale: a power of two that brings the largest centred norm to [0.5, 1)
    std::vector<double> big(nt, 0.0);
    auto centred2 = [&](const float* x) {
      double s = 0.0;
      for (int d = 0; d < dim; ++d) s += (x[d] - rot.mean[d]) * (x[d] - rot.mean[d]);
      return s;
    };
    parallel_for(nt, 3.0 * (nu + nq) * dim, [&](int64_t t) {
      for (int64_t i = nu * t / nt; i < nu * (t + 1) / nt; ++i) big[t] = std::max(big[t], centred2(bank + static_cast<int64_t>(uniq[i]) * dim));
      for (int64_t i = nq * t / nt; i < nq * (t + 1) / nt; ++i) big[t] = std::max(big[t], centred2(queries + i * dim));
    });
    const double m = std::sqrt(*std::max_element(big.begin(), big.end()));
    if (m > 0.0) rot.scale = std::ldexp(1.0, -std::ilogb(m) - 1);
  }

  // Rotated bank vectors, with r = |y_2..D|; slabs of equal count along y1, sorted by r within.
  std::vector<float> ub_y(static_cast<size_t>(nu) * Dp);
  std::vector<double> un2(nu), ur(nu);
  parallel_range(nu, 1024, 2.0 * dim * dim, [&](int64_t i) {
    double rest2;
    rot.apply(bank + static_cast<int64_t>(uniq[i]) * dim, ub_y.data() + i * Dp, 1, un2[i], rest2);
    ur[i] = std::sqrt(rest2);
  });
  std::vector<int32_t> order(nu);
  for (int64_t i = 0; i < nu; ++i) order[i] = static_cast<int32_t>(i);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return ub_y[a * static_cast<int64_t>(Dp)] < ub_y[b * static_cast<int64_t>(Dp)] ||
           (ub_y[a * static_cast<int64_t>(Dp)] == ub_y[b * static_cast<int64_t>(Dp)] && a < b);
  });
  const int64_t nslab = std::max<int64_t>(1, std::min<int64_t>(1024, static_cast<int64_t>(std::sqrt(nu / 128.0))));
  std::vector<int64_t> slab_start(nslab + 1);  // first vector (in order) of each slab
  for (int64_t s = 0; s <= nslab; ++s) slab_start[s] = nu * s / nslab;
  std::vector<float> slab_y1lo(nslab), slab_y1hi(nslab);
  for (int64_t s = 0; s < nslab; ++s) {
    slab_y1lo[s] = ub_y[order[slab_start[s]] * static_cast<int64_t>(Dp)];
    slab_y1hi[s] = ub_y[order[slab_start[s + 1] - 1] * static_cast<int64_t>(Dp)];
  }
  std::vector<int64_t> slab_blk(nslab + 1, 0);  // first block of each slab
  for (int64_t s = 0; s < nslab; ++s) {
    std::sort(order.begin() + slab_start[s], order.begin() + slab_start[s + 1],
              [&](int32_t a, int32_t b) { return ur[a] < ur[b] || (ur[a] == ur[b] && a < b); });
    slab_blk[s + 1] = slab_blk[s] + (slab_start[s + 1] - slab_start[s] + kNNBlock - 1) / kNNBlock;
  }
  const int64_t nblk = slab_blk[nslab];
  // Packed blocks [block][Dp][kNNBlock], |y|^2 per lane (+inf for padding lanes), the original
  // index per lane (-1: padding), and each block's box.
  // Bt [block][check][kNNBlock]: |y_>=m| of each lane at each checkpoint m.
  const std::vector<int> checks = nn_checkpoints(Dp);
  const int nck = static_cast<int>(checks.size());
  Buffer bankbuf, normbuf, tailbuf;
  float* Bp = bankbuf.get(static_cast<size_t>(nblk) * Dp * kNNBlock);
  float* Bn = normbuf.get(static_cast<size_t>(nblk) * kNNBlock);
  float* Bt = tailbuf.get(static_cast<size_t>(nblk) * std::max(nck, 1) * kNNBlock);
  std::vector<int32_t> bidx(static_cast<size_t>(nblk) * kNNBlock);
  struct Box {
    float y1lo, y1hi;
    double rlo, rhi, c2, c;  // r range, largest |y|^2 and |y|
  };
  std::vector<Box> box(nblk);
  parallel_range(nslab, 1, 2.0 * (nu / nslab) * Dp, [&](int64_t s) {
    for (int64_t blk = slab_blk[s]; blk < slab_blk[s + 1]; ++blk) {
      float* out = Bp + blk * Dp * kNNBlock;
      Box bx{std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(), inf, -inf, 0.0, 0.0};
      for (int l = 0; l < kNNBlock; ++l) {
        const int64_t j = slab_start[s] + (blk - slab_blk[s]) * kNNBlock + l;
        const size_t lane = static_cast<size_t>(blk) * kNNBlock + l;
        if (j < slab_start[s + 1]) {
          const int32_t u = order[j];
          for (int d = 0; d < Dp; ++d) out[d * kNNBlock + l] = ub_y[static_cast<int64_t>(u) * Dp + d];
          Bn[lane] = static_cast<float>(un2[u]);
          bidx[lane] = uniq[u];
          bx.y1lo = std::min(bx.y1lo, out[l]);
          bx.y1hi = std::max(bx.y1hi, out[l]);
          bx.rlo = std::min(bx.rlo, ur[u]);
          bx.rhi = std::max(bx.rhi, ur[u]);
          bx.c2 = std::max(bx.c2, un2[u]);
        } else {
          for (int d = 0; d < Dp; ++d) out[d * kNNBlock + l] = 0.0f;
          Bn[lane] = std::numeric_limits<float>::infinity();
          bidx[lane] = -1;
        }
      }
      for (int k = 0; k < nck; ++k)
        for (int l = 0; l < kNNBlock; ++l) {
          double t = 0.0;
          for (int d = checks[k]; d < Dp; ++d) t += static_cast<double>(out[d * kNNBlock + l]) * out[d * kNNBlock + l];
          Bt[(blk * nck + k) * kNNBlock + l] = static_cast<float>(std::sqrt(t));
        }
      bx.rlo *= 1.0 - 1e-12;  // outward, for the float64 rounding of r
      bx.rhi *= 1.0 + 1e-12;
      bx.c2 *= 1.0 + 1e-12;
      bx.c = std::sqrt(bx.c2);
      box[blk] = bx;
    }
  });
  std::vector<float>().swap(ub_y);
  double c2max = 0.0;
  for (const Box& bx : box) c2max = std::max(c2max, bx.c2);
  const double cmax = std::sqrt(c2max);

  // Queries, rotated, sorted by (slab, r), in tiles of kNNRows ([tile][row][Dp]); the last tile
  // is padded with copies of the last query.
  const int64_t ntile = (nq + kNNRows - 1) / kNNRows;
  Buffer qbuf;
  float* Q = qbuf.get(static_cast<size_t>(ntile) * kNNRows * Dp);
  std::vector<int32_t> qo(nq);  // sorted position -> query index
  std::vector<double> qn2(nq), qr(nq);  // by sorted position: |y|^2, |y_2..D|
  {
    std::vector<float> qy(static_cast<size_t>(nq) * Dp);
    std::vector<double> n2(nq), rr(nq);
    parallel_range(nq, 1024, 2.0 * dim * dim, [&](int64_t i) {
      double rest2;
      rot.apply(queries + i * dim, qy.data() + i * Dp, 1, n2[i], rest2);
      rr[i] = std::sqrt(rest2);
    });
    std::vector<int64_t> slab_of(nq);
    for (int64_t i = 0; i < nq; ++i)
      slab_of[i] = std::upper_bound(slab_y1lo.begin() + 1, slab_y1lo.end(), qy[i * Dp]) - slab_y1lo.begin() - 1;
    for (int64_t i = 0; i < nq; ++i) qo[i] = static_cast<int32_t>(i);
    std::sort(qo.begin(), qo.end(), [&](int32_t a, int32_t b) {
      if (slab_of[a] != slab_of[b]) return slab_of[a] < slab_of[b];
      return rr[a] < rr[b] || (rr[a] == rr[b] && a < b);
    });
    for (int64_t s = 0; s < ntile * kNNRows; ++s)
      std::memcpy(Q + s * Dp, qy.data() + static_cast<int64_t>(qo[std::min(s, nq - 1)]) * Dp, sizeof(float) * Dp);
    for (int64_t s = 0; s < nq; ++s) qn2[s] = n2[qo[s]], qr[s] = rr[qo[s]];
  }

  // Error bounds (scaled units). e: the rounding of y, on the distance; m: the float32 GEMM form,
  // on the squared distance (dot product of Dp terms, three roundings, and at a checkpoint the
  // rounded tail norms and their product, 1.02 for the float64 bookkeeping); both with an
  // absolute term for subnormal results.
  const double kappa = (Dp + 12) * 1.02 * kU;
  auto err_y = [&](double qn, double c) { return (1.01 * kU + 1e-12) * (qn + c) + kTiny; };
  auto err_s = [&](double a, double c2) { return kappa * (a + c2) + kTiny; };
  auto sq = [](double x) { return x * x; };

  std::vector<NNState> state(nq);
  // One tile's rows: first axis, r, |y|^2 and |y|, and reach (no pair whose box bound exceeds it
  // can still become a candidate); with their ranges over the tile, for a quick test per block.
  struct Tile {
    double q1[kNNRows], rq[kNNRows], a[kNNRows], qn[kNNRows], reach[kNNRows];
    float af[kNNRows];
    float qt[kMaxChecks][kNNRows];  // |y_>=m| at each checkpoint
    double y1lo, y1hi, rlo, rhi, reach_max, g1;  // g1: squared first-axis gap to the current slab
    int rows;
    int64_t seed;  // the block visited first
  };
  auto set_reach = [&](Tile& T, const NNState* st) {
    T.reach_max = -inf;
    for (int r = 0; r < T.rows; ++r) {
      T.reach[r] = st[r].ub == inf ? inf : sq(st[r].ub + err_y(T.qn[r], cmax)) + 2.0 * err_s(T.a[r], c2max);
      T.reach_max = std::max(T.reach_max, T.reach[r]);
    }
  };
  auto gap = [](double lo, double hi, double a, double b) {  // between [lo, hi] and [a, b]
    return std::max({0.0, lo - b, a - hi});
  };

  // Pairs of a tile and a block: box test, then the dot products and the candidates.
  auto visit_block = [&](Tile& T, NNState* st, const float* Qt, int64_t blk) {
    const Box& bx = box[blk];
    {
      const double gy = gap(bx.y1lo, bx.y1hi, T.y1lo, T.y1hi), gr = gap(bx.rlo, bx.rhi, T.rlo, T.rhi);
      if ((gy * gy + gr * gr) * (1.0 - 1e-12) > T.reach_max) return;
    }
    double e[kNNRows], m[kNNRows];
    float thr[kNNRows], thr2[kNNRows];
    bool any = false;
    for (int r = 0; r < kNNRows; ++r) {
      thr[r] = thr2[r] = -std::numeric_limits<float>::infinity();
      if (r >= T.rows) continue;
      e[r] = err_y(T.qn[r], bx.c);
      m[r] = err_s(T.a[r], bx.c2);
      const double t = st[r].ub == inf ? inf : sq(st[r].ub + e[r]) + m[r];
      const double gy = gap(bx.y1lo, bx.y1hi, T.q1[r], T.q1[r]), gr = gap(bx.rlo, bx.rhi, T.rq[r], T.rq[r]);
      if ((gy * gy + gr * gr) * (1.0 - 1e-12) > t + m[r]) continue;  // no pair of the block can pass
      thr[r] = static_cast<float>(t * (1.0 + 1e-6));
      thr2[r] = static_cast<float>((t + 2.0 * m[r]) * (1.0 + 1e-6));  // s >= bound - m > thr + m: out
      any = true;
    }
    if (!any) return;
    const float* B = Bp + blk * Dp * kNNBlock;
    const float* nb2 = Bn + blk * kNNBlock;
    vf acc[kNNRows][kNNVecs];
#pragma GCC unroll 32
    for (int r = 0; r < kNNRows; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < kNNVecs; ++v) acc[r][v] = vf{};
    int d0 = 0;
    for (int k = 0; k < nck; ++k) {
      nn_dots(Qt, B, Dp, d0, checks[k], acc);
      d0 = checks[k];
      // Lower bound of every pair: |q|^2 + |b|^2 - 2 (partial dot + |q_>=m| |b_>=m|).
      const float* bt = Bt + (blk * nck + k) * kNNBlock;
      vmask alive{};
#pragma GCC unroll 32
      for (int r = 0; r < kNNRows; ++r)
#pragma GCC unroll 4
        for (int v = 0; v < kNNVecs; ++v) {
          const vf t = acc[r][v] + *reinterpret_cast<const vf*>(bt + v * VL) * T.qt[k][r];
          alive |= (T.af[r] + *reinterpret_cast<const vf*>(nb2 + v * VL)) - (t + t) <= thr2[r];
        }
      bool any_alive = false;
      for (int l = 0; l < VL; ++l) any_alive |= alive[l] != 0;
      if (!any_alive) return;
    }
    nn_dots(Qt, B, Dp, d0, Dp, acc);
    vmask hit{};
#pragma GCC unroll 32
    for (int r = 0; r < kNNRows; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < kNNVecs; ++v) {
        const vf s = (T.af[r] + *reinterpret_cast<const vf*>(nb2 + v * VL)) - (acc[r][v] + acc[r][v]);
        acc[r][v] = s;
        hit |= s <= thr[r];
      }
    bool found = false;
    for (int l = 0; l < VL; ++l) found |= hit[l] != 0;
    if (!found) return;
    bool changed = false;
    for (int r = 0; r < T.rows; ++r) {
      const double ub0 = st[r].ub;
      for (int v = 0; v < kNNVecs; ++v)
        for (int l = 0; l < VL; ++l) {
          const float s = acc[r][v][l];
          if (!(s <= thr[r])) continue;
          const int32_t idx = bidx[static_cast<size_t>(blk) * kNNBlock + v * VL + l];
          if (idx < 0) continue;
          const double lo = (std::sqrt(std::max(0.0, s - m[r])) - e[r]) * (1.0 - 1e-12);
          const double up = (std::sqrt(s + m[r]) + e[r]) * (1.0 + 1e-12);
          nn_insert(st[r], lo, up, idx);
        }
      changed |= st[r].ub != ub0;
    }
    if (changed) set_reach(T, st);
  };
  auto block_of = [&](int64_t s, double r) {  // first block of slab s whose r range reaches r
    const int64_t b = std::lower_bound(box.begin() + slab_blk[s], box.begin() + slab_blk[s + 1], r,
                                       [](const Box& bx, double x) { return bx.rhi < x; }) - box.begin();
    return std::min(b, slab_blk[s + 1] - 1);
  };
  auto slab_of = [&](double y1) {
    return std::upper_bound(slab_y1lo.begin() + 1, slab_y1lo.end(), static_cast<float>(y1)) - slab_y1lo.begin() - 1;
  };

  // kNNGroup consecutive tiles sweep the bank together, so that a block read from memory serves
  // all of them (one tile alone reads 8 KB per 1536 FMAs and waits on memory).
  constexpr int kNNGroup = 192 / kNNRows;
  const int64_t ngroup = (ntile + kNNGroup - 1) / kNNGroup;
  parallel_range(ngroup, 1, 1e9, [&](int64_t group) {
    const int64_t t0 = group * kNNGroup;
    const int nt_g = static_cast<int>(std::min<int64_t>(kNNGroup, ntile - t0));
    Tile tiles[kNNGroup];
    double glo = inf, ghi = -inf;
    std::vector<double> rs;
    for (int t = 0; t < nt_g; ++t) {
      Tile& T = tiles[t];
      const int64_t s0 = (t0 + t) * kNNRows;
      const float* Qt = Q + s0 * Dp;
      NNState* st = state.data() + s0;
      T.rows = static_cast<int>(std::min<int64_t>(kNNRows, nq - s0));
      T.y1lo = T.rlo = inf;
      T.y1hi = T.rhi = -inf;
      for (int r = 0; r < kNNRows; ++r) {
        const int64_t i = s0 + std::min(r, T.rows - 1);
        T.q1[r] = Qt[r * Dp];
        T.rq[r] = qr[i];
        T.a[r] = qn2[i];
        T.af[r] = static_cast<float>(T.a[r]);
        for (int k = 0; k < nck; ++k) {
          double t = 0.0;
          for (int d = checks[k]; d < Dp; ++d) t += static_cast<double>(Qt[r * Dp + d]) * Qt[r * Dp + d];
          T.qt[k][r] = static_cast<float>(std::sqrt(t));
        }
        T.qn[r] = std::sqrt(T.a[r]);
        if (r < T.rows) {
          st[r].ub = st[r].dropped = inf;
          st[r].cnt = 0;
          T.y1lo = std::min(T.y1lo, T.q1[r]);
          T.y1hi = std::max(T.y1hi, T.q1[r]);
          T.rlo = std::min(T.rlo, T.rq[r]);
          T.rhi = std::max(T.rhi, T.rq[r]);
          rs.push_back(T.rq[r]);
        }
      }
      glo = std::min(glo, T.y1lo);
      ghi = std::max(ghi, T.y1hi);
      set_reach(T, st);
      // Seed: the block nearest the tile's middle row, so that its thresholds start small.
      T.seed = block_of(slab_of(T.q1[(T.rows - 1) / 2]), T.rq[(T.rows - 1) / 2]);
      visit_block(T, st, Qt, T.seed);
    }
    std::nth_element(rs.begin(), rs.begin() + rs.size() / 2, rs.end());
    const double rmid = rs[rs.size() / 2];
    auto visit_all = [&](int64_t blk) {
      for (int t = 0; t < nt_g; ++t)
        if (blk != tiles[t].seed) {
          const int64_t s0 = (t0 + t) * kNNRows;
          visit_block(tiles[t], state.data() + s0, Q + s0 * Dp, blk);
        }
    };
    auto visit_slab = [&](int64_t s) {
      bool all_out = true;
      for (int t = 0; t < nt_g; ++t) {
        Tile& T = tiles[t];
        const double g = gap(slab_y1lo[s], slab_y1hi[s], T.y1lo, T.y1hi);
        T.g1 = g * g;
        all_out &= T.g1 > T.reach_max;
      }
      if (all_out) return;
      // Blocks further up have larger rlo, further down smaller rhi: the r gap only grows.
      auto r_beyond = [&](double edge, bool above) {
        for (int t = 0; t < nt_g; ++t) {
          const Tile& T = tiles[t];
          const double g = above ? edge - T.rhi : T.rlo - edge;
          if (!(g > 0.0 && T.g1 + g * g > T.reach_max)) return false;
        }
        return true;
      };
      const int64_t b0 = slab_blk[s], b1 = slab_blk[s + 1];
      int64_t up = block_of(s, rmid), down = up - 1;
      bool udone = false, ddone = false;
      for (;;) {
        if (!udone && (up >= b1 || r_beyond(box[up].rlo, true))) udone = true;
        if (!ddone && (down < b0 || r_beyond(box[down].rhi, false))) ddone = true;
        if (udone && ddone) break;
        if (udone) {
          visit_all(down--);
        } else if (ddone) {
          visit_all(up++);
        } else {
          visit_all((box[up].rlo - rmid <= rmid - box[down].rhi) ? up++ : down--);
        }
      }
    };
    // Slabs outwards from the group's; a direction ends when the first-axis gap alone is out of reach.
    auto beyond = [&](int64_t s, bool right) {
      for (int t = 0; t < nt_g; ++t) {
        const Tile& T = tiles[t];
        const double g = right ? slab_y1lo[s] - T.y1hi : T.y1lo - slab_y1hi[s];
        if (!(g > 0.0 && g * g > T.reach_max)) return false;
      }
      return true;
    };
    int64_t right = slab_of(0.5 * (glo + ghi)), left = right - 1;
    bool rdone = false, ldone = false;
    for (;;) {
      if (!rdone && (right >= nslab || beyond(right, true))) rdone = true;
      if (!ldone && (left < 0 || beyond(left, false))) ldone = true;
      if (rdone && ldone) break;
      if (rdone) {
        visit_slab(left--);
      } else if (ldone) {
        visit_slab(right++);
      } else {
        visit_slab((slab_y1lo[right] - ghi <= glo - slab_y1hi[left]) ? right++ : left--);
      }
    }
  });

  // Re-rank the candidates in float64 on the original vectors (ties: smallest original index).
  auto dist2 = [&](const float* q, int64_t i) {
    const float* b = bank + i * dim;
    double s = 0.0;
    for (int d = 0; d < dim; ++d) {
      const double t = static_cast<double>(q[d]) - static_cast<double>(b[d]);
      s += t * t;
    }
    return s;
  };
  std::atomic<int64_t> fallbacks{0};
  parallel_range(nq, 256, 1e6, [&](int64_t s) {
    const NNState& st = state[s];
    const int64_t qi = qo[s];
    const float* q = queries + qi * dim;
    double best = inf;
    int64_t arg = -1;
    auto consider = [&](int64_t i) {
      const double d = dist2(q, i);
      if (d < best || (d == best && i < arg)) best = d, arg = i;
    };
    if (st.dropped <= st.ub) {
      // More than kCand candidates: every vector of the blocks whose box does not exclude it is
      // tested against the final bound with the same float32 interval, and kept ones in float64.
      fallbacks.fetch_add(1);
      const float* qy = Q + s * Dp;
      const double q1 = qy[0], rq = qr[s], a = qn2[s], qn = std::sqrt(a);
      const float af = static_cast<float>(a);
      for (int64_t blk = 0; blk < nblk; ++blk) {
        const Box& bx = box[blk];
        const double e = err_y(qn, bx.c), reach2 = sq(st.ub + e);
        const double gy = std::max({0.0, bx.y1lo - q1, q1 - bx.y1hi});
        const double gr = std::max({0.0, bx.rlo - rq, rq - bx.rhi});
        if ((gy * gy + gr * gr) * (1.0 - 1e-12) > reach2) continue;
        const float thr = static_cast<float>((reach2 + err_s(a, bx.c2)) * (1.0 + 1e-6));
        const float* B = Bp + blk * Dp * kNNBlock;
        vf acc[kNNVecs] = {};
        for (int d = 0; d < Dp; ++d)
          for (int v = 0; v < kNNVecs; ++v) acc[v] += *reinterpret_cast<const vf*>(B + d * kNNBlock + v * VL) * qy[d];
        for (int v = 0; v < kNNVecs; ++v) {
          const vf sv = (af + *reinterpret_cast<const vf*>(Bn + blk * kNNBlock + v * VL)) - (acc[v] + acc[v]);
          for (int l = 0; l < VL; ++l) {
            const int32_t i = bidx[static_cast<size_t>(blk) * kNNBlock + v * VL + l];
            if (sv[l] <= thr && i >= 0) consider(i);
          }
        }
      }
    } else {
      for (int c = 0; c < st.cnt; ++c)
        if (st.lb[c] <= st.ub) consider(st.ci[c]);
    }
    out_dist[qi] = static_cast<float>(std::sqrt(best));
    if (out_idx) out_idx[qi] = static_cast<int32_t>(arg);
  });
  return static_cast<int>(std::min<int64_t>(fallbacks.load(), 0x7fffffff));
}

// ---------------------------------------------------------------------------------------------
// Elementwise kernels and reductions. In a training step these run as often as the convolutions
// (bias gradients, LeakyReLU and its gradient), and tfjs's pure-JS versions of them cost more than
// the convolutions themselves. Operands broadcast "periodically": an operand of na elements is
// read at index i % na, which covers equal shapes, scalars, and per-channel vectors.
// ---------------------------------------------------------------------------------------------

enum BinaryOp { kMul = 0, kAdd = 1, kSub = 2, kGreater = 3, kDiv = 4 };


template <class Out, class Op>
void binary_loop(const float* a, int64_t na, const float* b, int64_t nb, Out* out, int64_t n, Op op) {
  parallel_elements(n, [&](int64_t i0, int64_t i1) {
    if (na == n && nb == n) {
      for (int64_t i = i0; i < i1; ++i) out[i] = op(a[i], b[i]);
    } else if (na == n && nb == 1) {
      const float bv = b[0];
      for (int64_t i = i0; i < i1; ++i) out[i] = op(a[i], bv);
    } else if (na == 1 && nb == n) {
      const float av = a[0];
      for (int64_t i = i0; i < i1; ++i) out[i] = op(av, b[i]);
    } else {
      int64_t ja = i0 % na, jb = i0 % nb;
      for (int64_t i = i0; i < i1; ++i) {
        out[i] = op(a[ja], b[jb]);
        if (++ja == na) ja = 0;
        if (++jb == nb) jb = 0;
      }
    }
  });
}

void binary(int op, const float* a, int64_t na, const float* b, int64_t nb, void* out, int64_t n) {
  float* of = static_cast<float*>(out);
  switch (op) {
    case kMul:
      binary_loop(a, na, b, nb, of, n, [](float x, float y) { return x * y; });
      break;
    case kAdd:
      binary_loop(a, na, b, nb, of, n, [](float x, float y) { return x + y; });
      break;
    case kSub:
      binary_loop(a, na, b, nb, of, n, [](float x, float y) { return x - y; });
      break;
    case kDiv:
      binary_loop(a, na, b, nb, of, n, [](float x, float y) { return x / y; });
      break;
    case kGreater:
      binary_loop(a, na, b, nb, static_cast<uint8_t*>(out), n,
                  [](float x, float y) { return static_cast<uint8_t>(x > y); });
      break;
  }
}

// out = cond ? t : e (all n elements).
void select(const uint8_t* cond, const float* t, const float* e, float* out, int64_t n) {
  parallel_elements(n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = cond[i] ? t[i] : e[i];
  });
}

void leaky_relu(const float* x, float* out, int64_t n, float alpha) {
  parallel_elements(n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = x[i] < 0.0f ? x[i] * alpha : x[i];
  });
}

// tanh of float32 values, computed in float64 and rounded once: what tfjs's cpu kernel gives
// (Math.tanh in float64, stored as float32), but branch-free so that it vectorizes. Every
// positive float32 gives exactly (float)std::tanh((double)x) with glibc (checked exhaustively
// when it was written). GCC keeps the loop scalar under its default -ftrapping-math (the selects
// would evaluate a division on both arms), hence the attribute.
#if defined(__GNUC__) && !defined(__clang__)
#define PSV_NO_TRAPPING_MATH __attribute__((optimize("no-trapping-math")))
#else
#define PSV_NO_TRAPPING_MATH
#endif

PSV_NO_TRAPPING_MATH inline double tanh_abs_f64(double a) {  // a >= 0
  // Small a: the odd Taylor series to a^9 (relative error below 3e-18 for a < 0.0625).
  const double a2 = a * a;
  const double small = a * (1.0 + a2 * (-1.0 / 3 + a2 * (2.0 / 15 + a2 * (-17.0 / 315 + a2 * (62.0 / 2835)))));
  // Else 1 - 2 / (exp(2a) + 1); exp by range reduction, 2a = k ln2 + r with |r| <= ln2 / 2
  // (tanh rounds to 1.0f from a = 9.1, so 2a is capped at 40).
  const double y = 2.0 * a < 40.0 ? 2.0 * a : 40.0;
  const double shifter = 0x1.8p52 + 1023.0;
  const double t = y * 0x1.71547652b82fep0 + shifter;  // round(y / ln2) + 1023 in the low mantissa bits
  const double k = t - shifter;
  const double r = (y - k * 0x1.62e42fefa3800p-1) - k * 0x1.ef35793c76730p-45;  // ln2 in two parts
  // exp(r) on |r| <= 0.347: the Taylor series to r^12 (relative error below 1e-16).
  double p = 1.0 / 479001600;
  p = p * r + 1.0 / 39916800;
  p = p * r + 1.0 / 3628800;
  p = p * r + 1.0 / 362880;
  p = p * r + 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  uint64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  bits <<= 52;  // 2^k: the exponent field k + 1023
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const double big = 1.0 - 2.0 / (p * scale + 1.0);
  return a < 0.0625 ? small : big;
}

PSV_NO_TRAPPING_MATH void tanh_range(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i];
    const double m = tanh_abs_f64(v < 0.0 ? -v : v);
    out[i] = static_cast<float>(v < 0.0 ? -m : v > 0.0 ? m : v);  // v itself for +-0 and NaN
  }
}

void tanh_f32(const float* x, float* out, int64_t n) {
  // tanh costs about 20 flops per element (parallel_elements counts 4)
  parallel_for((n + kElemChunk - 1) / kElemChunk, 20.0 * n, [&](int64_t c) {
    const int64_t i0 = c * kElemChunk;
    tanh_range(x + i0, out + i0, std::min(n, i0 + kElemChunk) - i0);
  });
}

// The gradient through a LeakyReLU, from its output: out = dy * (y > 0 ? 1 : alpha). The output has
// the sign of the input (alpha > 0), so y > 0 exactly where the input was.
void leaky_relu_grad(const float* dy, const float* y, float* out, int64_t n, float alpha) {
  parallel_elements(n, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = y[i] > 0.0f ? dy[i] : dy[i] * alpha;
  });
}

// x viewed as [rows, cols]: leading = true sums over rows (out[cols]), else over cols (out[rows]).
// Accumulates in float64, like tfjs's cpu backend.
void sum_2d(const float* x, int64_t rows, int64_t cols, bool leading, float* out) {
  if (!leading) {
    parallel_elements(rows, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        double acc = 0.0;
        const float* p = x + r * cols;
        for (int64_t c = 0; c < cols; ++c) acc += p[c];
        out[r] = static_cast<float>(acc);
      }
    });
    return;
  }
  const int nt = rows * cols >= (1 << 16) ? num_threads() : 1;
  std::vector<double> partial(static_cast<size_t>(nt) * cols, 0.0);
  parallel_for(nt, 4.0 * rows * cols, [&](int64_t t) {
    double* acc = partial.data() + t * cols;
    for (int64_t r = rows * t / nt; r < rows * (t + 1) / nt; ++r) {
      const float* p = x + r * cols;
      for (int64_t c = 0; c < cols; ++c) acc[c] += p[c];
    }
  });
  for (int64_t c = 0; c < cols; ++c) {
    double acc = 0.0;
    for (int t = 0; t < nt; ++t) acc += partial[t * cols + c];
    out[c] = static_cast<float>(acc);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// C ABI (see src/backend/native.ts for the FFI declarations).
// ---------------------------------------------------------------------------------------------

extern "C" {

// ABI version; bump whenever a signature below changes.
int psv_abi_version() { return 5; }

// The vector instruction set compiled in: "avx512", "avx2", "avx", "neon" (AArch64) or "generic".
const char* psv_isa() { return kIsa; }

// Precision of the convolutions and matmuls: 0 float32 (default), 1 bf16 (needs AMX). Returns 1 when set; 0 when this CPU or OS cannot run AMX (the precision is unchanged).
int psv_set_precision(int p) {
  if (p == kFp32 || (p == kBf16 && amx_permitted())) {
    g_precision = p;
    return 1;
  }
  return 0;
}
int psv_get_precision() { return g_precision; }

// Threads used by every kernel, the calling thread included (0: PATCHSVDD_THREADS or every core).
void psv_set_threads(int n) { Pool::instance().set_threads(n); }
int psv_get_threads() { return num_threads(); }

// shape: int32[15] = N, H, W, Cin, Ho, Wo, Cout, kh, kw, strideH, strideW, dilationH, dilationW,
// padTop, padLeft. x [N,H,W,Cin], w [kh,kw,Cin,Cout], y [N,Ho,Wo,Cout]; bias [Cout] or null;
// act: 0 linear, 1 relu, 2 leaky relu (alpha).
void psv_conv2d(const float* x, const float* w, const float* bias, float* y, const int32_t* shape, int act,
                float alpha) {
  conv2d_forward(x, w, bias, y, ConvShape::read(shape), act, alpha);
}

// dy [N,Ho,Wo,Cout], w [kh,kw,Cin,Cout] -> dx [N,H,W,Cin] (overwritten). mask: null, or the output
// [N,H,W,Cin] of a LeakyReLU (slope alpha) that produced x: dx is then the gradient with respect to
// that LeakyReLU's input.
void psv_conv2d_backprop_input(const float* dy, const float* w, float* dx, const int32_t* shape, const float* mask,
                               float alpha) {
  conv2d_backprop_input(dy, w, dx, ConvShape::read(shape), mask, alpha);
}

// x [N,H,W,Cin], dy [N,Ho,Wo,Cout] -> dw [kh,kw,Cin,Cout] (overwritten).
void psv_conv2d_backprop_filter(const float* x, const float* dy, float* dw, const int32_t* shape) {
  conv2d_backprop_filter(x, dy, dw, ConvShape::read(shape));
}

// dims: int32[5] = batchA, batchB, M, N, K. a [batchA, M, K] (or [.., K, M] when transA),
// b [batchB, K, N] (or [.., N, K] when transB) -> c [max(batchA, batchB), M, N]; bias [N] or null.
void psv_matmul(const float* a, const float* b, const float* bias, float* c, const int32_t* dims, int transA,
                int transB, int act, float alpha) {
  matmul(a, b, bias, c, dims[0], dims[1], dims[2], dims[3], dims[4], transA != 0, transB != 0, act, alpha);
}

// For each query [nq, dim] the exact L2 distance (not squared) to its nearest bank vector [nb, dim],
// and its index (out_idx may be null). Returns the number of queries settled by a float64 scan
// (16+ near-ties), -1 for bad sizes (dim must be 1..512) or -2 for a NaN or infinite value.
int psv_nearest(const float* bank, int64_t nb, const float* queries, int64_t nq, int dim, float* out_dist,
                int32_t* out_idx) {
  return nearest(bank, nb, queries, nq, dim, out_dist, out_idx);
}

// out[i] = a[i % na] op b[i % nb] for i < n; op: 0 multiply, 1 add, 2 subtract (float32 out),
// 3 greater (uint8 out), 4 divide (float32 out).
void psv_binary(int op, const float* a, int64_t na, const float* b, int64_t nb, void* out, int64_t n) {
  binary(op, a, na, b, nb, out, n);
}

// out = cond ? t : e, elementwise over n elements.
void psv_select(const uint8_t* cond, const float* t, const float* e, float* out, int64_t n) {
  select(cond, t, e, out, n);
}

// out = x < 0 ? alpha * x : x.
void psv_leaky_relu(const float* x, float* out, int64_t n, float alpha) { leaky_relu(x, out, n, alpha); }

// out = tanh(x), each value computed in float64 and rounded to float32.
void psv_tanh(const float* x, float* out, int64_t n) { tanh_f32(x, out, n); }

// out = y > 0 ? dy : alpha * dy (the gradient through a LeakyReLU whose output is y).
void psv_leaky_relu_grad(const float* dy, const float* y, float* out, int64_t n, float alpha) {
  leaky_relu_grad(dy, y, out, n, alpha);
}

// x as [rows, cols]: leading != 0 sums over rows (out has cols values), else over cols (rows values).
void psv_sum(const float* x, int64_t rows, int64_t cols, int leading, float* out) {
  sum_2d(x, rows, cols, leading != 0, out);
}

}  // extern "C"
