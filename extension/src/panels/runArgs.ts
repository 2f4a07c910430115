/**
 * Run ids from command arguments. Commands are called from the palette (no argument), from
 * other code (an id or a list of ids) and from tree views (the clicked item, then the selected
 * items), so any of these shapes is accepted: strings, objects with an `id` or `runId`, arrays.
 */
export function runIdsFromArgs(args: readonly unknown[]): string[] | undefined {
  const ids: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 3) return;
    if (typeof v === 'string') ids.push(v);
    else if (Array.isArray(v)) for (const e of v) visit(e, depth + 1);
    else if (v !== null && typeof v === 'object') {
      const o = v as { runId?: unknown; id?: unknown; run?: unknown };
      if (typeof o.runId === 'string') ids.push(o.runId);
      else if (typeof o.id === 'string') ids.push(o.id);
      else if (o.run !== undefined) visit(o.run, depth + 1);
    }
  };
  for (const a of args) visit(a, 0);
  const unique = [...new Set(ids.filter((id) => id !== ''))];
  return unique.length > 0 ? unique : undefined;
}
