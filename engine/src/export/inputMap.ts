/**
 * The map g of mapInput(base, g, dg) in Python: g's own source (an arrow function) read token by
 * token. Only arithmetic on the argument and Math functions are accepted, since the same text
 * must mean the same thing in Python, and the translation is checked on probe states against
 * the field's own f.
 */
import type { NativeField } from '../fields/field';

export interface InputMap {
  /** The body as written in JavaScript (its argument renamed x). */
  js: string;
  /** The same expression on a torch tensor x. */
  python: string;
}

const MATH_FUNCTIONS: Record<string, string> = {
  sin: 'torch.sin', cos: 'torch.cos', tan: 'torch.tan', tanh: 'torch.tanh', sinh: 'torch.sinh', cosh: 'torch.cosh',
  exp: 'torch.exp', expm1: 'torch.expm1', log: 'torch.log', log1p: 'torch.log1p', sqrt: 'torch.sqrt', abs: 'torch.abs',
  atan: 'torch.atan', asin: 'torch.asin', acos: 'torch.acos', pow: 'torch.pow', sign: 'torch.sign',
};
const MATH_CONSTANTS: Record<string, string> = { PI: 'math.pi', E: 'math.e' };

/** The tokens of an arrow function's body, or null when it holds anything but arithmetic on `param`. */
function translate(body: string, param: string): InputMap | null {
  const token = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(Math\.[A-Za-z0-9]+)|([A-Za-z_$][\w$]*)|(\*\*|[-+*/(),]))/y;
  const js: string[] = [];
  const py: string[] = [];
  let usesParam = false;
  let at = 0;
  while (at < body.length) {
    token.lastIndex = at;
    const m = token.exec(body);
    if (!m) return body.slice(at).trim() === '' ? finish() : null;
    at = token.lastIndex;
    const [, num, math, name, op] = m;
    if (num !== undefined) {
      js.push(num);
      py.push(num);
    } else if (math !== undefined) {
      const key = math.slice(5);
      const fn = MATH_FUNCTIONS[key] ?? MATH_CONSTANTS[key];
      if (!fn) return null;
      js.push(math);
      py.push(fn);
    } else if (name !== undefined) {
      if (name !== param) return null;
      usesParam = true;
      js.push('x');
      py.push('x');
    } else {
      js.push(op);
      py.push(op);
    }
  }
  return finish();
  function finish(): InputMap | null {
    if (!usesParam || js.length === 0) return null;
    return { js: tidy(js), python: tidy(py) };
  }
}

/** Tokens joined by spaces, without spaces inside parentheses or before a call's. */
const tidy = (tokens: string[]): string => tokens.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')').replace(/ \(/g, '(').replace(/ ,/g, ',');

/** The body of an arrow function starting at `from`: up to the first top-level ',' ')' ';' or '}'. */
function arrowBody(src: string, from: number): string {
  let depth = 0;
  let i = from;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') {
      if (depth === 0) break;
      depth--;
    } else if ((c === ',' || c === ';' || c === '}' || c === '\n') && depth === 0) break;
  }
  return src.slice(from, i);
}

/** Every one-argument arrow function of `source` that is arithmetic on its argument. */
export function arrowMaps(source: string): InputMap[] {
  const out: InputMap[] = [];
  const arrow = /(?:\(\s*([A-Za-z_$][\w$]*)\s*(?::\s*number\s*)?\)|\b([A-Za-z_$][\w$]*))\s*(?::\s*number\s*)?=>\s*/g;
  for (let m = arrow.exec(source); m; m = arrow.exec(source)) {
    const param = m[1] ?? m[2];
    const body = arrowBody(source, arrow.lastIndex).trim();
    if (body.startsWith('{')) continue;
    const map = translate(body, param);
    if (map && !out.some((x) => x.js === map.js)) out.push(map);
  }
  return out;
}

function evaluator(map: InputMap): (x: number) => number {
  // Only digits, operators, parentheses, x and Math's functions reach here (translate checked every token).
  return new Function('x', `return (${map.js});`) as (x: number) => number;
}

/**
 * The map g of `mapped` = mapInput(base, g, …) from its source, checked: base.f(t, g(y)) must equal
 * mapped.f(t, y) on probe states; null when g is not an arithmetic arrow function.
 */
export function recoverInputMap(mapped: NativeField & { map?: unknown }, base: NativeField, dim: number): InputMap | null {
  if (typeof mapped.map !== 'function') return null;
  const candidates = arrowMaps(String(mapped.map));
  // Probe states inside (−1.3, 1.3), where the maps in use (x³, sin, tanh, …) are defined and differ.
  const y = new Float64Array(3 * dim);
  for (let i = 0; i < y.length; i++) y[i] = 1.3 * Math.sin(1.7 * i + 0.4);
  const want = mapped.f(0.37, y);
  for (const c of candidates) {
    const g = evaluator(c);
    const u = y.map((v) => g(v));
    if (!u.every(Number.isFinite)) continue;
    const got = base.f(0.37, u);
    if (got.every((v, i) => Math.abs(v - want[i]) <= 1e-12 * (1 + Math.abs(want[i])))) return c;
  }
  return null;
}
