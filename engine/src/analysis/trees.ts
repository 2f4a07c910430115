/**
 * Rooted trees, the index set of elementary differentials: the leaf • is f, a root with
 * children τ₁…τ_m is f^{(m)}(F(τ₁), …, F(τ_m)). So [•] is f′f, [•,•] is f″(f,f), [[•]] is f′f′f.
 * Trees are interned: the same shape is always the same object, so maps key on `key`.
 */
export interface Tree {
  readonly children: readonly Tree[];
  /** Number of nodes |τ|: F(τ) enters a modified equation with Δt^{|τ|−1}. */
  readonly order: number;
  /** Canonical bracket form: "[]" is •, "[[]]" is f′f. */
  readonly key: string;
}

const interned = new Map<string, Tree>();

/** Display order: fewer nodes first, then more children at the root, then children in turn. */
export function compareTrees(a: Tree, b: Tree): number {
  if (a.order !== b.order) return a.order - b.order;
  if (a.children.length !== b.children.length) return b.children.length - a.children.length;
  for (let i = 0; i < a.children.length; i++) {
    const c = compareTrees(a.children[i], b.children[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/** The tree with these children (in any order). */
export function tree(children: readonly Tree[]): Tree {
  const sorted = [...children].sort(compareTrees);
  const key = `[${sorted.map((c) => c.key).join('')}]`;
  let t = interned.get(key);
  if (!t) {
    t = { children: sorted, order: 1 + sorted.reduce((n, c) => n + c.order, 0), key };
    interned.set(key, t);
  }
  return t;
}

export const LEAF = tree([]);

const graftMemo = new Map<string, Tree[]>();

/**
 * The trees made by hanging σ under each node of τ, one per node (repeats kept): the
 * derivative of F(τ) in the direction F(σ) is the sum of their elementary differentials.
 */
export function graft(t: Tree, s: Tree): Tree[] {
  const id = `${t.key}|${s.key}`;
  let out = graftMemo.get(id);
  if (!out) {
    out = [
      tree([...t.children, s]),
      ...t.children.flatMap((c, i) => graft(c, s).map((g) => tree(t.children.map((x, j) => (j === i ? g : x))))),
    ];
    graftMemo.set(id, out);
  }
  return out;
}

/** byOrder[n]: the distinct rooted trees with n nodes, in display order. */
export function treesUpTo(maxOrder: number): Tree[][] {
  const byOrder: Tree[][] = [[], [LEAF]];
  for (let n = 2; n <= maxOrder; n++) {
    const seen = new Map<string, Tree>();
    for (const t of byOrder[n - 1]) for (const g of graft(t, LEAF)) seen.set(g.key, g);
    byOrder.push([...seen.values()].sort(compareTrees));
  }
  return byOrder;
}

/** Groups equal children: [(child, multiplicity)]. */
export function childGroups(t: Tree): [Tree, number][] {
  const groups: [Tree, number][] = [];
  for (const c of t.children) {
    const last = groups[groups.length - 1];
    if (last && last[0] === c) last[1]++;
    else groups.push([c, 1]);
  }
  return groups;
}

/** σ(τ): the order of τ's symmetry group. */
export function symmetry(t: Tree): number {
  let s = 1;
  for (const [c, m] of childGroups(t)) {
    s *= symmetry(c) ** m;
    for (let i = 2; i <= m; i++) s *= i;
  }
  return s;
}

/** γ(τ): the density; the exact flow's coefficient of h^{|τ|} F(τ) is 1/(σ(τ)γ(τ)). */
export function density(t: Tree): number {
  return t.children.reduce((g, c) => g * density(c), t.order);
}

const PRIMES = ['', '′', '″', '‴'];

/** f′f, f″(f,f), f′f′f, f⁽⁴⁾(f,f,f,f) … as text. */
export function treeText(t: Tree): string {
  const m = t.children.length;
  if (m === 0) return 'f';
  const d = m < PRIMES.length ? `f${PRIMES[m]}` : `f⁽${String(m).replace(/\d/g, (c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(c)])}⁾`;
  if (m === 1) return d + treeText(t.children[0]);
  return `${d}(${t.children.map(treeText).join(',')})`;
}

/** The same in LaTeX: f'f, f''(f,f), f^{(4)}(f,f,f,f). */
export function treeLatex(t: Tree): string {
  const m = t.children.length;
  if (m === 0) return 'f';
  const d = m <= 3 ? `f${"'".repeat(m)}` : `f^{(${m})}`;
  if (m === 1) return d + treeLatex(t.children[0]);
  return `${d}(${t.children.map(treeLatex).join(',')})`;
}

/** ASCII name for JSON: f'f, f''(f,f), f^(4)(f,f,f,f). */
export function treeAscii(t: Tree): string {
  const m = t.children.length;
  if (m === 0) return 'f';
  const d = m <= 3 ? `f${"'".repeat(m)}` : `f^(${m})`;
  if (m === 1) return d + treeAscii(t.children[0]);
  return `${d}(${t.children.map(treeAscii).join(',')})`;
}
