/**
 * A small seeded PRNG whose whole state is four 32-bit words (plus the spare normal of the last
 * Box–Muller pair), so a training run can checkpoint it and resume the exact same random stream.
 * xoshiro128** (Blackman & Vigna): fast with Math.imul, passes BigCrush, period 2^128 − 1.
 */
export interface RngState {
  algorithm: 'xoshiro128**';
  s: [number, number, number, number];
  /** The second normal of the last Box–Muller pair, not yet returned. */
  spareNormal: number | null;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** splitmix32: spreads a seed over the state so that nearby seeds give unrelated streams. */
function splitmix32(x: number): [number, number] {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [x, (z ^ (z >>> 16)) >>> 0];
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** `seed`: any integer in the safe range (both 32-bit halves are used). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Rng seed must be a safe integer, got ${seed}: use e.g. new Rng(42).`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let x = lo ^ Math.imul(hi, 0x27d4eb2d);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(x);
      x = next;
      words.push(out);
    }
    [this.s0, this.s1, this.s2, this.s3] = words;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** A copy of the state: JSON-safe, for checkpoints. */
  state(): RngState {
    return { algorithm: 'xoshiro128**', s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spare };
  }

  setState(state: RngState): void {
    const ok =
      state !== null &&
      typeof state === 'object' &&
      state.algorithm === 'xoshiro128**' &&
      Array.isArray(state.s) &&
      state.s.length === 4 &&
      state.s.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32) &&
      state.s.some((w) => w !== 0);
    if (!ok) throw new RangeError(`Not an Rng state (expected { algorithm: 'xoshiro128**', s: four nonzero uint32 words }): ${JSON.stringify(state)}`);
    [this.s0, this.s1, this.s2, this.s3] = state.s;
    this.spare = typeof state.spareNormal === 'number' ? state.spareNormal : null;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform on [0, 1) with all 53 bits of a double random. */
  random(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /** Uniform on [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.random();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int(n) needs a positive integer n, got ${n}.`);
    return Math.floor(this.random() * n);
  }

  /** Normal(mean, std) by Box–Muller; the pair's second value is kept for the next call. */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    const u1 = 1 - this.random(); // (0, 1]: log stays finite
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** Fills `out` with Normal(mean, std) draws. */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** A random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  /** k distinct integers from [0, n), in random order (numpy's choice(n, k, replace=False)). */
  choice(n: number, k: number): Int32Array {
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new RangeError(`Cannot draw ${k} distinct values from ${n}: k must be between 0 and n.`);
    }
    // Partial Fisher–Yates over a sparse map: O(k) memory even when n is large.
    const swapped = new Map<number, number>();
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const vj = swapped.get(j) ?? j;
      const vi = swapped.get(i) ?? i;
      swapped.set(j, vi);
      out[i] = vj;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Accepts a seed or an existing Rng, so dataset functions take either. */
export function toRng(seedOrRng: number | Rng | undefined, fallbackSeed = 0): Rng {
  if (seedOrRng instanceof Rng) return seedOrRng;
  return new Rng(seedOrRng ?? fallbackSeed);
}
