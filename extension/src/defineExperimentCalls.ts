/**
 * Where a file calls `defineExperiment(`: the places a CodeLens goes. A small scanner rather
 * than a parser: it skips comments and string literals, so a mention in a comment or a message
 * gets no lens. Free of `vscode`, so it is unit-tested.
 */

/** A zero-based position (as VS Code's `Position`) of the `defineExperiment` name. */
export interface CallPosition {
  line: number;
  character: number;
}

const NAME = 'defineExperiment';
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[\w$]/.test(c);

/** Every call of `defineExperiment` (also `ns.defineExperiment(`, and with a type argument), in file order. */
export function findDefineExperimentCalls(text: string): CallPosition[] {
  const found: CallPosition[] = [];
  let line = 0;
  let lineStart = 0;
  let i = 0;
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
  };
  /** Skips to just past `end`, counting the lines crossed; honours backslash escapes when asked. */
  const skipTo = (end: string, escapes: boolean): void => {
    while (i < text.length && !text.startsWith(end, i)) {
      if (text[i] === '\n') newline(i);
      if (escapes && text[i] === '\\') i++;
      i++;
    }
    i += end.length;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      newline(i);
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      i = text.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === '/' && text[i + 1] === '*') {
      i += 2;
      skipTo('*/', false);
    } else if (c === '"' || c === "'" || c === '`') {
      i++;
      skipTo(c, true);
    } else if (text.startsWith(NAME, i) && !isIdentChar(text[i - 1]) && !isIdentChar(text[i + NAME.length])) {
      if (isCall(text, i + NAME.length)) found.push({ line, character: i - lineStart });
      i += NAME.length;
    } else {
      i++;
    }
  }
  return found;
}

/** True when `(` (after blanks, and after a `<…>` type argument) follows the name. */
function isCall(text: string, from: number): boolean {
  let j = from;
  while (/\s/.test(text[j] ?? '')) j++;
  if (text[j] === '<') {
    let depth = 0;
    for (; j < text.length; j++) {
      if (text[j] === '<') depth++;
      else if (text[j] === '>' && --depth === 0) break;
      else if (text[j] === ';' || text[j] === '{') return false;
    }
    j++;
    while (/\s/.test(text[j] ?? '')) j++;
  }
  return text[j] === '(';
}
