/**
 * The Runs view: every run under `<folder>/.neural-ode/runs/` of each workspace folder,
 * newest first, refreshed by a file watcher (runs started from a terminal appear too), with
 * Resume, Delete, Reveal, Copy Id and Name/Tag/Note on each run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listRuns, type RunSummary } from '../../engine/src/train/runStore';
import { runsFolderNames, watchRuns, workspaceRunsRoots } from './experimentFiles';
import { RunMetaCache, type RunMeta } from './panels/curvesRunInfo';
import { labelRunCommand } from './runLabelCommand';
import { runDescription, runLabel, runTooltip, statusIcon } from './runsFormat';
import type { TrainingSession } from './trainingSession';

const REFRESH_MS = 300;
/**
 * While the view shows, it checks this often whether a run folder came or went (file events can
 * miss it, see runsFolderNames) and, while a run shows as running, whether it still runs: a
 * process killed halfway (a closed terminal, kill -9) writes nothing more, so no event says so.
 */
const POLL_MS = 3000;

export class RunItem extends vscode.TreeItem {
  /** Read by commands that take run ids from tree items (the panels'). */
  readonly runId: string;

  constructor(readonly run: RunSummary, meta: RunMeta, folderName?: string) {
    super(runLabel(run, meta.name), vscode.TreeItemCollapsibleState.None);
    this.id = run.dir;
    this.runId = run.id;
    const description = runDescription(run, meta.hparams.iterations);
    this.description = folderName ? `${description} · ${folderName}` : description;
    this.tooltip = runTooltip(run, meta);
    this.iconPath = new vscode.ThemeIcon(statusIcon(run.status));
    this.contextValue = `neuralOdeRun.${run.status}`;
    this.resourceUri = vscode.Uri.file(run.dir);
  }
}

export class RunsProvider implements vscode.TreeDataProvider<RunItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the last listing showed a run as running. */
  showsRunning = false;
  /** config.json is read again only when it changed (a resume, a new name). */
  private readonly meta = new RunMetaCache();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** Refreshes soon, once for a burst of file events. */
  refreshSoon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, REFRESH_MS);
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  getChildren(parent?: RunItem): RunItem[] {
    if (parent) return [];
    const folders = vscode.workspace.workspaceFolders ?? [];
    const roots = workspaceRunsRoots();
    const items: RunItem[] = [];
    roots.forEach((root, i) => {
      try {
        for (const run of listRuns(root)) items.push(new RunItem(run, this.meta.read(run.dir), folders.length > 1 ? folders[i].name : undefined));
      } catch (err) {
        this.log.warn(`cannot list the runs in ${root}: ${(err as Error).message}`);
      }
    });
    this.showsRunning = items.some((i) => i.run.status === 'running');
    return items.sort((a, b) => (a.run.createdAt < b.run.createdAt ? 1 : a.run.createdAt > b.run.createdAt ? -1 : 0));
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
  }
}

const runOf = (arg: RunItem | RunSummary | undefined): RunSummary | undefined => (arg instanceof RunItem ? arg.run : arg);

export function registerRunsView(session: TrainingSession, log: vscode.LogOutputChannel): vscode.Disposable {
  const provider = new RunsProvider(log);
  const view = vscode.window.createTreeView('neuralOde.runs', { treeDataProvider: provider, showCollapseAll: false });
  const disposables: vscode.Disposable[] = [provider, view];

  let watchers: vscode.Disposable[] = [];
  const watch = (): void => {
    for (const w of watchers) w.dispose();
    watchers = (vscode.workspace.workspaceFolders ?? []).map((folder) => {
      const w = watchRuns(folder, '**');
      w.onDidCreate(() => provider.refreshSoon());
      w.onDidChange(() => provider.refreshSoon());
      w.onDidDelete(() => provider.refreshSoon());
      return w;
    });
    provider.refreshSoon();
  };
  watch();
  let names = runsFolderNames();
  const poll = setInterval(() => {
    if (!view.visible) return;
    const now = runsFolderNames();
    if (now === names && !provider.showsRunning) return;
    names = now;
    provider.refreshSoon();
  }, POLL_MS);
  disposables.push(
    { dispose: () => clearInterval(poll) },
    { dispose: () => watchers.forEach((w) => w.dispose()) },
    vscode.workspace.onDidChangeWorkspaceFolders(watch),
    // Our own runs also refresh through the session: a watcher can miss events on some file systems.
    session.onDidChange(() => provider.refreshSoon()),
    session.onDidProgress(() => provider.refreshSoon()),
    vscode.commands.registerCommand('neuralOde.runs.refresh', () => provider.refreshSoon()),
    vscode.commands.registerCommand('neuralOde.runs.resume', (arg?: RunItem) => {
      const run = runOf(arg) ?? view.selection[0]?.run;
      return vscode.commands.executeCommand('neuralOde.resumeRun', run);
    }),
    vscode.commands.registerCommand('neuralOde.runs.delete', async (arg?: RunItem) => {
      const run = runOf(arg) ?? view.selection[0]?.run;
      if (!run) return;
      if (run.status === 'running' || session.current?.runId === run.id) {
        void vscode.window.showWarningMessage(`Neural ODE: run ${run.id} is training; stop it before deleting it.`);
        return;
      }
      const answer = await vscode.window.showWarningMessage(
        `Delete run ${run.id} (${run.experiment}, ${run.status})?`,
        { modal: true, detail: `This removes ${run.dir} with its metrics and checkpoints. It cannot be undone.` },
        'Delete',
      );
      if (answer !== 'Delete') return;
      try {
        fs.rmSync(run.dir, { recursive: true, force: true });
        log.info(`deleted run ${run.id} (${run.dir})`);
      } catch (err) {
        void vscode.window.showErrorMessage(`Neural ODE: could not delete ${run.dir}: ${(err as Error).message}`);
      }
      provider.refreshSoon();
    }),
    vscode.commands.registerCommand('neuralOde.runs.revealInExplorer', (arg?: RunItem) => {
      const run = runOf(arg) ?? view.selection[0]?.run;
      if (run) return vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(run.dir));
    }),
    vscode.commands.registerCommand('neuralOde.runs.revealInOS', (arg?: RunItem) => {
      const run = runOf(arg) ?? view.selection[0]?.run;
      if (run) return vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(run.dir, 'config.json')));
    }),
    vscode.commands.registerCommand('neuralOde.runs.label', async (arg?: RunItem) => {
      const run = runOf(arg) ?? view.selection[0]?.run;
      if (run && (await labelRunCommand(run, log))) provider.refreshSoon();
    }),
    vscode.commands.registerCommand('neuralOde.runs.copyId', async (arg?: RunItem) => {
      const run = runOf(arg) ?? view.selection[0]?.run;
      if (!run) return;
      await vscode.env.clipboard.writeText(run.id);
      vscode.window.setStatusBarMessage(`Copied run id ${run.id}`, 3000);
    }),
  );
  return vscode.Disposable.from(...disposables);
}
