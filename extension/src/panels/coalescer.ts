/**
 * Turns bursts of change events into at most one flush per interval: the first event flushes
 * after `delayMs` at the soonest, later ones join it, and the next flush waits for the interval
 * to pass. A training loop appending hundreds of metrics lines a second updates a panel ≤ 10×/s.
 */
export class Coalescer<K> {
  private readonly pending = new Set<K>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlush = -Infinity;
  private disposed = false;

  constructor(
    private readonly flush: (keys: Set<K>) => void,
    private readonly intervalMs = 100,
  ) {}

  add(key: K): void {
    if (this.disposed) return;
    this.pending.add(key);
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.run(), wait);
  }

  private run(): void {
    this.timer = undefined;
    this.lastFlush = Date.now();
    const keys = new Set(this.pending);
    this.pending.clear();
    this.flush(keys);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
