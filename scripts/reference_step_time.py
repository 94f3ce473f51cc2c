# Times one training step of the reference method in PyTorch on the CPU, so that the kit's
# `deno task bench` can be compared with PyTorch on the same machine at the same time (this
# machine's speed drifts by +-20% over minutes). Written from ../shared/docs/REFERENCE.md: the
# reference's module structure (EncoderHier(64) around EncoderDeep(32), D = 64, LeakyReLU 0.1,
# two position classifiers with a normalised last layer), Adam lr 1e-4, 64 pairs for each of the
# four pair sets, each pair set encoded as the reference does (enc(x1), enc(x2) separately).
# Patches are random: this times the step, not the data loader.
#
# Needs PyTorch (Debian: apt-get install python3-torch; call /usr/bin/python3).
# Usage: /usr/bin/python3 scripts/reference_step_time.py [THREADS=2] [STEPS=20]
# Prints a summary on stderr and one JSON line on stdout (`deno task bench` reads it).
import json, statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
D = 64
class EncoderDeep(nn.Module):
    def __init__(s):
        super().__init__()
        ch = [3, 32, 64, 128, 128, 64, 32, 32, D]
        s.convs = nn.ModuleList([nn.Conv2d(ch[i], ch[i + 1], 3, 2 if i == 0 else 1, 0) for i in range(8)])
    def forward(s, x):
        for i, c in enumerate(s.convs):
            x = c(x)
            x = torch.tanh(x) if i == 7 else F.leaky_relu(x, 0.1)
        return x
class EncoderHier(nn.Module):
    def __init__(s):
        super().__init__()
        s.enc = EncoderDeep()
        s.conv1 = nn.Conv2d(D, 128, 2, 1, 0)
        s.conv2 = nn.Conv2d(128, D, 1, 1, 0)
    def forward(s, x):
        h = 32
        x1 = torch.cat([x[..., :h, :h], x[..., :h, h:], x[..., h:, :h], x[..., h:, h:]], dim=0)
        e = s.enc(x1)
        e1, e2, e3, e4 = torch.chunk(e, 4, dim=0)
        top = torch.cat([e1, e2], dim=3); bot = torch.cat([e3, e4], dim=3)
        x = torch.cat([top, bot], dim=2)
        return torch.tanh(s.conv2(F.leaky_relu(s.conv1(x), 0.1)))
class NormalizedLinear(nn.Module):
    def __init__(s, i, o):
        super().__init__(); s.weight = nn.Parameter(torch.empty(o, i)); s.bias = nn.Parameter(torch.zeros(o))
        nn.init.kaiming_uniform_(s.weight)
    def forward(s, x):
        with torch.no_grad():
            s.weight.div_(torch.norm(s.weight, dim=1, keepdim=True))
        return F.linear(x, s.weight, s.bias)
class PositionClassifier(nn.Module):
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(D, 128); s.fc2 = nn.Linear(128, 128); s.fc3 = NormalizedLinear(128, 8)
    def forward(s, h1, h2):
        h = (h1 - h2).view(-1, D)
        return s.fc3(F.leaky_relu(s.fc2(F.leaky_relu(s.fc1(h), 0.1)), 0.1))
enc = EncoderHier(); cls64 = PositionClassifier(); cls32 = PositionClassifier()
opt = torch.optim.Adam(list(enc.parameters()) + list(cls64.parameters()) + list(cls32.parameters()), lr=1e-4)
B = 64
def batch(k): return torch.randn(B, 3, k, k) * 0.1
def step():
    opt.zero_grad()
    loss = 0
    for e, c, k in ((enc, cls64, 64), (enc.enc, cls32, 32)):
        h1, h2 = e(batch(k)), e(batch(k))
        loss = loss + F.cross_entropy(c(h1, h2), torch.randint(0, 8, (B,)))
        s1, s2 = e(batch(k)), e(batch(k))
        loss = loss + 1e-3 * (s1 - s2).norm(dim=1).mean()
    loss.backward(); opt.step()
for _ in range(3): step()
ts = []
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 20):
    t0 = time.perf_counter(); step(); ts.append(time.perf_counter() - t0)
print(f"torch {torch.__version__} threads {torch.get_num_threads()}: median {statistics.median(ts):.3f} s, "
      f"min {min(ts):.3f}, max {max(ts):.3f} over {len(ts)} steps", file=sys.stderr)
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "steps": len(ts),
                  "median_step_seconds": statistics.median(ts), "min_step_seconds": min(ts),
                  "max_step_seconds": max(ts), "step_seconds": ts}))
