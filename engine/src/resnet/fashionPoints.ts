/**
 * Fashion-MNIST as labelled points for the discrete networks: the first `limit` images of a
 * split, average-pooled (pool × pool) to cut the input dimension, flattened row-major.
 */
import { fashionMnist, type FashionMnistOptions } from '../data/idx';
import type { PointData } from '../data/types';

/** `limit` (from IdxOptions) keeps the first that many images; `split` and `dir` as fashionMnist's. */
export interface FashionPointsOptions extends FashionMnistOptions {
  /** Average over pool × pool pixel squares: 1 (28 × 28), 2 (14 × 14), 4 (7 × 7). Default 2. */
  pool?: 1 | 2 | 4 | 7;
}

export function fashionMnistPoints(opts: FashionPointsOptions = {}): PointData {
  const pool = opts.pool ?? 2;
  if (![1, 2, 4, 7].includes(pool)) throw new RangeError(`fashionMnistPoints: pool must be 1, 2, 4 or 7 (it must divide 28), got ${pool}.`);
  const img = fashionMnist(opts);
  const n = Math.min(img.n, opts.limit ?? img.n);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`fashionMnistPoints: limit must be a whole number ≥ 1, got ${opts.limit}.`);
  const rows = img.rows / pool;
  const cols = img.cols / pool;
  const dim = rows * cols;
  const x = new Float64Array(n * dim);
  const scale = 1 / (pool * pool);
  for (let s = 0; s < n; s++) {
    const src = s * img.rows * img.cols;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let sum = 0;
        for (let i = 0; i < pool; i++) for (let j = 0; j < pool; j++) sum += img.data[src + (r * pool + i) * img.cols + c * pool + j];
        x[s * dim + r * cols + c] = sum * scale;
      }
    }
  }
  const labels = Float64Array.from(img.labels.subarray(0, n));
  return { name: `fashion-mnist-${opts.split ?? 'train'}-${rows}x${cols}`, n, dim, x, labels };
}

/**
 * Centres and scales every component by the training points' mean and standard deviation,
 * and the test points by the same numbers (new arrays; the inputs are unchanged).
 */
export function standardize(train: PointData, ...others: PointData[]): PointData[] {
  const { dim, n } = train;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (let s = 0; s < n; s++) for (let d = 0; d < dim; d++) mean[d] += train.x[s * dim + d] / n;
  for (let s = 0; s < n; s++) for (let d = 0; d < dim; d++) std[d] += (train.x[s * dim + d] - mean[d]) ** 2 / n;
  for (let d = 0; d < dim; d++) std[d] = Math.sqrt(std[d]) || 1;
  return [train, ...others].map((p) => {
    if (p.dim !== dim) throw new RangeError(`standardize: '${p.name}' has dim ${p.dim}, the training points ${dim}.`);
    const x = new Float64Array(p.x.length);
    for (let i = 0; i < x.length; i++) x[i] = (p.x[i] - mean[i % dim]) / std[i % dim];
    return { ...p, x };
  });
}
