// A self-contained check of the native kernels' C ABI against naive float64 loops, with no Deno
// and no tfjs: it links against a built libpatchsvdd and so runs wherever that library runs, in
// particular under qemu-user for a cross-compiled aarch64 build (scripts/cross_check_aarch64.sh).
//
//   check_kernels [--expect-isa ISA] [--threads N]
//
// Covers the convolution forward pass (direct GEMM and Winograd, stride, dilation, padding, bias,
// activations), both convolution gradients (gather and scatter forms, the fused LeakyReLU mask),
// the batched matmul (transposes, broadcast, bias), the elementwise kernels and reductions, and the
// exact nearest-neighbour search (against a float64 brute force, tiny vectors, exact ties, 8+
// near-ties, odd dimensions, bad input). Prints one line per check with its worst error and time;
// exits 1 if any check fails, 2 on bad arguments.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

extern "C" {
int psv_abi_version();
const char* psv_isa();
void psv_set_threads(int n);
int psv_get_threads();
void psv_conv2d(const float* x, const float* w, const float* bias, float* y, const int32_t* shape, int act,
                float alpha);
void psv_conv2d_backprop_input(const float* dy, const float* w, float* dx, const int32_t* shape, const float* mask,
                               float alpha);
void psv_conv2d_backprop_filter(const float* x, const float* dy, float* dw, const int32_t* shape);
void psv_matmul(const float* a, const float* b, const float* bias, float* c, const int32_t* dims, int transA,
                int transB, int act, float alpha);
int psv_nearest(const float* bank, int64_t nb, const float* queries, int64_t nq, int dim, float* out_dist,
                int32_t* out_idx);
void psv_binary(int op, const float* a, int64_t na, const float* b, int64_t nb, void* out, int64_t n);
void psv_leaky_relu(const float* x, float* out, int64_t n, float alpha);
void psv_tanh(const float* x, float* out, int64_t n);
void psv_leaky_relu_grad(const float* dy, const float* y, float* out, int64_t n, float alpha);
void psv_sum(const float* x, int64_t rows, int64_t cols, int leading, float* out);
}

namespace {

constexpr int kExpectedAbi = 5;  // src/backend/native.ts NATIVE_ABI_VERSION
int g_failures = 0, g_checks = 0;

// xorshift64*: deterministic on every platform.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  double uniform() {  // [0, 1)
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<double>((s * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
  }
  float sym(float scale) { return static_cast<float>((2.0 * uniform() - 1.0) * scale); }
};

std::vector<float> random_vec(size_t n, Rng& rng, float scale) {
  std::vector<float> v(n);
  for (auto& x : v) x = rng.sym(scale);
  return v;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Records one check. err: the worst error relative to its scale; tol: the bound it must stay under.
void report(const std::string& name, double err, double tol, double secs, const std::string& extra = "") {
  ++g_checks;
  const bool ok = err <= tol;  // false for NaN too
  if (!ok) ++g_failures;
  std::printf("%s %-58s max err %.2e (tol %.0e) %7.3f s%s\n", ok ? "ok  " : "FAIL", name.c_str(), err, tol, secs,
              extra.c_str());
  std::fflush(stdout);
}

// The worst |got - want| / (scale + 1e-30) over all elements; scale: the sum of the absolute terms.
double worst(const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& scale) {
  double e = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = std::fabs(static_cast<double>(got[i]) - want[i]) / (scale[i] + 1e-30);
    if (!(d <= e)) e = d;  // keeps NaN
  }
  return e;
}

struct Conv {
  int N, H, W, Cin, Cout, k, stride, dil, pad;
  int Ho() const { return (H + 2 * pad - ((k - 1) * dil + 1)) / stride + 1; }
  int Wo() const { return (W + 2 * pad - ((k - 1) * dil + 1)) / stride + 1; }
  std::vector<int32_t> shape() const {
    return {N, H, W, Cin, Ho(), Wo(), Cout, k, k, stride, stride, dil, dil, pad, pad};
  }
  std::string name() const {
    char b[128];
    std::snprintf(b, sizeof b, "%dx%dx%dx%d->%d k%d s%d d%d p%d", N, H, W, Cin, Cout, k, stride, dil, pad);
    return b;
  }
  size_t xs() const { return static_cast<size_t>(N) * H * W * Cin; }
  size_t ys() const { return static_cast<size_t>(N) * Ho() * Wo() * Cout; }
  size_t ws() const { return static_cast<size_t>(k) * k * Cin * Cout; }
  // Calls f(x index, w index, y index) for every term of the convolution sum.
  template <class F>
  void each_term(F f) const {
    for (int n = 0; n < N; ++n)
      for (int a = 0; a < Ho(); ++a)
        for (int b = 0; b < Wo(); ++b)
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
              const int r = a * stride - pad + i * dil, c = b * stride - pad + j * dil;
              if (r < 0 || r >= H || c < 0 || c >= W) continue;
              const size_t xb = ((static_cast<size_t>(n) * H + r) * W + c) * Cin;
              const size_t wb = (static_cast<size_t>(i) * k + j) * Cin * Cout;
              const size_t yb = ((static_cast<size_t>(n) * Ho() + a) * Wo() + b) * Cout;
              for (int ci = 0; ci < Cin; ++ci)
                for (int co = 0; co < Cout; ++co) f(xb + ci, wb + static_cast<size_t>(ci) * Cout + co, yb + co);
            }
  }
};

double act_ref(double v, int act, double alpha) {
  if (act == 1) return v > 0 ? v : 0;
  if (act == 2) return v < 0 ? v * alpha : v;
  return v;
}

void check_conv_forward(const Conv& s, bool bias, int act, double tol, Rng& rng) {
  const auto x = random_vec(s.xs(), rng, 1.0f), w = random_vec(s.ws(), rng, 0.5f), b = random_vec(s.Cout, rng, 0.5f);
  std::vector<double> want(s.ys(), 0.0), scale(s.ys(), 0.0);
  s.each_term([&](size_t xi, size_t wi, size_t yi) {
    want[yi] += static_cast<double>(x[xi]) * w[wi];
    scale[yi] += std::fabs(static_cast<double>(x[xi]) * w[wi]);
  });
  const float alpha = 0.1f;
  for (size_t i = 0; i < want.size(); ++i) {
    if (bias) want[i] += b[i % s.Cout], scale[i] += std::fabs(b[i % s.Cout]);
    want[i] = act_ref(want[i], act, alpha);
  }
  std::vector<float> y(s.ys(), std::nanf(""));
  const auto shape = s.shape();
  const auto t0 = std::chrono::steady_clock::now();
  psv_conv2d(x.data(), w.data(), bias ? b.data() : nullptr, y.data(), shape.data(), act, alpha);
  const char* acts[] = {"linear", "relu", "leaky"};
  report("conv2d forward " + s.name() + (bias ? " +bias " : " ") + acts[act], worst(y, want, scale), tol,
         seconds_since(t0));
}

void check_conv_backprop_input(const Conv& s, bool masked, double tol, Rng& rng) {
  const auto dy = random_vec(s.ys(), rng, 1.0f), w = random_vec(s.ws(), rng, 0.5f);
  const auto mask = random_vec(s.xs(), rng, 1.0f);  // a LeakyReLU output: its sign picks 1 or alpha
  const float alpha = 0.1f;
  std::vector<double> want(s.xs(), 0.0), scale(s.xs(), 0.0);
  s.each_term([&](size_t xi, size_t wi, size_t yi) {
    want[xi] += static_cast<double>(dy[yi]) * w[wi];
    scale[xi] += std::fabs(static_cast<double>(dy[yi]) * w[wi]);
  });
  if (masked)
    for (size_t i = 0; i < want.size(); ++i) {
      const double g = mask[i] > 0 ? 1.0 : alpha;
      want[i] *= g;
      scale[i] *= g;
    }
  std::vector<float> dx(s.xs(), std::nanf(""));
  const auto shape = s.shape();
  const auto t0 = std::chrono::steady_clock::now();
  psv_conv2d_backprop_input(dy.data(), w.data(), dx.data(), shape.data(), masked ? mask.data() : nullptr, alpha);
  report("conv2d backprop input " + s.name() + (masked ? " +leaky mask" : ""), worst(dx, want, scale), tol,
         seconds_since(t0));
}

void check_conv_backprop_filter(const Conv& s, double tol, Rng& rng) {
  const auto x = random_vec(s.xs(), rng, 1.0f), dy = random_vec(s.ys(), rng, 1.0f);
  std::vector<double> want(s.ws(), 0.0), scale(s.ws(), 0.0);
  s.each_term([&](size_t xi, size_t wi, size_t yi) {
    want[wi] += static_cast<double>(x[xi]) * dy[yi];
    scale[wi] += std::fabs(static_cast<double>(x[xi]) * dy[yi]);
  });
  std::vector<float> dw(s.ws(), std::nanf(""));
  const auto shape = s.shape();
  const auto t0 = std::chrono::steady_clock::now();
  psv_conv2d_backprop_filter(x.data(), dy.data(), dw.data(), shape.data());
  report("conv2d backprop filter " + s.name(), worst(dw, want, scale), tol, seconds_since(t0));
}

void check_matmul(int batchA, int batchB, int M, int N, int K, bool ta, bool tb, bool bias, int act, Rng& rng) {
  const auto a = random_vec(static_cast<size_t>(batchA) * M * K, rng, 1.0f);
  const auto b = random_vec(static_cast<size_t>(batchB) * K * N, rng, 1.0f);
  const auto bv = random_vec(N, rng, 1.0f);
  const int batch = batchA > batchB ? batchA : batchB;
  const float alpha = 0.1f;
  std::vector<double> want(static_cast<size_t>(batch) * M * N), scale(want.size());
  for (int p = 0; p < batch; ++p)
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        double acc = bias ? bv[n] : 0.0, abs = bias ? std::fabs(bv[n]) : 0.0;
        for (int k = 0; k < K; ++k) {
          const float av = a[static_cast<size_t>(batchA == 1 ? 0 : p) * M * K + (ta ? k * M + m : m * K + k)];
          const float bw = b[static_cast<size_t>(batchB == 1 ? 0 : p) * K * N + (tb ? n * K + k : k * N + n)];
          acc += static_cast<double>(av) * bw;
          abs += std::fabs(static_cast<double>(av) * bw);
        }
        const size_t i = (static_cast<size_t>(p) * M + m) * N + n;
        want[i] = act_ref(acc, act, alpha);
        scale[i] = abs;
      }
  std::vector<float> c(want.size(), std::nanf(""));
  const int32_t dims[5] = {batchA, batchB, M, N, K};
  const auto t0 = std::chrono::steady_clock::now();
  psv_matmul(a.data(), b.data(), bias ? bv.data() : nullptr, c.data(), dims, ta, tb, act, alpha);
  char name[128];
  std::snprintf(name, sizeof name, "matmul [%d|%d] %dx%dx%d%s%s%s", batchA, batchB, M, N, K, ta ? " transA" : "",
                tb ? " transB" : "", bias ? " +bias leaky" : "");
  report(name, worst(c, want, scale), 1e-5, seconds_since(t0));
}

// Exact nearest neighbour: indices must equal a float64 brute force's (smallest index among exact
// ties), distances must equal its float64 distance rounded to float32 up to 2 ulp.
void check_nearest(const std::string& name, const std::vector<float>& bank, const std::vector<float>& queries,
                   int dim) {
  const int64_t nb = static_cast<int64_t>(bank.size()) / dim, nq = static_cast<int64_t>(queries.size()) / dim;
  std::vector<float> dist(nq, std::nanf(""));
  std::vector<int32_t> idx(nq, -7);
  const auto t0 = std::chrono::steady_clock::now();
  const int fallbacks = psv_nearest(bank.data(), nb, queries.data(), nq, dim, dist.data(), idx.data());
  const double secs = seconds_since(t0);
  double err = fallbacks < 0 ? 1.0 : 0.0;
  int64_t wrong = 0;
  for (int64_t q = 0; q < nq; ++q) {
    double best = std::numeric_limits<double>::infinity();
    int32_t bi = -1;
    for (int64_t i = 0; i < nb; ++i) {
      double d = 0.0;
      for (int k = 0; k < dim; ++k) {
        const double t = static_cast<double>(queries[q * dim + k]) - bank[i * dim + k];
        d += t * t;
      }
      if (d < best) best = d, bi = static_cast<int32_t>(i);
    }
    const double want = std::sqrt(best);
    if (idx[q] != bi) ++wrong;
    const double e = std::fabs(dist[q] - want) / (want * 2.4e-7 + 1e-37);  // in units of ~2 ulp
    if (!(e <= err)) err = e;
  }
  char extra[96];
  std::snprintf(extra, sizeof extra, " (%lld/%lld indices differ, %d float64 fallbacks)", static_cast<long long>(wrong),
                static_cast<long long>(nq), fallbacks);
  report("nearest " + name, wrong > 0 ? std::numeric_limits<double>::infinity() : err, 1.0, secs, extra);
}

void check_nearest_all(Rng& rng) {
  // Bottle-like scale: a random encoder's codes are tiny (|h| ~ 0.03), distances ~1e-4.
  {
    const int dim = 64, nb = 3000, nq = 300;
    const auto bank = random_vec(static_cast<size_t>(nb) * dim, rng, 0.03f);
    auto queries = random_vec(static_cast<size_t>(nq) * dim, rng, 0.03f);
    for (int q = 0; q < nq; q += 2) {  // every other query sits within 1e-5 of a bank vector
      const int src = static_cast<int>(rng.uniform() * nb);
      for (int k = 0; k < dim; ++k) queries[q * dim + k] = bank[static_cast<size_t>(src) * dim + k] + rng.sym(1e-5f);
    }
    check_nearest("3000x64 bank, 300 queries, |h| ~ 0.03", bank, queries, dim);
  }
  // Odd dimension (not a multiple of the vector width) and unit-scale values.
  {
    const int dim = 3;
    const auto bank = random_vec(1000 * dim, rng, 1.0f), queries = random_vec(200 * dim, rng, 1.0f);
    check_nearest("1000x3 bank, 200 queries", bank, queries, dim);
  }
  {
    const int dim = 37;
    const auto bank = random_vec(777 * dim, rng, 1.0f), queries = random_vec(101 * dim, rng, 1.0f);
    check_nearest("777x37 bank, 101 queries", bank, queries, dim);
  }
  // Exact duplicates (ties resolve to the smallest index) and 12 copies of one vector queried exactly
  // (8+ near-ties: settled by the float64 fallback).
  {
    const int dim = 16, nb = 500;
    auto bank = random_vec(static_cast<size_t>(nb) * dim, rng, 0.5f);
    for (int c = 0; c < 12; ++c)
      std::memcpy(&bank[static_cast<size_t>(100 + 20 * c) * dim], &bank[static_cast<size_t>(7) * dim], dim * 4);
    std::vector<float> queries(bank.begin() + 7 * dim, bank.begin() + 8 * dim);
    for (int q = 0; q < 40; ++q)
      for (int k = 0; k < dim; ++k) queries.push_back(bank[static_cast<size_t>(7) * dim + k] + rng.sym(1e-6f));
    check_nearest("500x16 bank with 13 identical vectors", bank, queries, dim);
  }
  // 2 * dim distinct bank vectors exactly equidistant from each query (q +- e_k / 8 on a grid):
  // more ties than the 16 candidate slots, settled by the float64 fallback (smallest index wins).
  {
    const int dim = 23, nq = 12, far = 300;
    auto grid = [&](size_t n) {
      std::vector<float> v(n);
      for (auto& x : v) x = std::floor(rng.uniform() * 9.0f - 4.0f) * 0.25f;
      return v;
    };
    const auto queries = grid(static_cast<size_t>(nq) * dim);
    auto bank = grid(static_cast<size_t>(far) * dim);
    for (int q = 0; q < nq; ++q)
      for (int k = 0; k < 2 * dim; ++k) {
        std::vector<float> v(queries.begin() + q * dim, queries.begin() + (q + 1) * dim);
        v[k / 2] += k % 2 == 0 ? 0.125f : -0.125f;
        bank.insert(bank.end(), v.begin(), v.end());
      }
    check_nearest("46 equidistant neighbours per query, dim 23", bank, queries, dim);
  }
  // Large and tiny magnitudes (scaled internally by a power of two), dimension 63.
  for (const auto& [offset, spread] : {std::make_pair(1e15f, 1e12f), std::make_pair(0.0f, 1e18f),
                                        std::make_pair(0.0f, 1e-20f), std::make_pair(1e-30f, 1e-36f)}) {
    const int dim = 63;
    auto bank = random_vec(400 * dim, rng, spread), queries = random_vec(60 * dim, rng, spread);
    for (auto& x : bank) x += offset;
    for (auto& x : queries) x += offset;
    char name[96];
    std::snprintf(name, sizeof name, "400x63 bank, values %g +- %g", offset, spread);
    check_nearest(name, bank, queries, dim);
  }
  // Bad input: NaN (-2) and an unsupported dimension (-1).
  {
    std::vector<float> bank = {0, 0, 1, 1}, q = {std::nanf(""), 0};
    float d;
    int32_t i;
    const int nan_code = psv_nearest(bank.data(), 2, q.data(), 1, 2, &d, &i);
    const int dim_code = psv_nearest(bank.data(), 2, bank.data(), 1, 0, &d, &i);
    report("nearest rejects NaN (-2) and dim 0 (-1)", (nan_code == -2 && dim_code == -1) ? 0.0 : 1.0, 0.0, 0.0);
  }
}

void check_elementwise(Rng& rng) {
  const int n = 10007;
  const auto a = random_vec(n, rng, 1.0f), b = random_vec(n, rng, 1.0f), c = random_vec(7, rng, 1.0f);
  double err = 0.0;
  std::vector<float> out(n);
  const auto t0 = std::chrono::steady_clock::now();
  psv_binary(0, a.data(), n, c.data(), 7, out.data(), n);  // multiply, broadcast a 7-vector
  for (int i = 0; i < n; ++i) err = std::fmax(err, std::fabs(out[i] - a[i] * c[i % 7]));
  psv_binary(4, a.data(), n, b.data(), n, out.data(), n);  // divide
  for (int i = 0; i < n; ++i) err = std::fmax(err, std::fabs(out[i] - a[i] / b[i]) / std::fabs(a[i] / b[i]));
  std::vector<uint8_t> gt(n);
  psv_binary(3, a.data(), n, b.data(), 1, gt.data(), n);  // greater than a scalar
  for (int i = 0; i < n; ++i) err = std::fmax(err, gt[i] != (a[i] > b[0]) ? 1.0 : 0.0);
  psv_leaky_relu(a.data(), out.data(), n, 0.1f);
  for (int i = 0; i < n; ++i) err = std::fmax(err, std::fabs(out[i] - (a[i] < 0 ? a[i] * 0.1f : a[i])));
  psv_leaky_relu_grad(b.data(), a.data(), out.data(), n, 0.1f);
  for (int i = 0; i < n; ++i) err = std::fmax(err, std::fabs(out[i] - (a[i] > 0 ? b[i] : b[i] * 0.1f)));
  report("binary (mul, div, greater), leaky relu and its gradient", err, 1e-6, seconds_since(t0));

  // tanh: float64 tanh rounded once, so equal to the float64 loop's result rounded to float32,
  // over small, medium, saturating, zero, infinite and NaN inputs.
  const auto t_tanh = std::chrono::steady_clock::now();
  std::vector<float> xt(n);
  for (int i = 0; i < n; ++i) xt[i] = a[i] * std::ldexp(1.0f, i % 40 - 30);
  xt[0] = 0.0f, xt[1] = -0.0f, xt[2] = INFINITY, xt[3] = -INFINITY, xt[4] = NAN, xt[5] = 9.5f, xt[6] = -0.0625f;
  psv_tanh(xt.data(), out.data(), n);
  double tanh_err = 0.0;
  for (int i = 0; i < n; ++i) {
    const float want = static_cast<float>(std::tanh(static_cast<double>(xt[i])));
    const bool same = std::isnan(want) ? std::isnan(out[i]) : out[i] == want && std::signbit(out[i]) == std::signbit(want);
    tanh_err = std::fmax(tanh_err, same ? 0.0 : 1.0);
  }
  report("tanh (float64, rounded once: equal to the reference)", tanh_err, 0.0, seconds_since(t_tanh));

  const int rows = 301, cols = 257;
  const auto x = random_vec(static_cast<size_t>(rows) * cols, rng, 1.0f);
  std::vector<float> by_col(cols), by_row(rows);
  const auto t1 = std::chrono::steady_clock::now();
  psv_sum(x.data(), rows, cols, 1, by_col.data());
  psv_sum(x.data(), rows, cols, 0, by_row.data());
  std::vector<double> wc(cols, 0.0), wr(rows, 0.0), sc(cols, 0.0), sr(rows, 0.0);
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) {
      const double v = x[static_cast<size_t>(r) * cols + k];
      wc[k] += v, wr[r] += v, sc[k] += std::fabs(v), sr[r] += std::fabs(v);
    }
  report("sum over rows and over columns", std::fmax(worst(by_col, wc, sc), worst(by_row, wr, sr)), 1e-6,
         seconds_since(t1));
}

}  // namespace

int main(int argc, char** argv) {
  std::string expect_isa;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--expect-isa" && i + 1 < argc) {
      expect_isa = argv[++i];
    } else if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--expect-isa ISA] [--threads N]\n", argv[0]);
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  psv_set_threads(threads);
  const std::string isa = psv_isa();
  std::printf("libpatchsvdd: abi %d, isa %s, %d threads\n", psv_abi_version(), isa.c_str(), psv_get_threads());
  report("abi version is " + std::to_string(kExpectedAbi), psv_abi_version() == kExpectedAbi ? 0.0 : 1.0, 0.0, 0.0);
  if (!expect_isa.empty()) report("isa is " + expect_isa, isa == expect_isa ? 0.0 : 1.0, 0.0, 0.0);

  Rng rng(2020);
  const Conv shapes[] = {
      {2, 11, 11, 3, 5, 3, 1, 1, 0},    // f_small's first layer in miniature; Cout < one vector
      {1, 16, 16, 8, 33, 3, 2, 1, 1},   // stride 2 with padding; Cout spills into a partial panel
      {2, 9, 9, 4, 7, 2, 1, 3, 0},      // dilated 2x2 (f_big's dilation-16 conv in miniature)
      {3, 5, 5, 64, 17, 1, 1, 1, 0},    // 1x1
      {1, 13, 13, 32, 32, 3, 1, 1, 0},  // forward: Winograd F(2x2, 3x3) (output >= 9x9, >= 32 channels)
      {4, 20, 20, 16, 32, 3, 1, 1, 1},  // filter gradient split over threads
      {5, 9, 9, 32, 16, 3, 1, 1, 0},    // Winograd with a 7x7 output (partial tiles); scatter input gradient
  };
  check_conv_forward(shapes[0], true, 2, 1e-5, rng);
  check_conv_forward(shapes[1], true, 1, 1e-5, rng);
  check_conv_forward(shapes[2], false, 0, 1e-5, rng);
  check_conv_forward(shapes[3], true, 0, 1e-5, rng);
  check_conv_forward(shapes[4], true, 2, 1e-4, rng);  // Winograd's transforms add a little rounding
  check_conv_forward(shapes[5], true, 2, 1e-5, rng);
  check_conv_forward(shapes[6], true, 2, 1e-4, rng);
  check_conv_backprop_input(shapes[0], true, 1e-5, rng);
  check_conv_backprop_input(shapes[1], false, 1e-5, rng);
  check_conv_backprop_input(shapes[2], true, 1e-5, rng);
  check_conv_backprop_input(shapes[4], false, 1e-5, rng);
  check_conv_backprop_input(shapes[5], true, 1e-5, rng);
  check_conv_backprop_input(shapes[6], true, 1e-5, rng);
  check_conv_backprop_filter(shapes[0], 1e-5, rng);
  check_conv_backprop_filter(shapes[1], 1e-5, rng);
  check_conv_backprop_filter(shapes[2], 1e-5, rng);
  check_conv_backprop_filter(shapes[5], 1e-5, rng);
  check_conv_backprop_filter(shapes[6], 1e-5, rng);
  // Winograd filter gradients: rows of the per-tile products on input channels (Cin >= Cout), or on
  // output channels with padding, odd sizes and tiles across images and threads.
  check_conv_backprop_filter(shapes[4], 1e-5, rng);
  check_conv_backprop_filter(Conv{7, 11, 10, 32, 64, 3, 1, 1, 1}, 1e-5, rng);
  check_matmul(3, 1, 37, 29, 45, false, false, true, 2, rng);
  check_matmul(1, 2, 37, 29, 45, true, false, false, 0, rng);
  check_matmul(2, 2, 13, 64, 130, false, true, false, 0, rng);
  check_matmul(1, 1, 64, 8, 128, true, true, true, 2, rng);
  check_elementwise(rng);
  check_nearest_all(rng);

  std::printf("%s: %d of %d checks passed (isa %s, %.1f s)\n", g_failures ? "FAILED" : "passed",
              g_checks - g_failures, g_checks, isa.c_str(), seconds_since(start));
  return g_failures ? 1 : 0;
}
