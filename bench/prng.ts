/**
 * A seeded normal generator for the benchmark's synthetic weights.
 *
 * Only this side draws numbers: the peer receives the very same float32 values as a file,
 * so the two never need bit-identical generators.
 */

/** mulberry32: a small, fast 32-bit generator; plenty for weights of a benchmark. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal draws N(0, variance) by Box–Muller, rounded to float32 so both sides agree exactly. */
export function normalSampler(seed: number): (variance: number) => number {
  const uniform = mulberry32(seed);
  let spare: number | null = null;
  return (variance: number) => {
    let z: number;
    if (spare !== null) {
      z = spare;
      spare = null;
    } else {
      // 1 - u keeps the logarithm's argument in (0, 1].
      const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
      const angle = 2 * Math.PI * uniform();
      z = radius * Math.cos(angle);
      spare = radius * Math.sin(angle);
    }
    return Math.fround(z * Math.sqrt(variance));
  };
}
