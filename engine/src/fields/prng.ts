/**
 * A small seeded generator for reproducible initial weights: a Weyl sequence (step 2³²/φ)
 * scrambled by the MurmurHash3 32-bit finaliser, two draws per float64 for 53 random bits.
 * Not cryptographic; the same seed gives the same numbers on every platform.
 */
export type Rand = () => number;

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
