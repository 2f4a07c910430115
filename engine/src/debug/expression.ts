/**
 * A small expression language for breakpoint conditions, hovers and the Debug Console:
 * `t > 3.2`, `h < 1e-4 && !accepted`, `norm(y) > 10`, `k2[1]`. Parsed once into a tree and
 * evaluated against the solver's variables; no `eval`, no access to anything but the names
 * the debugger provides.
 */

/** What a name or an expression stands for. */
export type Value = number | boolean | string | ArrayLike<number> | { readonly [name: string]: Value };

/** Looks a name up; undefined when there is no such variable. */
export type Scope = (name: string) => Value | undefined;

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'index'; target: Node; index: Node }
  | { kind: 'member'; target: Node; name: string }
  | { kind: 'call'; fn: string; args: Node[]; at: number };

interface Token {
  kind: 'num' | 'id' | 'op' | 'end';
  text: string;
  at: number;
}

const OPERATORS = ['===', '!==', '**', '<=', '>=', '==', '!=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', ',', '.'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'num', text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(src.slice(i));
    if (id) {
      out.push({ kind: 'id', text: id[0], at: i });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`Unexpected '${ch}' at column ${i + 1} of '${src}'.`, i + 1);
    out.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', at: src.length });
  return out;
}

/** Binding powers of the binary operators (higher binds tighter). */
const BINARY: Record<string, number> = {
  '||': 1, '&&': 2,
  '==': 3, '!=': 3, '===': 3, '!==': 3,
  '<': 4, '<=': 4, '>': 4, '>=': 4,
  '+': 5, '-': 5,
  '*': 6, '/': 6, '%': 6,
  '**': 8,
};

class Parser {
  private pos = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  parse(): Node {
    const node = this.expr(0);
    const t = this.peek();
    if (t.kind !== 'end') throw this.error(`Unexpected '${t.text}'`, t);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private error(what: string, t: Token): ExpressionError {
    return new ExpressionError(`${what} at column ${t.at + 1} of '${this.src}'.`, t.at + 1);
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text || t.kind !== 'op') throw this.error(`Expected '${text}' but found '${t.text || 'the end'}'`, t);
  }

  /** Precedence climbing; `**` is right-associative and binds tighter than a unary minus on its left. */
  private expr(minPower: number): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const power = t.kind === 'op' ? BINARY[t.text] : undefined;
      if (power === undefined || power <= minPower) return left;
      this.next();
      const right = this.expr(t.text === '**' ? power - 1 : power);
      left = { kind: 'binary', op: t.text, left, right };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '!')) {
      this.next();
      return { kind: 'unary', op: t.text, arg: t.text === '!' ? this.unary() : this.expr(7) };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && t.text === '[') {
        this.next();
        const index = this.expr(0);
        this.expect(']');
        node = { kind: 'index', target: node, index };
      } else if (t.kind === 'op' && t.text === '.') {
        this.next();
        const name = this.next();
        if (name.kind !== 'id') throw this.error('Expected a name after \'.\'', name);
        node = { kind: 'member', target: node, name: name.text };
      } else return node;
    }
  }

  private primary(): Node {
    const t = this.next();
    if (t.kind === 'num') return { kind: 'num', value: Number(t.text) };
    if (t.kind === 'id') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true' };
      if (t.text === 'NaN') return { kind: 'num', value: NaN };
      if (t.text === 'Infinity') return { kind: 'num', value: Infinity };
      if (this.peek().text === '(' && this.peek().kind === 'op') {
        this.next();
        const args: Node[] = [];
        if (this.peek().text !== ')') {
          for (;;) {
            args.push(this.expr(0));
            if (this.peek().text !== ',') break;
            this.next();
          }
        }
        this.expect(')');
        return { kind: 'call', fn: t.text, args, at: t.at };
      }
      return { kind: 'name', name: t.text, at: t.at };
    }
    if (t.kind === 'op' && t.text === '(') {
      const inner = this.expr(0);
      this.expect(')');
      return inner;
    }
    throw this.error(t.kind === 'end' ? 'The expression ends too early' : `Unexpected '${t.text}'`, t);
  }
}

const isArrayValue = (v: Value): v is ArrayLike<number> =>
  typeof v === 'object' && v !== null && typeof (v as ArrayLike<number>).length === 'number';

function num(v: Value, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ExpressionError(`${what} is ${describe(v)}, not a number.`);
}

function arr(v: Value, fn: string): ArrayLike<number> {
  if (isArrayValue(v)) return v;
  throw new ExpressionError(`${fn}() needs a vector such as y or k1, got ${describe(v)}.`);
}

function describe(v: Value): string {
  if (isArrayValue(v)) return `a vector of ${v.length}`;
  if (typeof v === 'object') return 'a group of variables';
  return typeof v === 'string' ? `'${v}'` : String(v);
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  abs: (a) => Math.abs(num(a[0], 'abs()')),
  sqrt: (a) => Math.sqrt(num(a[0], 'sqrt()')),
  exp: (a) => Math.exp(num(a[0], 'exp()')),
  log: (a) => Math.log(num(a[0], 'log()')),
  log10: (a) => Math.log10(num(a[0], 'log10()')),
  min: (a) => Math.min(...a.flatMap((x) => (isArrayValue(x) ? Array.from(x) : [num(x, 'min()')]))),
  max: (a) => Math.max(...a.flatMap((x) => (isArrayValue(x) ? Array.from(x) : [num(x, 'max()')]))),
  /** Euclidean norm. */
  norm: (a) => Math.hypot(...Array.from(arr(a[0], 'norm'))),
  /** Max-abs norm. */
  normInf: (a) => Array.from(arr(a[0], 'normInf')).reduce((m, x) => (Number.isNaN(x) || Number.isNaN(m) ? NaN : Math.max(m, Math.abs(x))), 0),
  len: (a) => arr(a[0], 'len').length,
  isFinite: (a) => (isArrayValue(a[0]) ? Array.from(a[0]).every(Number.isFinite) : Number.isFinite(num(a[0], 'isFinite()'))),
  isNaN: (a) => (isArrayValue(a[0]) ? Array.from(a[0]).some(Number.isNaN) : Number.isNaN(num(a[0], 'isNaN()'))),
};

/** The names of the functions an expression may call. */
export const EXPRESSION_FUNCTIONS = Object.keys(FUNCTIONS);

function evaluate(node: Node, scope: Scope, known: () => string[]): Value {
  switch (node.kind) {
    case 'num':
    case 'bool':
      return node.value;
    case 'name': {
      const v = scope(node.name);
      if (v === undefined) {
        throw new ExpressionError(`Unknown name '${node.name}' here. Known: ${known().join(', ')}.`, node.at + 1);
      }
      return v;
    }
    case 'unary': {
      const v = evaluate(node.arg, scope, known);
      if (node.op === '!') return !truthy(v);
      const x = num(v, `The operand of '${node.op}'`);
      return node.op === '-' ? -x : x;
    }
    case 'binary': {
      if (node.op === '&&') return truthy(evaluate(node.left, scope, known)) && truthy(evaluate(node.right, scope, known));
      if (node.op === '||') return truthy(evaluate(node.left, scope, known)) || truthy(evaluate(node.right, scope, known));
      const l = evaluate(node.left, scope, known);
      const r = evaluate(node.right, scope, known);
      if (node.op === '==' || node.op === '===') return equal(l, r);
      if (node.op === '!=' || node.op === '!==') return !equal(l, r);
      const a = num(l, `The left side of '${node.op}'`);
      const b = num(r, `The right side of '${node.op}'`);
      switch (node.op) {
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return a / b;
        case '%': return a % b;
        default: return a ** b;
      }
    }
    case 'index': {
      const target = evaluate(node.target, scope, known);
      const i = num(evaluate(node.index, scope, known), 'An index');
      if (!isArrayValue(target)) throw new ExpressionError(`Only vectors can be indexed, but this is ${describe(target)}.`);
      if (!Number.isInteger(i) || i < 0 || i >= target.length) {
        throw new ExpressionError(`Index ${i} is outside 0..${target.length - 1}.`);
      }
      return target[i];
    }
    case 'member': {
      const target = evaluate(node.target, scope, known);
      if (typeof target !== 'object' || isArrayValue(target) || !(node.name in target)) {
        const names = typeof target === 'object' && !isArrayValue(target) ? `: it has ${Object.keys(target).join(', ')}` : '';
        throw new ExpressionError(`No '${node.name}' in ${describe(target)}${names}.`);
      }
      return (target as Record<string, Value>)[node.name];
    }
    case 'call': {
      const fn = FUNCTIONS[node.fn];
      if (!fn) throw new ExpressionError(`Unknown function '${node.fn}'. Known: ${EXPRESSION_FUNCTIONS.join(', ')}.`, node.at + 1);
      if (node.args.length === 0) throw new ExpressionError(`${node.fn}() needs an argument.`, node.at + 1);
      return fn(node.args.map((a) => evaluate(a, scope, known)));
    }
  }
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return num(a, 'The left side of ==') === num(b, 'The right side of ==');
}

/** Conditions are true when non-zero (and not NaN), as in the languages users know. */
export function truthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return true;
}

/** A parsed expression, evaluated as often as needed. */
export interface CompiledExpression {
  readonly source: string;
  evaluate(scope: Scope, knownNames?: () => string[]): Value;
}

/** Parses an expression; throws an ExpressionError naming the column of a syntax mistake. */
export function compileExpression(source: string): CompiledExpression {
  const tree = new Parser(tokenize(source), source).parse();
  return {
    source,
    evaluate: (scope, knownNames = () => []) => evaluate(tree, scope, knownNames),
  };
}
