/**
 * Function breakpoints of a solve. A breakpoint's name is a place in the solver (`step`,
 * `accepted`, `rejected`, `stage`, `k3`, `interval`) or, for convenience, a condition that
 * makes it a conditional `step` breakpoint (`h < 1e-4`). Conditions and hit counts are those
 * of the Breakpoints view.
 */
import { compileExpression, ExpressionError, truthy, type CompiledExpression, type Scope } from './expression';

/** Where in the solve a breakpoint is checked. */
export type BreakLocation = 'step' | 'accepted' | 'rejected' | 'stage' | 'interval';

export const BREAK_LOCATIONS: readonly BreakLocation[] = ['step', 'accepted', 'rejected', 'stage', 'interval'];

export interface FunctionBreakpointSpec {
  name: string;
  condition?: string;
  hitCondition?: string;
}

export interface SolveBreakpoint {
  readonly id: number;
  readonly name: string;
  readonly verified: boolean;
  /** Why it is not verified, or what it means. */
  readonly message: string;
  readonly location: BreakLocation;
  /** For `k3` / `stage 3`: only that stage (1-based); undefined: every stage. */
  readonly stage?: number;
  readonly condition?: CompiledExpression;
  readonly hit?: (count: number) => boolean;
  /** Times the condition held (the count the hit condition tests). */
  hits: number;
}

/** `5` (from the 5th hit on), `>= 5`, `> 5`, `== 5`, `< 5`, `<= 5`, `% 5` (every 5th). */
export function parseHitCondition(text: string): (count: number) => boolean {
  const m = /^\s*(>=|<=|==|=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ExpressionError(`Hit count '${text}' is not understood: write a number (5), or >= 5, > 5, == 5, < 5, <= 5, % 5.`);
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return (c) => c > n;
    case '<': return (c) => c < n;
    case '<=': return (c) => c <= n;
    case '==':
    case '=': return (c) => c === n;
    case '%': return (c) => n > 0 && c % n === 0;
    default: return (c) => c >= n;
  }
}

/**
 * Checks a breakpoint against the variables the solver has (`probe` answers every known name
 * with a value of the right kind), so a misspelt name is reported when it is set, not when hit.
 */
export function createBreakpoint(id: number, spec: FunctionBreakpointSpec, probe: Scope, knownNames: () => string[]): SolveBreakpoint {
  const name = spec.name.trim();
  const fail = (message: string): SolveBreakpoint => ({ id, name, verified: false, message, location: 'step', hits: 0 });
  let location: BreakLocation = 'step';
  let stage: number | undefined;
  let condition: string | undefined = spec.condition?.trim() || undefined;
  const stageMatch = /^(?:k|stage\s*)(\d+)$/i.exec(name);
  if ((BREAK_LOCATIONS as readonly string[]).includes(name)) location = name as BreakLocation;
  else if (stageMatch) {
    location = 'stage';
    stage = Number(stageMatch[1]);
    if (stage < 1) return fail(`Stages are numbered from 1 (k1 is f at the start of the step).`);
  } else {
    // The name itself is a condition on every step.
    condition = condition ? `(${name}) && (${condition})` : name;
  }
  let compiled: CompiledExpression | undefined;
  let hit: ((count: number) => boolean) | undefined;
  try {
    if (condition) {
      compiled = compileExpression(condition);
      compiled.evaluate(probe, knownNames);
    }
    if (spec.hitCondition?.trim()) hit = parseHitCondition(spec.hitCondition);
  } catch (e) {
    if (e instanceof ExpressionError) {
      const hint = condition === name ? ` A breakpoint's name is a place (${BREAK_LOCATIONS.join(', ')}, k1, k2, …) or a condition.` : '';
      return fail(`${e.message}${hint}`);
    }
    throw e;
  }
  const where = location === 'stage' ? (stage ? `stage k${stage}` : 'every stage') : location === 'interval' ? 'the end of every output interval' : location === 'step' ? 'every step' : `every ${location} step`;
  const message = `Stops at ${where}${compiled ? ` where ${compiled.source}` : ''}${spec.hitCondition ? `, hit count ${spec.hitCondition.trim()}` : ''}.`;
  return { id, name, verified: true, message, location, stage, condition: compiled, hit, hits: 0 };
}

/**
 * Whether a breakpoint stops here: its condition holds (an error in it stops too, to show the
 * error), and then its hit count agrees.
 */
export function breakpointStops(bp: SolveBreakpoint, scope: Scope, knownNames: () => string[]): { stop: boolean; error?: string } {
  if (!bp.verified) return { stop: false };
  if (bp.condition) {
    try {
      if (!truthy(bp.condition.evaluate(scope, knownNames))) return { stop: false };
    } catch (e) {
      if (e instanceof ExpressionError) return { stop: true, error: `The condition '${bp.condition.source}' failed: ${e.message}` };
      throw e;
    }
  }
  bp.hits++;
  return { stop: bp.hit ? bp.hit(bp.hits) : true };
}
