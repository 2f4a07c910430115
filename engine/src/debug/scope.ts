/**
 * The names a condition, a hover or the Debug Console can use, and their values at the stop.
 * `t`, `h`, `errRatio`, `accepted` describe the step attempt (at a stage stop: the attempt in
 * progress); `y` is the solver's state; `k1`…`ks` the stages of the attempt; `ti`, `yi`, `ki`
 * the stage a stage stop stopped in.
 */
import type { Value, Scope } from './expression';
import { EXPRESSION_FUNCTIONS } from './expression';
import { methodInfo } from '../solvers/registry';
import type { SolveRuntime } from './runtime';

const NUMBERS = ['t', 'h', 'errRatio', 'n', 'nfe', 'nAccepted', 'nRejected', 'hNext', 'order', 'interval', 'tNow', 'stage', 'ti', 'rtol', 'atol'] as const;
const BOOLEANS = ['accepted', 'rejected'] as const;
const VECTORS = ['y', 'yi', 'ki'] as const;

/** The signed h of the attempt in progress at a stage stop: from a later stage's time, else the one planned. */
export function attemptStepSize(rt: SolveRuntime): number {
  const stages = rt.currentStages;
  const c = methodInfo(rt.method).tableau?.c;
  for (let i = stages.length - 1; i >= 1 && c; i--) {
    if (c[stages[i].i] > 0) return (stages[i].t - stages[0].t) / c[stages[i].i];
  }
  return rt.lastStep?.hNext ?? NaN;
}

/** Every name the scope may answer (k1…ks for the method's stages). */
export function knownNames(rt: SolveRuntime): string[] {
  const ks = Array.from({ length: rt.stages ?? Math.max(1, rt.currentStages.length) }, (_, i) => `k${i + 1}`);
  const parts = rt.plan.parts.map((p) => p.name).filter((n) => n !== 'y');
  return [...NUMBERS, ...BOOLEANS, ...VECTORS, ...parts, ...(parts.length ? ['z'] : []), ...ks, 'method', ...EXPRESSION_FUNCTIONS.map((f) => `${f}()`)];
}

/** Answers every known name with a value of its kind: conditions are checked when they are set. */
export function probeScope(rt: SolveRuntime): Scope {
  const dim = rt.target.dim;
  const names = new Set(knownNames(rt));
  return (name) => {
    if (!names.has(name)) return undefined;
    if ((BOOLEANS as readonly string[]).includes(name)) return true;
    if ((VECTORS as readonly string[]).includes(name) || /^k\d+$/.test(name) || name === 'z') return new Float64Array(dim).fill(1);
    const part = rt.plan.parts.find((p) => p.name === name);
    if (part) return new Float64Array(part.length).fill(1);
    if (name === 'method') return rt.method;
    return 1;
  };
}

const tol = (x: number | undefined, fallback: number): number => x ?? fallback;

/** The values at the current stop. */
export function solverScope(rt: SolveRuntime): Scope {
  return (name): Value | undefined => {
    const last = rt.lastStep;
    const atStage = rt.stage !== null;
    const counts = rt.counts;
    switch (name) {
      case 't':
        return atStage ? rt.currentStages[0]?.t ?? rt.t : last?.t ?? rt.t;
      case 'h':
        return atStage ? attemptStepSize(rt) : last?.h ?? NaN;
      case 'errRatio':
        return atStage ? NaN : last?.errRatio ?? NaN;
      case 'accepted':
        return atStage ? false : last?.accepted ?? false;
      case 'rejected':
        return atStage ? false : last ? !last.accepted : false;
      case 'n':
        return atStage ? rt.stage?.n ?? 0 : last?.n ?? 0;
      case 'nfe':
        return counts.nfe;
      case 'nAccepted':
        return counts.nAccepted;
      case 'nRejected':
        return counts.nRejected;
      case 'hNext':
        return last?.hNext ?? NaN;
      case 'order':
        return rt.order;
      case 'method':
        return rt.method;
      case 'interval':
        return rt.currentInterval();
      case 'tNow':
        return rt.t;
      case 'rtol':
        return tol(rt.target.rtol, 1e-7);
      case 'atol':
        return tol(rt.target.atol, 1e-9);
      case 'y':
        return rt.part('y');
      case 'z':
        return rt.plan.parts.length > 1 ? rt.y : undefined;
      case 'stage':
        return rt.stage ? rt.stage.i + 1 : 0;
      case 'ti':
        return rt.stage?.t;
      case 'yi':
        return rt.stage?.y;
      case 'ki':
        return rt.stage?.k;
    }
    if (rt.plan.parts.some((p) => p.name === name)) return rt.part(name);
    const k = /^k(\d+)$/.exec(name);
    if (k) {
      const rec = rt.currentStages.find((s) => s.i === Number(k[1]) - 1);
      return rec?.k;
    }
    return undefined;
  };
}
