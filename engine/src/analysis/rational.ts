/**
 * Exact rational numbers on bigint, so that modified-equation coefficients come out as the
 * fractions a hand derivation gives (−1/2, 1/2880), not as rounded decimals.
 */
const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export class Rational {
  /** Lowest terms, den > 0. */
  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError('Rational with denominator 0.');
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n, d);
    return g > 1n ? new Rational(n / g, d / g) : new Rational(n, d);
  }

  /**
   * The fraction with the smallest denominator (≤ maxDen) whose float equals x exactly, by
   * continued fractions: tableau entries such as 1/3 or 35/384 are stored as floats.
   */
  static fromNumber(x: number, maxDen = 10n ** 12n): Rational {
    if (!Number.isFinite(x)) throw new RangeError(`${x} is not a finite number.`);
    if (Number.isInteger(x)) return Rational.of(BigInt(x));
    let [p0, q0, p1, q1] = [0n, 1n, 1n, 0n];
    let r = x;
    for (let i = 0; i < 64; i++) {
      const a = Math.floor(r);
      const ab = BigInt(a);
      [p0, q0, p1, q1] = [p1, q1, ab * p1 + p0, ab * q1 + q0];
      if (q1 > maxDen) break;
      if (Number(p1) / Number(q1) === x) return Rational.of(p1, q1);
      const frac = r - a;
      if (frac === 0) break;
      r = 1 / frac;
    }
    throw new RangeError(`${x} is not a fraction with a denominator up to ${maxDen}.`);
  }

  /** Parses "0.3", "-1.5e-2", "3/10" exactly (0.3 is 3/10, not the float nearest to it). */
  static parse(text: string): Rational {
    const s = text.trim();
    const frac = /^([+-]?\d+)\s*\/\s*(\d+)$/.exec(s);
    if (frac) {
      if (BigInt(frac[2]) === 0n) throw new RangeError(`'${text}' divides by zero.`);
      return Rational.of(BigInt(frac[1]), BigInt(frac[2]));
    }
    const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
    if (!dec || (dec[2] === '' && (dec[3] ?? '') === '')) throw new RangeError(`'${text}' is not a number.`);
    const digits = (dec[2] || '0') + (dec[3] ?? '');
    const exp = Number(dec[4] ?? 0) - (dec[3] ?? '').length;
    if (Math.abs(exp) > 1000) throw new RangeError(`'${text}' is out of range.`);
    let num = BigInt(digits) * (dec[1] === '-' ? -1n : 1n);
    let den = 1n;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den = 10n ** BigInt(-exp);
    return Rational.of(num, den);
  }

  add(o: Rational): Rational {
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return Rational.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rational): Rational {
    return Rational.of(this.num * o.num, this.den * o.den);
  }
  div(o: Rational): Rational {
    if (o.num === 0n) throw new RangeError('Division of a rational by zero.');
    return Rational.of(this.num * o.den, this.den * o.num);
  }
  neg(): Rational {
    return new Rational(-this.num, this.den);
  }
  pow(n: number): Rational {
    let r: Rational = Rational.ONE;
    for (let i = 0; i < n; i++) r = r.mul(this);
    return r;
  }
  isZero(): boolean {
    return this.num === 0n;
  }
  isOne(): boolean {
    return this.num === 1n && this.den === 1n;
  }
  sign(): -1 | 0 | 1 {
    return this.num > 0n ? 1 : this.num < 0n ? -1 : 0;
  }
  abs(): Rational {
    return this.num < 0n ? this.neg() : this;
  }
  equals(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }
  toNumber(): number {
    // Scale huge terms down together so that neither overflows to Infinity.
    let n = this.num;
    let d = this.den;
    while (abs(n) > 2n ** 1000n || d > 2n ** 1000n) {
      n /= 2n ** 64n;
      d /= 2n ** 64n;
      if (d === 0n) return n === 0n ? 0 : n > 0n ? Infinity : -Infinity;
    }
    return Number(n) / Number(d);
  }
  /** "−1/2" style with an ASCII minus: "-1/2", "3". */
  toString(): string {
    return this.den === 1n ? String(this.num) : `${this.num}/${this.den}`;
  }
}

export const gcdBig = gcd;
