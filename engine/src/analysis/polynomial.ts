import { Rational, gcdBig } from './rational';

/**
 * A polynomial in one parameter (the LM scheme's k) with exact rational coefficients,
 * lowest degree first, no trailing zeros.
 */
export class Poly {
  private constructor(readonly coeffs: readonly Rational[]) {}

  static readonly ZERO = new Poly([]);
  static readonly ONE = new Poly([Rational.ONE]);
  /** The parameter itself. */
  static readonly X = new Poly([Rational.ZERO, Rational.ONE]);

  static of(coeffs: readonly Rational[]): Poly {
    let n = coeffs.length;
    while (n > 0 && coeffs[n - 1].isZero()) n--;
    return new Poly(coeffs.slice(0, n));
  }
  static constant(c: Rational): Poly {
    return Poly.of([c]);
  }

  get degree(): number {
    return this.coeffs.length - 1; // −1 for the zero polynomial
  }
  isZero(): boolean {
    return this.coeffs.length === 0;
  }
  isConstant(): boolean {
    return this.coeffs.length <= 1;
  }
  coeff(i: number): Rational {
    return this.coeffs[i] ?? Rational.ZERO;
  }
  lead(): Rational {
    return this.coeffs[this.coeffs.length - 1] ?? Rational.ZERO;
  }

  add(o: Poly): Poly {
    const n = Math.max(this.coeffs.length, o.coeffs.length);
    return Poly.of(Array.from({ length: n }, (_, i) => this.coeff(i).add(o.coeff(i))));
  }
  sub(o: Poly): Poly {
    return this.add(o.neg());
  }
  neg(): Poly {
    return new Poly(this.coeffs.map((c) => c.neg()));
  }
  scale(r: Rational): Poly {
    return Poly.of(this.coeffs.map((c) => c.mul(r)));
  }
  mul(o: Poly): Poly {
    if (this.isZero() || o.isZero()) return Poly.ZERO;
    const out = new Array<Rational>(this.coeffs.length + o.coeffs.length - 1).fill(Rational.ZERO);
    this.coeffs.forEach((a, i) => o.coeffs.forEach((b, j) => (out[i + j] = out[i + j].add(a.mul(b)))));
    return Poly.of(out);
  }
  /** Quotient and remainder of polynomial division. */
  divmod(d: Poly): { q: Poly; r: Poly } {
    if (d.isZero()) throw new RangeError('Polynomial division by zero.');
    let r = Poly.of(this.coeffs);
    const q = new Array<Rational>(Math.max(0, this.degree - d.degree + 1)).fill(Rational.ZERO);
    while (!r.isZero() && r.degree >= d.degree) {
      const shift = r.degree - d.degree;
      const c = r.lead().div(d.lead());
      q[shift] = c;
      r = r.sub(Poly.of([...new Array<Rational>(shift).fill(Rational.ZERO), ...d.coeffs.map((x) => x.mul(c))]));
    }
    return { q: Poly.of(q), r };
  }
  /** Monic greatest common divisor (Euclid over the rationals). */
  gcd(o: Poly): Poly {
    let a = Poly.of(this.coeffs);
    let b = o;
    while (!b.isZero()) [a, b] = [b, a.divmod(b).r];
    return a.isZero() ? Poly.ONE : a.scale(Rational.ONE.div(a.lead()));
  }
  eval(x: Rational): Rational {
    let acc = Rational.ZERO;
    for (let i = this.coeffs.length - 1; i >= 0; i--) acc = acc.mul(x).add(this.coeffs[i]);
    return acc;
  }
  equals(o: Poly): boolean {
    return this.coeffs.length === o.coeffs.length && this.coeffs.every((c, i) => c.equals(o.coeffs[i]));
  }

  /**
   * p = content · primitive, where primitive has coprime integer coefficients and a positive
   * lowest coefficient (so 1 − k stays 1 − k, as papers write it).
   */
  contentAndPrimitive(): { content: Rational; primitive: Poly } {
    if (this.isZero()) return { content: Rational.ZERO, primitive: Poly.ZERO };
    let lcm = 1n;
    for (const c of this.coeffs) lcm = (lcm * c.den) / gcdBig(lcm, c.den);
    let g = 0n;
    for (const c of this.coeffs) g = gcdBig(g, (c.num * lcm) / c.den);
    const low = this.coeffs.find((c) => !c.isZero())!;
    const content = Rational.of(low.sign() < 0 ? -g : g, lcm);
    return { content, primitive: this.scale(Rational.ONE.div(content)) };
  }
}
