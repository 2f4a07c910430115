/**
 * Watches a run's function evaluations per iteration (forward + backward) for the slowdown that
 * torchdiffeq's and diffrax's users report most: NFE climbing as the field learns. It fires once,
 * when the median of the last `window` iterations reaches `threshold` times the median of the
 * first `window`.
 */
export interface NfeGrowth {
  iteration: number;
  /** Median NFE per iteration over the first and the last `window` iterations. */
  firstNfe: number;
  nowNfe: number;
  ratio: number;
}

export const NFE_GROWTH_THRESHOLD = 3;
const WINDOW = 5;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class NfeWatch {
  private readonly first: number[] = [];
  private readonly last: number[] = [];
  private fired = false;

  constructor(
    private readonly threshold = NFE_GROWTH_THRESHOLD,
    private readonly window = WINDOW,
  ) {}

  /** NFE now against the first iterations' (ratio 1 before there is a baseline), whatever the threshold. */
  sofar(iteration: number, nfe: number): NfeGrowth {
    const firstNfe = this.first.length > 0 ? median(this.first) : nfe;
    const nowNfe = this.last.length > 0 ? median(this.last) : nfe;
    return { iteration, firstNfe, nowNfe, ratio: nowNfe / firstNfe };
  }

  /** This iteration's NFE; the growth the first time it crosses the threshold, else null. */
  push(iteration: number, nfe: number): NfeGrowth | null {
    if (!Number.isFinite(nfe) || nfe <= 0) return null;
    if (this.first.length < this.window) {
      this.first.push(nfe);
      return null;
    }
    this.last.push(nfe);
    if (this.last.length > this.window) this.last.shift();
    if (this.fired || this.last.length < this.window) return null;
    const firstNfe = median(this.first);
    const nowNfe = median(this.last);
    if (nowNfe < this.threshold * firstNfe) return null;
    this.fired = true;
    return { iteration, firstNfe, nowNfe, ratio: nowNfe / firstNfe };
  }
}
