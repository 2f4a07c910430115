/**
 * batches.py: the engine's seeded sampler (data/rng.ts: xoshiro128** seeded by splitmix32) and
 * ode_demo's get_batch (data/batch.ts) in Python, on uint32 arithmetic, so that batch k of a
 * run is the same windows in both engines.
 */
export const BATCHES_PY = `"""The engine's mini-batch sampler, bit for bit (engine/src/data/rng.ts and batch.ts)."""

M32 = 0xFFFFFFFF
TWO_POW_32 = 4294967296
TWO_POW_53 = 9007199254740992


def _imul(a, b):
    """Math.imul: the low 32 bits of the product."""
    return (a * b) & M32


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def _splitmix32(x):
    x = (x + 0x9E3779B9) & M32
    z = x
    z = _imul(z ^ (z >> 16), 0x85EBCA6B)
    z = _imul(z ^ (z >> 13), 0xC2B2AE35)
    return x, (z ^ (z >> 16)) & M32


class Rng:
    """xoshiro128** seeded by splitmix32, as the engine's Rng (same seed, same stream)."""

    def __init__(self, seed):
        lo = seed & M32
        hi = (seed // TWO_POW_32) & M32
        x = lo ^ _imul(hi, 0x27D4EB2D)
        words = []
        for _ in range(4):
            x, out = _splitmix32(x)
            words.append(out)
        if not any(words):
            words[0] = 1  # the all-zero state is a fixed point
        self.s = words

    def state(self):
        """The engine's RngState, so a checkpoint records where the stream is."""
        return {"algorithm": "xoshiro128**", "s": list(self.s), "spareNormal": None}

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = _imul(_rotl(_imul(s1, 5), 7), 9)
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def random(self):
        """Uniform on [0, 1) with 53 random bits."""
        a = self.next_uint32() >> 5
        b = self.next_uint32() >> 6
        return (a * 67108864 + b) / TWO_POW_53

    def int(self, n):
        return int(self.random() * n)  # floor: the product is ≥ 0

    def choice(self, n, k):
        """k distinct integers from [0, n) in random order (partial Fisher-Yates, as the engine)."""
        swapped = {}
        out = []
        for i in range(k):
            j = i + self.int(n - i)
            vj = swapped.get(j, j)
            vi = swapped.get(i, i)
            swapped[j] = vi
            out.append(vj)
        return out


def get_batch(ys, t, batch_time, batch_size, rng):
    """ode_demo's get_batch as the engine draws it: batch_size distinct windows of batch_time
    samples, integrated over t[0:batch_time]. Returns (y0 [B, D], t [T], ys [T, B, D], starts)."""
    n = ys.shape[0]
    candidates = n - batch_time
    if batch_time < 2 or batch_time > n or batch_size < 1 or batch_size > candidates:
        raise ValueError(f"batch_time {batch_time} and batch_size {batch_size} do not fit {n} samples")
    starts = rng.choice(candidates, batch_size)
    import torch

    idx = torch.tensor(starts, dtype=torch.long, device=ys.device)
    batch = torch.stack([ys[idx + i] for i in range(batch_time)], dim=0)
    return batch[0], t[:batch_time], batch, starts
`;
