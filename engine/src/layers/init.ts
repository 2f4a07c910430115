/**
 * Seeded initial weights: PyTorch's default for nn.Linear and nn.Conv2d, U(−1/√fan_in, 1/√fan_in)
 * for a weight and the bias after it, drawn in layout order. One initialiser serves every family;
 * the generator is a parameter because the families' seeds must keep giving the weights they
 * always gave: the MLP fields, CNFs and latent models draw from seededRandom below, the discrete
 * networks and ODE-Nets from the data Rng (xoshiro128**) as rng.uniform(−bound, bound).
 */
import type { DenseLayer } from './dense';
import type { ParamEntry } from './paramLayout';

/** Uniform on [0, 1). */
export type Rand = () => number;

/**
 * A small seeded generator for reproducible initial weights: a Weyl sequence (step 2³²/φ)
 * scrambled by the MurmurHash3 32-bit finaliser, two draws per float64 for 53 random bits.
 * Not cryptographic; the same seed gives the same numbers on every platform.
 */
export function seededRandom(seed: number): Rand {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number; got ${seed}.`);
  // fold the seed (any integer up to 2⁵³, or a fraction) into 32 bits
  let state = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32) ^ Math.round((seed % 1) * 2 ** 31)) >>> 0;
  const next32 = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  // uniform in [0, 1) with 53 bits
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

/** One draw of U(−bound, bound). */
export type SymmetricUniform = (bound: number) => number;

/** From seededRandom (or any Rand): (2u − 1)·bound. */
export const fromRand =
  (rand: Rand): SymmetricUniform =>
  (bound) =>
    (2 * rand() - 1) * bound;

/** From an Rng (data/rng.ts) or anything with its uniform(lo, hi). */
export const fromUniform =
  (rng: { uniform(lo: number, hi: number): number }): SymmetricUniform =>
  (bound) =>
    rng.uniform(-bound, bound);

/** PyTorch's nn.Linear / nn.Conv2d default bound for a layer with `fanIn` inputs. */
export const kaimingBound = (fanIn: number): number => 1 / Math.sqrt(fanIn);

/** The value of one parameter of `entry` (whose layer has `fanIn` inputs). */
export type ParamInit = (entry: ParamEntry, fanIn: number) => number;

/** PyTorch's default, U(±1/√fan_in), from this generator. */
export const uniformInit = (draw: SymmetricUniform): ParamInit => (_e, fanIn) => draw(kaimingBound(fanIn));

/**
 * Sets every value of these entries in layout order, each from `init` with its layer's fan-in:
 * a weight [out, in, …] has in·…, and the entries after it (its bias) share it (PyTorch's rule).
 */
export function initLayout(P: Float64Array, entries: readonly ParamEntry[], init: ParamInit): Float64Array {
  let fanIn = 1;
  for (const e of entries) {
    if (e.shape.length >= 2) fanIn = e.shape.slice(1).reduce((a, b) => a * b, 1);
    for (let i = 0; i < e.size; i++) P[e.offset + i] = init(e, fanIn);
  }
  return P;
}

/** A dense layer (W, then b right after it) drawn U(±1/√nIn). */
export function initDense(P: Float64Array, d: DenseLayer, draw: SymmetricUniform): void {
  const bound = kaimingBound(d.nIn);
  for (let i = d.w; i < d.b + d.nOut; i++) P[i] = draw(bound);
}
