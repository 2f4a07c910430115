/**
 * Plain-text maths as the engine prints it — "u_t = (1/(1 + k)) f − ((1 − k)/(1 + k)³)(Δt/2) f′f
 * + O(Δt²)" — as TeX for KaTeX: a bracketed a/b becomes a fraction, ² and ⁽⁴⁾ superscripts, ′
 * primes, u_tt a subscript, Δ \Delta, and the space between a coefficient and what it
 * multiplies a thin one. Pure, so it is unit-tested against the engine's own LaTeX.
 */

type Node = string | { group: Node[] };

const SUPERSCRIPT_DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const PRIMES: Record<string, string> = { '′': "'", '″': "''", '‴': "'''" };

/** The text as runs and bracketed groups; an unmatched ")" stays text, an unclosed "(" closes at the end. */
function parse(text: string): Node[] {
  const stack: Node[][] = [[]];
  let run = '';
  const flush = () => {
    if (run) stack[stack.length - 1].push(run);
    run = '';
  };
  for (const c of text) {
    if (c === '(') {
      flush();
      stack.push([]);
    } else if (c === ')' && stack.length > 1) {
      flush();
      const group = stack.pop()!;
      stack[stack.length - 1].push({ group });
    } else {
      run += c;
    }
  }
  flush();
  while (stack.length > 1) {
    const group = stack.pop()!;
    stack[stack.length - 1].push({ group });
  }
  return stack[0];
}

/** One run of text: superscripts, primes, subscripts and the minus sign. */
function run(s: string): string {
  const digit = (d: string) => String(SUPERSCRIPT_DIGITS.indexOf(d));
  return s
    .replace(/⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾/g, (_, ds: string) => `^{(${[...ds].map(digit).join('')})}`)
    .replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹]+/g, (ds) => `^{${[...ds].map(digit).join('')}}`)
    .replace(/[′″‴]/g, (p) => PRIMES[p])
    .replace(/_([A-Za-z0-9]+)/g, (_, sub: string) => (sub.length === 1 ? `_${sub}` : `_{${sub}}`))
    .replace(/−/g, '-');
}

/** Splits a node list at a "/" outside any group: [numerator, denominator], or null. */
function splitFraction(nodes: Node[]): [Node[], Node[]] | null {
  const at = nodes.findIndex((n) => typeof n === 'string' && n.includes('/'));
  if (at < 0) return null;
  const s = nodes[at] as string;
  if (s.indexOf('/') !== s.lastIndexOf('/') || nodes.slice(at + 1).some((n) => typeof n === 'string' && n.includes('/'))) return null;
  const [a, b] = s.split('/');
  return [[...nodes.slice(0, at), ...(a ? [a] : [])], [...(b ? [b] : []), ...nodes.slice(at + 1)]];
}

/** A fraction's side: one bracketed group loses its brackets (the bar groups it). */
function side(nodes: Node[]): string {
  const kept = nodes.filter((n) => typeof n !== 'string' || n.trim() !== '');
  if (kept.length === 1 && typeof kept[0] !== 'string') return render(kept[0].group).trim();
  return render(nodes).trim();
}

function render(nodes: Node[]): string {
  let out = '';
  for (const n of nodes) {
    if (typeof n === 'string') {
      out += run(n);
      continue;
    }
    const fraction = splitFraction(n.group);
    if (fraction) out += `\\frac{${side(fraction[0])}}{${side(fraction[1])}}`;
    // u^(7): the bracketed order is the superscript.
    else if (out.endsWith('^')) out += `{(${render(n.group)})}`;
    else out += `(${render(n.group)})`;
  }
  return out;
}

/** The TeX of a line of maths in the engine's text notation. */
export function texOf(text: string): string {
  return (
    render(parse(text))
      // A space between two operands is a product: a thin space, as in the engine's LaTeX.
      .replace(/(?<=[A-Za-z0-9}')]) (?=[A-Za-z0-9(\\Δ])/g, '\\,')
      .replace(/Δ/g, '\\Delta ')
  );
}
