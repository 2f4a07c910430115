import { Poly } from './polynomial';
import { Rational } from './rational';

/**
 * A coefficient of a modified equation: a rational function of the scheme's parameter k
 * (a plain rational when the scheme has none, or k is given a value). Kept in lowest terms
 * with a monic denominator, so equal coefficients compare equal.
 */
export class Coef {
  private constructor(
    readonly num: Poly,
    readonly den: Poly,
  ) {}

  static readonly ZERO = new Coef(Poly.ZERO, Poly.ONE);
  static readonly ONE = new Coef(Poly.ONE, Poly.ONE);
  /** The symbolic parameter k. */
  static readonly K = new Coef(Poly.X, Poly.ONE);

  static of(r: Rational | number | bigint): Coef {
    const q = r instanceof Rational ? r : typeof r === 'bigint' ? Rational.of(r) : Rational.fromNumber(r);
    return new Coef(Poly.constant(q), Poly.ONE);
  }

  static ratio(num: Poly, den: Poly): Coef {
    if (den.isZero()) throw new RangeError('Coefficient with a zero denominator.');
    if (num.isZero()) return Coef.ZERO;
    const g = num.gcd(den);
    let n = g.degree > 0 ? num.divmod(g).q : num;
    let d = g.degree > 0 ? den.divmod(g).q : den;
    const lead = d.lead();
    n = n.scale(Rational.ONE.div(lead));
    d = d.scale(Rational.ONE.div(lead));
    return new Coef(n, d);
  }

  add(o: Coef): Coef {
    if (this.den.equals(o.den)) return Coef.ratio(this.num.add(o.num), this.den);
    return Coef.ratio(this.num.mul(o.den).add(o.num.mul(this.den)), this.den.mul(o.den));
  }
  sub(o: Coef): Coef {
    return this.add(o.neg());
  }
  neg(): Coef {
    return new Coef(this.num.neg(), this.den);
  }
  mul(o: Coef): Coef {
    if (this.isZero() || o.isZero()) return Coef.ZERO;
    return Coef.ratio(this.num.mul(o.num), this.den.mul(o.den));
  }
  div(o: Coef): Coef {
    if (o.isZero()) throw new RangeError('Division of a coefficient by zero.');
    return Coef.ratio(this.num.mul(o.den), this.den.mul(o.num));
  }
  scale(r: Rational): Coef {
    return Coef.ratio(this.num.scale(r), this.den);
  }
  pow(n: number): Coef {
    let r: Coef = Coef.ONE;
    for (let i = 0; i < n; i++) r = r.mul(this);
    return r;
  }

  isZero(): boolean {
    return this.num.isZero();
  }
  /** True when the coefficient does not depend on k. */
  isConstant(): boolean {
    return this.num.isConstant() && this.den.isConstant();
  }
  equals(o: Coef): boolean {
    return this.num.equals(o.num) && this.den.equals(o.den);
  }
  /** The value at k (exact). Throws where the denominator vanishes. */
  at(k: Rational): Rational {
    const d = this.den.eval(k);
    if (d.isZero()) throw new RangeError(`The coefficient is singular at k = ${k}.`);
    return this.num.eval(k).div(d);
  }
  /** The value as a rational; only for coefficients that do not depend on k. */
  toRational(): Rational {
    if (!this.isConstant()) throw new RangeError('The coefficient depends on k: give k a value first.');
    return this.num.coeff(0).div(this.den.coeff(0));
  }
  toNumber(): number {
    return this.toRational().toNumber();
  }
}
