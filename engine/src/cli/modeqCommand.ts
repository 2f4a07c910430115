import { parseArgs } from 'node:util';
import type { Coef } from '../analysis/coefficient';
import { modifiedEquation, MAX_MODEQ_ORDER, type DerivativeTerm, type ModifiedEquation } from '../analysis/modifiedEquation';
import { coefficientAscii, formatDerivativeForm, formatModifiedEquation } from '../analysis/print';
import { Rational } from '../analysis/rational';
import { schemeByName, schemeNames } from '../analysis/schemes';
import { treeAscii } from '../analysis/trees';
import { SolverError } from '../solvers/errors';

export const MODEQ_USAGE = `usage: neural-ode modeq --scheme <name> [--k K] [--order N] [--latex | --json]

The modified equation of a scheme for u' = f(u): the ODE its iterates follow up to O(Δt^N).

  --scheme S   euler, midpoint, heun, rk4, rk4_classic, … (explicit Runge–Kutta methods of the
               solver registry), ab2 (Adams–Bashforth 2) or lm (LM-ResNet:
               u_{n+1} = (1 − k) u_n + k u_{n−1} + Δt f(u_n))
  --k K        lm's coefficient, e.g. 0.3 or 3/10 (exact); without it the result is symbolic in k
  --order N    derive up to O(Δt^N), N = 1 … ${MAX_MODEQ_ORDER} (default 2)
  --latex      print LaTeX-like markup instead of text
  --json       print every coefficient as JSON
`;

export interface ModeqArgs {
  scheme: string;
  /** lm's k as text ("0.3", "3/10"); absent: symbolic. */
  k?: string;
  order?: number;
}

export interface CoefficientJson {
  /** Exact, ASCII: "-1/2", "-1/2*(1 - k)/(1 + k)^3". */
  coefficient: string;
  /** As a number; null when it depends on a symbolic k. */
  value: number | null;
  /** Numerator and denominator polynomials in k, lowest degree first, as exact fractions. */
  numerator: string[];
  denominator: string[];
}

export interface ModeqTermJson extends CoefficientJson {
  /** The rooted tree in bracket form: "[]" is f, "[[]]" is f'f. */
  tree: string;
  /** The elementary differential: f, f'f, f''(f,f), f'f'f, … */
  name: string;
  /** The term is coefficient · Δt^power · name. */
  power: number;
}

export interface DerivativeTermJson extends CoefficientJson {
  /** Order of the time derivative: 1 is u_t (left side) or d/dt f(u) (right side). */
  derivative: number;
  power: number;
}

export interface ModeqOutput {
  scheme: string;
  description: string;
  /** lm only: k as an exact fraction, or 'symbolic'. */
  k: string | null;
  order: number;
  /** Caveats a reader needs (e.g. a k for which the lm scheme is not zero-stable). */
  notes: string[];
  /** u_t = Σ coefficient · Δt^power · F(tree) + O(Δt^order). */
  equation: { text: string; latex: string };
  terms: ModeqTermJson[];
  /** Multistep schemes: Σ lhs · Δt^power · u^(derivative) = Σ rhs · Δt^power · (d/dt)^derivative f(u). */
  derivativeForm: { text: string; latex: string; lhs: DerivativeTermJson[]; rhs: DerivativeTermJson[] } | null;
}

function coefficientJson(c: Coef): CoefficientJson {
  return {
    coefficient: coefficientAscii(c),
    value: c.isConstant() ? c.toNumber() : null,
    numerator: c.num.coeffs.map(String),
    denominator: c.den.coeffs.map(String),
  };
}

const derivativeJson = (t: DerivativeTerm): DerivativeTermJson => ({ derivative: t.derivative, power: t.power, ...coefficientJson(t.coefficient) });

function toJson(eq: ModifiedEquation): ModeqOutput {
  const s = eq.scheme;
  const form = eq.derivativeForm;
  const notes: string[] = [];
  if (s.kind === 'lmm' && s.k instanceof Rational && !(s.k.toNumber() > -1 && s.k.toNumber() <= 1)) {
    notes.push(
      `k = ${s.k} is outside (−1, 1]: ζ² − (1 − k)ζ − k has the root −k, so the scheme is not zero-stable and its iterates do not follow this equation.`,
    );
  }
  return {
    scheme: s.name,
    description: s.description,
    k: s.kind === 'lmm' && s.k !== undefined ? String(s.k) : null,
    order: eq.order,
    notes,
    equation: { text: formatModifiedEquation(eq, 'text'), latex: formatModifiedEquation(eq, 'latex') },
    terms: eq.terms.map((t) => ({ tree: t.tree.key, name: treeAscii(t.tree), power: t.power, ...coefficientJson(t.coefficient) })),
    derivativeForm: form
      ? {
          text: formatDerivativeForm(eq, 'text')!,
          latex: formatDerivativeForm(eq, 'latex')!,
          lhs: form.lhs.map(derivativeJson),
          rhs: form.rhs.map(derivativeJson),
        }
      : null,
  };
}

/** `neural-ode modeq`: the modified equation of a scheme, as data. */
export function modeqCommand(args: ModeqArgs): ModeqOutput {
  let k: Rational | undefined;
  if (args.k !== undefined) {
    try {
      k = Rational.parse(args.k);
    } catch {
      throw new SolverError('input', `--k ${args.k}: expected a number such as 0.3 or 3/10.`);
    }
  }
  const order = args.order ?? 2;
  if (!Number.isInteger(order) || order < 1 || order > MAX_MODEQ_ORDER) {
    throw new SolverError('input', `--order ${order}: expected a whole number from 1 to ${MAX_MODEQ_ORDER}.`);
  }
  const known = schemeNames();
  if (!known.includes(args.scheme)) {
    throw new SolverError('input', `--scheme ${args.scheme}: unknown scheme. Known schemes: ${known.join(', ')}.`);
  }
  if (k !== undefined && args.scheme !== 'lm') {
    throw new SolverError('input', `--k applies to --scheme lm only; '${args.scheme}' has no parameter. Drop --k.`);
  }
  return toJson(modifiedEquation(schemeByName(args.scheme, k), order));
}

function printText(out: ModeqOutput, latex: boolean): void {
  const style = latex ? 'latex' : 'text';
  const k = out.k === null ? '' : out.k === 'symbolic' ? ' (k symbolic)' : ` (k = ${out.k})`;
  const lines = [`${out.scheme}: ${out.description}${k}`];
  if (out.derivativeForm) lines.push('', 'the scheme, Taylor-expanded and divided by Δt:', `  ${out.derivativeForm[style]}`);
  lines.push('', 'modified equation:', `  ${out.equation[style]}`);
  for (const note of out.notes) lines.push('', `note: ${note}`);
  process.stdout.write(lines.join('\n') + '\n');
}

const VALUE_FLAGS = ['--scheme', '--k', '--order'];

/** `--k -0.5` as `--k=-0.5`: parseArgs would read the value as an option. */
const joinNegativeValues = (args: readonly string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (VALUE_FLAGS.includes(args[i]) && i + 1 < args.length && /^-[\d.]/.test(args[i + 1])) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
};

/** parseArgs' messages, said in this command's terms. */
function parseError(message: string): string {
  const options = `Options: --scheme, --k, --order, --latex, --json (neural-ode modeq --help).`;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `modeq: unknown option ${unknown[1]}. ${options}`;
  const missing = /Option '(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return `modeq: ${missing[1]} needs a value, e.g. --scheme lm --k 0.3 --order 2.`;
  return `modeq: ${message} ${options}`;
}

/** Parses `modeq`'s flags, prints the result; returns the exit code. */
export function modeq(rest: string[]): number {
  let json = rest.includes('--json');
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(MODEQ_USAGE);
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({
        args: joinNegativeValues(rest),
        allowPositionals: true,
        options: {
          scheme: { type: 'string' },
          k: { type: 'string' },
          order: { type: 'string' },
          latex: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
        },
      });
    } catch (e) {
      throw new SolverError('input', parseError((e as Error).message));
    }
    const { values, positionals } = parsed;
    json = values.json === true;
    if (positionals.length > 0) throw new SolverError('input', `modeq takes no file ('${positionals[0]}'): name the scheme with --scheme, e.g. neural-ode modeq --scheme lm --k 0.3.`);
    if (!values.scheme) throw new SolverError('input', `modeq needs --scheme: one of ${schemeNames().join(', ')}.`);
    if (values.json && values.latex) throw new SolverError('input', '--json already holds the LaTeX form (equation.latex): give --json or --latex, not both.');
    let order: number | undefined;
    if (values.order !== undefined) {
      order = Number(values.order);
      if (values.order.trim() === '' || !Number.isInteger(order)) throw new SolverError('input', `--order ${values.order}: expected a whole number from 1 to ${MAX_MODEQ_ORDER}.`);
    }
    const out = modeqCommand({ scheme: values.scheme, k: values.k, order });
    if (json) process.stdout.write(JSON.stringify(out) + '\n');
    else printText(out, values.latex === true);
    return 0;
  } catch (e) {
    const err = e as Error & { kind?: string; context?: unknown };
    if (json) process.stdout.write(JSON.stringify({ error: { kind: err.kind ?? 'error', message: err.message, context: err.context } }) + '\n');
    process.stderr.write(`neural-ode: ${err.message}\n`);
    return 1;
  }
}
