/**
 * "Neural ODE: Export Experiment to PyTorch": the experiment (the active file, a pick, or a Runs
 * view item's, from that run's latest checkpoint) as a PyTorch + torchdiffeq folder beside it,
 * written by the engine worker (the experiment file is code). "Train in Terminal" then runs its
 * train.py in the integrated terminal, writing into the workspace's runs folder, so the run
 * shows in the Runs view and the Training curves as it trains.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import { chooseExperimentFile, runsRootFor } from './experimentFiles';
import { findRunDir, runExperimentFile } from './panels/previewFeed';
import { runIdsFromArgs } from './panels/runArgs';
import { requireTrust } from './trust';

const TRAIN_IN_TERMINAL = 'Train in Terminal';
const OPEN_README = 'Open README';

const experimentName = (file: string): string => path.basename(file).replace(/\.ode\.[cm]?[jt]s$/, '');

/** The experiment file and, from a Runs view item, the run whose weights to start from. */
async function source(args: readonly unknown[]): Promise<{ file: vscode.Uri; runDir?: string } | undefined> {
  if (args[0] instanceof vscode.Uri) return { file: args[0] };
  const runId = runIdsFromArgs(args)?.[0];
  if (runId === undefined) {
    const file = await chooseExperimentFile();
    return file && { file };
  }
  const runDir = findRunDir(runId);
  const file = runDir && runExperimentFile(runDir);
  if (!runDir || !file) {
    void vscode.window.showErrorMessage(
      runDir
        ? `Neural ODE: run ${runId} does not record its experiment file (config.json has no config.file): export it from a terminal, neural-ode export-torch <experiment> --run ${runId}.`
        : `Neural ODE: there is no run ${runId} under .neural-ode/runs/ of this workspace.`,
    );
    return undefined;
  }
  return { file: vscode.Uri.file(file), runDir };
}

/** The command line that trains the export from the workspace folder, into its runs folder. */
export function trainCommandLine(dir: string, cwd: string, runsRoot: string, platform = process.platform): string {
  const python = platform === 'win32' ? 'python' : 'python3';
  const rel = (p: string): string => {
    const r = path.relative(cwd, p);
    return r === '' ? '.' : r.startsWith('..') || path.isAbsolute(r) ? p : r;
  };
  const quote = (p: string): string => (/^[\w./\\:-]+$/.test(p) ? p : JSON.stringify(p));
  return `${python} ${quote(path.join(rel(dir), 'train.py'))} --runs ${quote(rel(runsRoot))}`;
}

export function registerExportTorch(engine: EngineClient, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand('neuralOde.exportTorch', async (...args: unknown[]) => {
    const from = await source(args);
    if (!from) return;
    if (!(await requireTrust('Export Experiment to PyTorch', log))) return;
    const name = experimentName(from.file.fsPath);
    const out = await vscode.window.showInputBox({
      title: `Export ${name} to PyTorch${from.runDir ? ` from run ${path.basename(from.runDir)}` : ''}`,
      prompt: 'The folder to write model.py, train.py, the weights and the data into',
      value: path.join(path.dirname(from.file.fsPath), `${name}-torch`),
      validateInput: (v) => (path.isAbsolute(v.trim()) ? null : 'Give an absolute folder path.'),
    });
    if (!out) return;
    try {
      const r = await engine.request('torch/export', { file: from.file.fsPath, out: out.trim(), ...(from.runDir ? { runDir: from.runDir } : {}) });
      const weights = r.iteration !== undefined ? `the weights of run ${path.basename(from.runDir!)} at iteration ${r.iteration}` : 'the initial weights';
      log.info(`export-torch: ${from.file.fsPath} → ${r.dir} (${r.model}, ${r.method}, ${weights}): ${r.files.join(', ')}`);
      const choice = await vscode.window.showInformationMessage(`Neural ODE: exported ${name} to ${r.dir} (${r.model}; ${weights}).`, TRAIN_IN_TERMINAL, OPEN_README);
      if (choice === OPEN_README) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path.join(r.dir, 'README.md')));
      if (choice === TRAIN_IN_TERMINAL) {
        const cwd = vscode.workspace.getWorkspaceFolder(from.file)?.uri.fsPath ?? path.dirname(from.file.fsPath);
        const terminal = vscode.window.createTerminal({ name: `PyTorch: ${name}`, cwd });
        terminal.show();
        terminal.sendText(trainCommandLine(r.dir, cwd, runsRootFor(from.file)));
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error(`Export Experiment to PyTorch: ${message}`);
      void vscode.window.showErrorMessage(`Neural ODE: could not export ${name} to PyTorch: ${message}`);
    }
  });
}
