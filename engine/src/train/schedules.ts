/**
 * Learning-rate schedules as pure functions of the iteration (0 for the first step), so a
 * resumed run needs no schedule state: lr = schedule(iteration). The shapes are PyTorch's
 * StepLR, ExponentialLR and CosineAnnealingLR, optionally after a linear warmup (LinearLR
 * followed by the main schedule, as SequentialLR chains them).
 */
export type ScheduleSpec =
  | { kind: 'constant'; warmup?: Warmup }
  | { kind: 'step'; stepSize: number; gamma?: number; warmup?: Warmup }
  | { kind: 'exponential'; gamma: number; warmup?: Warmup }
  | { kind: 'cosine'; tMax: number; etaMin?: number; warmup?: Warmup };

export interface Warmup {
  /** Iterations of warmup. */
  iterations: number;
  /** The first iteration's lr as a fraction of the base lr (default 1/3, LinearLR's default). */
  startFactor?: number;
}

export type LrSchedule = (iteration: number) => number;

export function lrSchedule(baseLr: number, spec: ScheduleSpec = { kind: 'constant' }): LrSchedule {
  if (!(baseLr >= 0) || !Number.isFinite(baseLr)) throw new RangeError(`The base learning rate must be ≥ 0, got ${baseLr}.`);
  let main: LrSchedule;
  switch (spec.kind) {
    case 'constant':
      main = () => baseLr;
      break;
    case 'step': {
      const { stepSize } = spec;
      const gamma = spec.gamma ?? 0.1;
      if (!Number.isInteger(stepSize) || stepSize < 1) throw new RangeError(`step schedule: stepSize must be a positive integer, got ${stepSize}.`);
      main = (i) => baseLr * Math.pow(gamma, Math.floor(i / stepSize));
      break;
    }
    case 'exponential': {
      const { gamma } = spec;
      if (!(gamma > 0)) throw new RangeError(`exponential schedule: gamma must be > 0, got ${gamma}.`);
      main = (i) => baseLr * Math.pow(gamma, i);
      break;
    }
    case 'cosine': {
      const { tMax } = spec;
      const etaMin = spec.etaMin ?? 0;
      if (!(tMax > 0)) throw new RangeError(`cosine schedule: tMax must be > 0, got ${tMax}.`);
      // Past tMax the rate stays at etaMin instead of rising again.
      main = (i) => etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * Math.min(i, tMax)) / tMax))) / 2;
      break;
    }
    default:
      throw new RangeError(`Unknown schedule '${(spec as { kind: unknown }).kind}': use constant, step, exponential or cosine.`);
  }
  const w = spec.warmup;
  if (w === undefined || w.iterations === 0) return checked(main);
  const startFactor = w.startFactor ?? 1 / 3;
  if (!Number.isInteger(w.iterations) || w.iterations < 0) throw new RangeError(`warmup.iterations must be a non-negative integer, got ${w.iterations}.`);
  if (!(startFactor > 0 && startFactor <= 1)) throw new RangeError(`warmup.startFactor must be in (0, 1], got ${startFactor}.`);
  return checked((i) => (i < w.iterations ? baseLr * (startFactor + ((1 - startFactor) * i) / w.iterations) : main(i - w.iterations)));
}

function checked(s: LrSchedule): LrSchedule {
  return (i) => {
    if (!Number.isInteger(i) || i < 0) throw new RangeError(`A schedule is evaluated at iterations 0, 1, 2, …; got ${i}.`);
    return s(i);
  };
}
