// The layering rules of eslint.config.mjs, checked on small snippets placed (in memory) at
// engine/ and webview/ paths: each forbidden dependency is reported, and clean code is not.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file `relPath`; returns the rule ids and messages reported. */
async function lint(relPath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, relPath) });
  return result.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

const layering = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-imports', 'no-restricted-globals']);

async function assertReported(relPath: string, code: string, mentions: RegExp): Promise<void> {
  const messages = await lint(relPath, code);
  const hits = messages.filter((m) => m.ruleId !== null && layering.has(m.ruleId));
  assert.ok(hits.length > 0, `expected a layering error for ${relPath}:\n${code}\ngot ${JSON.stringify(messages)}`);
  assert.match(hits.map((h) => h.message).join('\n'), mentions);
}

async function assertClean(relPath: string, code: string): Promise<void> {
  const messages = await lint(relPath, code);
  assert.deepEqual(messages, [], `expected no lint message for ${relPath}`);
}

describe('engine layering', () => {
  const file = 'engine/src/solvers/layeringProbe.ts';

  it('rejects importing vscode', () =>
    assertReported(file, "import * as vscode from 'vscode';\nexport const v = vscode.version;\n", /outside VS Code/));

  it('rejects importing extension code', () =>
    assertReported(file, "import { EngineClient } from '../../../extension/src/engineClient';\nexport const c = EngineClient;\n", /extension\/ or webview\//));

  it('rejects importing webview code, even as types', () =>
    assertReported(file, "import type { Panel } from '../../../webview/src/trajectory/main';\nexport type P = Panel;\n", /extension\/ or webview\//));

  for (const global of ['window', 'document', 'navigator', 'HTMLElement']) {
    it(`rejects the DOM global ${global}`, () =>
      assertReported(file, `export const x = typeof ${global} === 'undefined' ? 0 : ${global};\n`, new RegExp(`\`${global}\``)));
  }

  it('accepts Node built-ins and engine-internal imports', () =>
    assertClean(file, "import * as fs from 'node:fs';\nimport { SolverError } from './errors';\nexport const both = [fs.existsSync, SolverError];\n"));
});

describe('webview layering', () => {
  const file = 'webview/src/trajectory/layeringProbe.ts';

  it('rejects importing vscode', () =>
    assertReported(file, "import * as vscode from 'vscode';\nexport const v = vscode.version;\n", /browser frame/));

  for (const mod of ['fs', 'path', 'child_process', 'worker_threads', 'os', 'node:fs', 'node:path']) {
    it(`rejects the Node built-in ${mod}`, () =>
      assertReported(file, `import * as m from '${mod}';\nexport const x = m;\n`, /without Node/));
  }

  it('rejects engine runtime code', () =>
    assertReported(file, "import { odeint } from '../../../engine/src/index';\nexport const f = odeint;\n", /must not run the engine/));

  it('rejects the engine package by name', () =>
    assertReported(file, "import { odeint } from 'neural-ode-studio';\nexport const f = odeint;\n", /must not run the engine/));

  it('rejects types from engine files other than the protocol', () =>
    assertReported(file, "import type { SolverError } from '../../../engine/src/solvers/errors';\nexport type E = SolverError;\n", /must not run the engine/));

  it('rejects a value import from the engine protocol', () =>
    assertReported(file, "import { EngineMethods } from '../../../engine/src/protocol';\nexport type M = EngineMethods;\n", /import type/));

  it('accepts type imports from the engine protocol and browser globals', () =>
    assertClean(
      file,
      "import type { EngineMethods } from '../../../engine/src/protocol';\nexport type M = EngineMethods;\nexport const root = document.body;\n",
    ));
});
