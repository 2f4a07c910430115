/**
 * Edits of an experiment file's spec by key path (`train.regularize`, `solver.rtol`): the text
 * replacements that set each key to a value, inserting the key (and its object) where the spec
 * lacks it. A small scanner of the `defineExperiment({ … })` object literal, skipping strings,
 * template literals and comments; free of `vscode`, so it is unit-tested.
 */
import type { SpecEdit } from '../../engine/src/experiments/slowdownDoctor';

/** The engine's doctor writes its suggestions as these: a key path of the spec and the new value's source text. */
export type { SpecEdit } from '../../engine/src/experiments/slowdownDoctor';

/** Replace `length` characters at `offset` with `text`. */
export interface TextEdit {
  offset: number;
  length: number;
  text: string;
}

interface Entry {
  keyStart: number;
  valueStart: number;
  /** Just past the value (before the comma or the closing brace). */
  valueEnd: number;
}

/** Just past the string, template literal or comment starting at `i`, or `i` when none does. */
function skipLiteral(text: string, i: number): number {
  const c = text[i];
  if (c === '/' && text[i + 1] === '/') {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end;
  }
  if (c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  if (c === '"' || c === "'" || c === '`') {
    let j = i + 1;
    while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  return i;
}

/** The keys of the object literal whose `{` is at `open`, and the offset of its `}`. */
function objectEntries(text: string, open: number): { entries: Map<string, Entry>; close: number } {
  const entries = new Map<string, Entry>();
  let depth = 0;
  let current: Entry | null = null;
  let expectKey = true;
  let i = open;
  const finish = (at: number): void => {
    if (current) {
      let end = at;
      while (end > current.valueStart && /\s/.test(text[end - 1])) end--;
      current.valueEnd = end;
    }
    current = null;
  };
  while (i < text.length) {
    const skipped = skipLiteral(text, i);
    if (skipped !== i) {
      // a quoted key at depth 1
      if (depth === 1 && expectKey && (text[i] === '"' || text[i] === "'")) {
        const m = /^\s*:/.exec(text.slice(skipped));
        if (m) {
          const key = text.slice(i + 1, skipped - 1);
          current = { keyStart: i, valueStart: skipSpace(text, skipped + m[0].length), valueEnd: -1 };
          entries.set(key, current);
          expectKey = false;
          i = skipped + m[0].length;
          continue;
        }
      }
      i = skipped;
      continue;
    }
    const c = text[i];
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      depth--;
      if (depth === 0) {
        finish(i);
        return { entries, close: i };
      }
    } else if (c === ',' && depth === 1) {
      finish(i);
      expectKey = true;
    } else if (depth === 1 && expectKey && /[A-Za-z_$]/.test(c)) {
      const m = /^([A-Za-z_$][\w$]*)\s*:/.exec(text.slice(i));
      if (m) {
        current = { keyStart: i, valueStart: skipSpace(text, i + m[0].length), valueEnd: -1 };
        entries.set(m[1], current);
        expectKey = false;
        i += m[0].length;
        continue;
      }
      expectKey = false; // a shorthand or spread entry
    }
    i++;
  }
  throw new Error('the object literal is not closed');
}

/** The first offset from `i` that is not white space. */
const skipSpace = (text: string, i: number): number => {
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
};

const indentAt = (text: string, offset: number): string => {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
};

/** `{ key: { … value } }` as text, nesting the rest of the path. */
const nested = (path: readonly string[], value: string): string => (path.length === 1 ? `${path[0]}: ${value}` : `${path[0]}: { ${nested(path.slice(1), value)} }`);

/** The edit setting `path` (relative to the object at `open`) to `value`. */
function setIn(text: string, open: number, path: readonly string[], value: string): TextEdit {
  const { entries } = objectEntries(text, open);
  const entry = entries.get(path[0]);
  if (entry && path.length === 1) return { offset: entry.valueStart, length: entry.valueEnd - entry.valueStart, text: value };
  if (entry && text[entry.valueStart] === '{') return setIn(text, entry.valueStart, path.slice(1), value);
  if (entry) throw new Error(`${path[0]} is not an object literal here`);
  // insert the key as the object's first entry, on its own line
  const firstLine = text.indexOf('\n', open);
  const first = [...entries.values()][0];
  const indent = first ? indentAt(text, first.keyStart) : `${indentAt(text, open)}  `;
  const sameLine = first && (firstLine < 0 || first.keyStart < firstLine);
  return sameLine
    ? { offset: open + 1, length: 0, text: ` ${nested(path, value)},` }
    : { offset: open + 1, length: 0, text: `\n${indent}${nested(path, value)},` };
}

/** The first `defineExperiment(` call's object literal: the offset of its `{`. */
export function specObject(text: string): number {
  const re = /\bdefineExperiment\s*(<[^>]*>)?\s*\(\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // a mention inside a comment or a string is no call
    let i = 0;
    let inside = false;
    while (i < m.index) {
      const j = skipLiteral(text, i);
      if (j > m.index) {
        inside = true;
        break;
      }
      i = j === i ? i + 1 : j;
    }
    if (!inside) return m.index + m[0].length - 1;
  }
  throw new Error('no defineExperiment({ … }) call');
}

/**
 * The replacements that apply `edits` to the experiment file's text. A one-key path that the
 * spec does not hold at its top (`activation`, an option of the model's call) is set wherever it
 * first appears inside the spec.
 */
export function specEdits(text: string, edits: readonly SpecEdit[]): TextEdit[] {
  const open = specObject(text);
  return edits.map((e) => {
    if (e.path.length === 1 && !objectEntries(text, open).entries.has(e.path[0])) {
      const { close } = objectEntries(text, open);
      const re = new RegExp(`\\b${e.path[0]}\\s*:\\s*`, 'g');
      re.lastIndex = open;
      const m = re.exec(text);
      if (!m || m.index > close) throw new Error(`the experiment sets no ${e.path[0]}`);
      const start = m.index + m[0].length;
      const end = skipLiteral(text, start);
      if (end === start) throw new Error(`${e.path[0]} is not a literal here`);
      return { offset: start, length: end - start, text: e.value };
    }
    return setIn(text, open, e.path, e.value);
  });
}

/** `text` with `edits` applied (they must not overlap). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  return [...edits].sort((a, b) => b.offset - a.offset).reduce((t, e) => t.slice(0, e.offset) + e.text + t.slice(e.offset + e.length), text);
}
