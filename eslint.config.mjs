// Lint, and the layering of the code base enforced as rules rather than remembered:
//   extension → engine, extension → webview protocol (types), webview → engine protocol (types).
// The engine runs in a worker thread and in a terminal: no `vscode`, no DOM, no extension code.
// Webview code runs in a browser frame: no `vscode` module, no Node, no engine runtime.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Globals of Node scripts (*.mjs) that `no-undef` must accept. */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'fetch', 'performance',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'structuredClone',
  ].map((name) => [name, 'readonly']),
);

const engineNotAllowed = [
  { name: 'vscode', message: 'The engine runs outside VS Code (worker thread, command line): report through return values or events, and let extension/ talk to VS Code.' },
];
const enginePatterns = [
  {
    regex: '(^|/)(extension|webview)(/|$)',
    message: 'The engine must not depend on extension/ or webview/ code; move shared types into engine/src (e.g. engine/src/protocol.ts) and import them from there.',
  },
];

const domGlobals = [
  'window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'HTMLElement',
  'HTMLCanvasElement', 'Element', 'Node', 'requestAnimationFrame', 'cancelAnimationFrame', 'alert',
  'getComputedStyle', 'customElements', 'CanvasRenderingContext2D', 'ImageData', 'XMLHttpRequest',
].map((name) => ({
  name,
  message: `The engine runs in Node (worker thread, command line) where \`${name}\` does not exist; keep browser code in webview/.`,
}));

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
const webviewNotAllowed = [
  { name: 'vscode', message: 'Webview code runs in a browser frame: talk to the extension with the typed messages of its protocol (acquireVsCodeApi().postMessage).' },
  ...nodeBuiltins.map((name) => ({
    name,
    message: `Webview code runs in a browser frame without Node, so \`${name}\` is not there; ask the extension host through a message instead.`,
  })),
];
const engineProtocol = String.raw`(^|/)engine/src/(.*/)?protocol[^/]*$`;
const webviewPatterns = [
  {
    regex: '^node:',
    message: 'Webview code runs in a browser frame without Node; ask the extension host through a message instead.',
  },
  {
    // Engine code other than its protocol files, or the engine package itself.
    regex: String.raw`^neural-ode-studio$|(^|/)engine(/(?!src/(.*/)?protocol[^/]*$).*)?$`,
    message: 'Webview code must not run the engine: it gets results from the extension host as messages. Only `import type` from engine protocol files is allowed.',
  },
  {
    regex: engineProtocol,
    allowTypeImports: true,
    message: 'Only types cross from the engine protocol into a webview: write `import type`.',
  },
];

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', '.code-server/', 'test-artifacts/', 'out/', '.vscode-test/', '.neural-ode/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Butcher tableaus keep the digits of their published source, beyond float64's precision.
    files: ['engine/src/solvers/tableaus/**', 'engine/src/solvers/**/*[Tt]ableau*.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    files: ['engine/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { paths: engineNotAllowed, patterns: enginePatterns }],
      'no-restricted-globals': ['error', ...domGlobals],
    },
  },
  {
    files: ['webview/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { paths: webviewNotAllowed, patterns: webviewPatterns }],
    },
  },
);
