/**
 * "Did you mean …?" for a mistyped name: the known name nearest to it, when it is near enough
 * to be a typo (a different case, a letter added, dropped, changed or two swapped, or the start
 * of the name) rather than a different word.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn a into b. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

export function nearestName(given: unknown, names: readonly string[]): string | undefined {
  if (typeof given !== 'string' || given === '') return undefined;
  const g = given.toLowerCase();
  // Short names tolerate one edit, longer ones one per three letters.
  const tolerance = Math.max(1, Math.floor(g.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const n = name.toLowerCase();
    const distance = g.length >= 3 && n.startsWith(g) ? 0.5 : editDistance(g, n);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= tolerance ? best : undefined;
}
