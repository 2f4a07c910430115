/**
 * Modified equations as text ("u_t = f − (Δt/2) f′f + O(Δt²)") and as LaTeX-like markup
 * ("u_t = f - \frac{\Delta t}{2} f'f + O(\Delta t^{2})"). A coefficient is printed the way a
 * hand derivation writes it: its k-dependence as (1 − k) or ((1 − k)/(1 + k)³), its number
 * folded into the power of Δt, as in (1 − k)(Δt/2) u_tt.
 */
import type { Coef } from './coefficient';
import type { DerivativeTerm, ModifiedEquation } from './modifiedEquation';
import { Poly } from './polynomial';
import { Rational } from './rational';
import { treeLatex, treeText } from './trees';

type Style = 'text' | 'latex';
/** Polynomials are also written in ASCII, for JSON. */
type PolyStyle = Style | 'ascii';

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const sup = (n: number): string => String(n).replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]);
const power = (base: string, n: number, style: PolyStyle): string =>
  n === 1 ? base : style === 'text' ? `${base}${sup(n)}` : style === 'latex' ? `${base}^{${n}}` : `${base}^${n}`;

/** An integer polynomial in k, lowest degree first: 1 − 2k + k². */
function polyString(p: Poly, style: PolyStyle, variable = 'k'): string {
  const parts: string[] = [];
  p.coeffs.forEach((c, i) => {
    if (c.isZero()) return;
    const mag = c.abs();
    const coef = i > 0 && mag.isOne() ? '' : mag.toString();
    const term = i === 0 ? coef : `${coef}${style === 'ascii' && coef !== '' ? '*' : ''}${power(variable, i, style)}`;
    const minus = style === 'text' ? '−' : '-';
    if (parts.length === 0) parts.push(c.sign() < 0 ? `${minus}${term}` : term);
    else parts.push(c.sign() < 0 ? ` ${minus} ${term}` : ` + ${term}`);
  });
  return parts.join('') || '0';
}

/** The integer n-th root of x ≥ 0, or null. */
function intRoot(x: bigint, n: number): bigint | null {
  if (x < 0n) return null;
  const guess = BigInt(Math.round(Number(x) ** (1 / n)));
  for (const r of [guess - 1n, guess, guess + 1n]) if (r >= 0n && r ** BigInt(n) === x) return r;
  return null;
}

/** (1 + k)³ when the polynomial is a power of a linear factor, else (…). */
function denominatorString(d: Poly, style: PolyStyle): string {
  const n = d.degree;
  if (n >= 1) {
    const a = intRoot(d.coeff(0).num, n);
    const b = intRoot(d.lead().num < 0n ? -d.lead().num : d.lead().num, n);
    if (a !== null && b !== null && a > 0n) {
      const sign = d.lead().sign() < 0 && n % 2 === 1 ? -1n : 1n;
      const lin = Poly.of([Rational.of(a), Rational.of(sign * b)]);
      let pw = Poly.ONE;
      for (let i = 0; i < n; i++) pw = pw.mul(lin);
      if (pw.equals(d)) return n === 1 ? `(${polyString(lin, style)})` : power(`(${polyString(lin, style)})`, n, style);
    }
  }
  return `(${polyString(d, style)})`;
}

interface Pieces {
  negative: boolean;
  /** The k-dependent factor, '' when there is none. */
  kFactor: string;
  /** The number times Δt^power, '' when it is 1. */
  scalar: string;
}

function pieces(c: Coef, dtPower: number, style: Style): Pieces {
  const { content: cn, primitive: n } = c.num.contentAndPrimitive();
  const { content: cd, primitive: d } = c.den.contentAndPrimitive();
  const r = cn.div(cd);
  const mag = r.abs();
  let kFactor = '';
  if (!n.isConstant() || !d.isConstant()) {
    const top = n.isConstant() ? '1' : polyString(n, style);
    if (d.isConstant()) kFactor = `(${top})`;
    else if (style === 'text') kFactor = `(${n.isConstant() ? top : `(${top})`}/${denominatorString(d, style)})`;
    else kFactor = `\\frac{${top}}{${denominatorString(d, style).replace(/^\((.*)\)$/, '$1')}}`;
  }
  const dt = dtPower === 0 ? '' : power(style === 'text' ? 'Δt' : '\\Delta t', dtPower, style);
  const a = mag.num.toString();
  const b = mag.den.toString();
  let scalar: string;
  if (style === 'text') {
    const top = dt === '' ? a : a === '1' ? dt : `${a}${dt}`;
    scalar = b === '1' ? (top === '1' ? '' : top) : `(${top}/${b})`;
  } else {
    const top = dt === '' ? a : a === '1' ? dt : `${a}${dt}`;
    scalar = b === '1' ? (top === '1' ? '' : top) : `\\frac{${top}}{${b}}`;
  }
  return { negative: r.sign() < 0, kFactor, scalar };
}

/** Joins signed terms: "a − b + c". */
function sum(terms: { negative: boolean; body: string }[], style: Style): string {
  const minus = style === 'text' ? '−' : '-';
  if (terms.length === 0) return '0';
  return terms
    .map((t, i) => (i === 0 ? (t.negative ? `${minus}${t.body}` : t.body) : t.negative ? ` ${minus} ${t.body}` : ` + ${t.body}`))
    .join('');
}

function term(c: Coef, dtPower: number, symbol: string, style: Style): { negative: boolean; body: string } {
  const p = pieces(c, dtPower, style);
  const sep = style === 'text' ? ' ' : '\\,';
  const factor = p.kFactor + p.scalar;
  return { negative: p.negative, body: factor === '' ? symbol : `${factor}${sep}${symbol}` };
}

const bigO = (order: number, style: Style): string =>
  style === 'text' ? `O(${power('Δt', order, style)})` : `O(${power('\\Delta t', order, style)})`;

/** u_t, u_tt, u_ttt … (text); u_{t}, u_{tt} … (LaTeX). */
function uDerivative(m: number, style: Style): string {
  if (style === 'text') return m <= 6 ? `u_${'t'.repeat(m)}` : `u^(${m})`;
  return m === 1 ? 'u_t' : m <= 6 ? `u_{${'t'.repeat(m)}}` : `u^{(${m})}`;
}

function fDerivative(m: number, style: Style): string {
  if (m === 0) return 'f(u)';
  if (style === 'text') return m === 1 ? '(d/dt) f(u)' : `(d${sup(m)}/dt${sup(m)}) f(u)`;
  return m === 1 ? '\\frac{d}{dt} f(u)' : `\\frac{d^{${m}}}{dt^{${m}}} f(u)`;
}

/** u_t = Σ c(τ) Δt^{|τ|−1} F(τ) + O(Δt^order). */
export function formatModifiedEquation(eq: ModifiedEquation, style: Style = 'text'): string {
  const named = eq.terms.map((t) => term(t.coefficient, t.power, style === 'text' ? treeText(t.tree) : treeLatex(t.tree), style));
  return `u_t = ${sum(named, style)} + ${bigO(eq.order, style)}`;
}

const sideText = (side: readonly DerivativeTerm[], symbol: (m: number) => string, style: Style): string =>
  sum(
    side.map((t) => term(t.coefficient, t.power, symbol(t.derivative), style)),
    style,
  );

/** The multistep scheme's Taylor-expanded form, e.g. (1 + k) u_t + (1 − k)(Δt/2) u_tt = f(u) + O(Δt²). */
export function formatDerivativeForm(eq: ModifiedEquation, style: Style = 'text'): string | null {
  const form = eq.derivativeForm;
  if (!form) return null;
  const lhs = sideText(form.lhs, (m) => uDerivative(m, style), style);
  const rhs = sideText(form.rhs, (m) => fDerivative(m, style), style);
  return `${lhs} = ${rhs} + ${bigO(eq.order, style)}`;
}

/** A coefficient alone in ASCII, for JSON: "-1/2", "-1/2*(1 - k)/(1 + k)^3". */
export function coefficientAscii(c: Coef): string {
  if (c.isConstant()) return c.toRational().toString();
  const { content: cn, primitive: n } = c.num.contentAndPrimitive();
  const { content: cd, primitive: d } = c.den.contentAndPrimitive();
  const r = cn.div(cd);
  let out = r.abs().isOne() ? (r.sign() < 0 ? '-' : '') : `${r.toString()}*`;
  out += n.isConstant() ? (out === '' || out === '-' ? `${out}1` : out.slice(0, -1)) : `(${polyString(n, 'ascii')})`;
  if (!d.isConstant()) out += `/${denominatorString(d, 'ascii')}`;
  return out;
}
