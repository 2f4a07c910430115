/**
 * The average pooling of the input images (sample-major [B × C × H × W] in, channel-major
 * [C × B·plane] out, what the convolutions and group norms read) and the head's pooling regions.
 * The two layouts convert with toChannelMajor / toSampleMajor of layers/conv3x3.ts.
 */

/** Averages pool × pool squares of sample-major images [B × C × H × W] into channel-major [C × B·(H/pool)·(W/pool)]. */
export function averagePool(x: Float64Array, B: number, C: number, H: number, W: number, pool: number, out: Float64Array): void {
  const h = H / pool;
  const w = W / pool;
  const plane = h * w;
  const N = B * plane;
  const scale = 1 / (pool * pool);
  for (let n = 0; n < B; n++) {
    for (let c = 0; c < C; c++) {
      const src = (n * C + c) * H * W;
      const dst = c * N + n * plane;
      for (let r = 0; r < h; r++) {
        for (let q = 0; q < w; q++) {
          let sum = 0;
          for (let i = 0; i < pool; i++) {
            const row = src + (r * pool + i) * W + q * pool;
            for (let j = 0; j < pool; j++) sum += x[row + j];
          }
          out[dst + r * w + q] = sum * scale;
        }
      }
    }
  }
}

/** The backward pass of averagePool for images of one channel: spreads each pooled cotangent evenly over its square. */
export function averagePoolBackward(g: Float64Array, n: number, H: number, W: number, pool: number, out: Float64Array): void {
  const h = H / pool;
  const w = W / pool;
  const scale = 1 / (pool * pool);
  for (let s = 0; s < n; s++) {
    const src = s * h * w;
    const dst = s * H * W;
    for (let r = 0; r < H; r++) {
      const gr = src + Math.floor(r / pool) * w;
      for (let q = 0; q < W; q++) out[dst + r * W + q] = g[gr + Math.floor(q / pool)] * scale;
    }
  }
}

/**
 * PyTorch's adaptive average pooling of an h × w plane to R × R regions: region (i, j) covers
 * rows ⌊i·h/R⌋ … ⌈(i+1)·h/R⌉ − 1 and the same for columns (neighbours overlap when R does not
 * divide the side). Returns each region's pixel indices in the plane.
 */
export function adaptiveRegions(h: number, w: number, R: number): Int32Array[] {
  const regions: Int32Array[] = [];
  for (let i = 0; i < R; i++) {
    const r0 = Math.floor((i * h) / R);
    const r1 = Math.ceil(((i + 1) * h) / R);
    for (let j = 0; j < R; j++) {
      const c0 = Math.floor((j * w) / R);
      const c1 = Math.ceil(((j + 1) * w) / R);
      const idx: number[] = [];
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) idx.push(r * w + c);
      regions.push(Int32Array.from(idx));
    }
  }
  return regions;
}
