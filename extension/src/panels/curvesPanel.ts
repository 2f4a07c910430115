/**
 * The Training curves panel (extension side): one panel per window, showing the metrics of the
 * runs under each workspace folder's .neural-ode/runs/. It follows metrics.jsonl files as they
 * grow, whoever writes them (the extension's engine worker or `neural-ode train` in a terminal),
 * and sends the webview only the appended records, at most ten times a second. A long run is
 * downsampled as it is read (curvesFeeds.ts): the webview gets a few thousand points per curve,
 * whatever the run's length.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultRunsRoot, listRuns, readMetrics, METRICS_FILE, type RunSummary } from '../../../engine/src/train';
import { HISTOGRAMS_FILE } from '../../../engine/src/train/histogramLog';
import {
  validateCurvesViewState,
  validateWebviewMessage,
  type CurveRunInfo,
  type HostToWebview,
  type WebviewMessage,
} from '../../../webview/src/protocol';
import { runsFolderNames, watchRuns } from '../experimentFiles';
import { Coalescer } from './coalescer';
import { metricsCsv } from './curvesCsv';
import { anyRunning, endedRuns } from './curvesFollow';
import { CurvesFeeds } from './curvesFeeds';
import { curveRunInfo, RunMetaCache, runSlowdown } from './curvesRunInfo';
import { HistogramsTail } from './histogramsTail';
import { PanelHost } from './panelHost';

export interface PanelDeps {
  log: vscode.LogOutputChannel;
}

/** Runs-list refreshes re-read every run's last line, so they are rarer than metric updates. */
const LIST_INTERVAL_MS = 1000;
const METRICS_INTERVAL_MS = 100;
/**
 * Metrics read at once per runs-list refresh (the runs table's figures), and for the runs shown
 * together (their points); the rest is read in the background, so the extension host stays responsive.
 */
const LIST_SYNC_BYTES = 2 << 20;
const SHOW_SYNC_BYTES = 2 << 20;
/**
 * A safety net for file events that never come (watcher exclusions, network drives): while a
 * listed run is running, its metrics and the runs list (result.json, the status) are read again
 * this often, until it is no longer running.
 */
const POLL_MS = 2000;

const SPEC = {
  viewType: 'neuralOde.trainingCurves',
  title: 'Training Curves',
  label: 'Training curves',
  bundle: 'curves',
  validate: validateWebviewMessage,
};

export class CurvesPanel extends PanelHost<HostToWebview, WebviewMessage> {
  static readonly viewType = SPEC.viewType;
  private readonly runs = new Map<string, RunSummary>();
  /** Every listed run's metrics (the figures), with the points of the shown ones. */
  private readonly feeds: CurvesFeeds;
  private readonly histogramTails = new Map<string, HistogramsTail>();
  private readonly meta = new RunMetaCache();
  /** The last runs list posted: an unchanged list is not posted again. */
  private postedRuns: string | undefined;
  private readonly metricUpdates: Coalescer<string>;
  private readonly listUpdates: Coalescer<true>;
  /** undefined until decided: the newest run is shown when nothing was asked for. */
  private selected: string[] | undefined;

  /** Shows the panel (creating it if needed); `runIds`, when given, become the shown runs. */
  static createOrShow(context: vscode.ExtensionContext, deps: PanelDeps, runIds?: string[]): CurvesPanel {
    const existing = PanelHost.openPanel<CurvesPanel>(SPEC.viewType);
    if (existing) {
      existing.reveal(false);
      if (runIds !== undefined) existing.select(runIds);
      return existing;
    }
    return new CurvesPanel(PanelHost.createWebviewPanel(SPEC, context, false), context, deps, runIds);
  }

  /** After a window reload: the webview's saved state says which runs it showed. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, deps: PanelDeps, state: unknown): CurvesPanel {
    const saved = PanelHost.revivedState(panel, context, deps.log, SPEC, state, validateCurvesViewState);
    deps.log.info(`Training curves: restoring the panel${saved ? ` with ${saved.selected.length} run(s)` : ''}`);
    return new CurvesPanel(panel, context, deps, saved?.selected);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly deps: PanelDeps,
    runIds: string[] | undefined,
  ) {
    super(panel, context, deps.log, SPEC);
    this.selected = runIds;
    this.feeds = new CurvesFeeds({
      points: (runId, reset, points) => this.post('curves/metrics', { runId, reset, points }),
      badLines: (file, lines) => {
        const first = lines[0];
        const text = `${file}: ${lines.length} line(s) could not be read and are left out (line ${first.line}: ${first.reason}).`;
        this.deps.log.warn(`Training curves: ${text}`);
        this.post('panel/notice', { level: 'warning', text });
      },
      failed: (file, err) => this.deps.log.warn(`Training curves: could not read ${file}: ${err.message}`),
      statsChanged: () => this.listUpdates.add(true),
    });
    this.disposables.push(this.feeds);
    this.metricUpdates = new Coalescer((ids) => this.flushMetrics(ids), METRICS_INTERVAL_MS);
    this.listUpdates = new Coalescer(() => this.flushRuns(), LIST_INTERVAL_MS);
    this.disposables.push(this.metricUpdates, this.listUpdates);
    for (const folder of vscode.workspace.workspaceFolders ?? []) this.watch(folder);
    let names = runsFolderNames();
    const poll = setInterval(() => {
      if (!this.isReady) return; // a hidden panel gets everything when shown again
      for (const id of this.selected ?? []) if (this.runs.get(id)?.status === 'running') this.metricUpdates.add(id);
      // a new run's folder can come without a file event (runsFolderNames)
      const now = runsFolderNames();
      if (anyRunning([...this.runs.values()].map((r) => r.status)) || now !== names) this.listUpdates.add(true);
      names = now;
    }, POLL_MS);
    this.disposables.push({ dispose: () => clearInterval(poll) });
  }

  private watch(folder: vscode.WorkspaceFolder): void {
    const watcher = watchRuns(folder, '*/*');
    const onEvent = (uri: vscode.Uri) => {
      const id = path.basename(path.dirname(uri.fsPath));
      if ([METRICS_FILE, HISTOGRAMS_FILE].includes(path.basename(uri.fsPath))) {
        if (this.selected?.includes(id)) this.metricUpdates.add(id);
      }
      this.listUpdates.add(true);
    };
    this.disposables.push(watcher, watcher.onDidCreate(onEvent), watcher.onDidChange(onEvent), watcher.onDidDelete(onEvent));
  }

  protected async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'curves/select':
        this.select(message.payload.runIds);
        return;
      case 'curves/exportPng':
        return this.exportPng(message.payload.dataUrl, message.payload.suggestedName);
      case 'curves/exportCsv':
        return this.exportCsv(message.payload.runIds);
      default:
        this.log.warn(`Training curves: the panel sent ${message.type}, which it does not handle`);
    }
  }

  /** Everything the webview shows, from scratch: the run list, then every shown run's points. */
  protected replay(): void {
    this.refreshRuns();
    if (this.selected === undefined) {
      const newest = [...this.runs.keys()][0];
      this.selected = newest === undefined ? [] : [newest];
    } else {
      this.selected = this.selected.filter((id) => this.runs.has(id));
    }
    this.histogramTails.clear();
    this.postedRuns = undefined;
    this.postRuns();
    const budget = { bytes: SHOW_SYNC_BYTES };
    for (const id of this.selected) this.showRun(id, true, budget);
  }

  select(runIds: string[]): void {
    this.refreshRuns();
    const unknown = runIds.filter((id) => !this.runs.has(id));
    if (unknown.length > 0) this.deps.log.warn(`Training curves: no run ${unknown.join(', ')} under .neural-ode/runs/ of this workspace`);
    const next = [...new Set(runIds.filter((id) => this.runs.has(id)))];
    const before = new Set(this.selected ?? []);
    this.selected = next;
    this.postedRuns = undefined; // the page's own selection is answered, even when the list is the same
    for (const id of before) if (!next.includes(id)) this.feeds.hide(id);
    for (const id of [...this.histogramTails.keys()]) if (!next.includes(id)) this.histogramTails.delete(id);
    this.postRuns();
    const budget = { bytes: SHOW_SYNC_BYTES };
    for (const id of next) if (!before.has(id) || !this.feeds.isShown(id)) this.showRun(id, false, budget);
  }

  private refreshRuns(): void {
    const before = new Map([...this.runs].map(([id, r]) => [id, r.status]));
    this.runs.clear();
    for (const r of workspaceRuns(this.deps.log)) if (!this.runs.has(r.id)) this.runs.set(r.id, r);
    // A run that just ended may have written its last lines after the last read.
    const after = new Map([...this.runs].map(([id, r]) => [id, r.status]));
    for (const id of endedRuns(before, after, this.selected ?? [])) this.metricUpdates.add(id);
    this.meta.keep(new Set([...this.runs.values()].map((r) => r.dir)));
    this.feeds.keep(new Set(this.runs.keys()));
  }

  /** A run as the list shows it; its figures are read at once while `budget` lasts, else in the background. */
  private runInfo(run: RunSummary, budget: { bytes: number }): CurveRunInfo {
    return curveRunInfo(run, this.meta.read(run.dir), this.feeds.stats(run.id, path.join(run.dir, METRICS_FILE), budget), runSlowdown(run.dir));
  }

  private postRuns(): void {
    if (!this.isReady) return;
    const budget = { bytes: LIST_SYNC_BYTES };
    const payload = { runs: [...this.runs.values()].map((r) => this.runInfo(r, budget)), selected: this.selected ?? [] };
    const text = JSON.stringify(payload);
    if (text === this.postedRuns) return;
    this.postedRuns = text;
    this.post('curves/runs', payload);
  }

  private flushRuns(): void {
    this.refreshRuns();
    this.postRuns();
  }

  private flushMetrics(ids: Set<string>): void {
    for (const id of ids) if (this.selected?.includes(id)) this.sendMetrics(id);
  }

  /** Starts showing a run's points (again, from memory, after `replay`), and its histograms. */
  private showRun(id: string, replay: boolean, budget: { bytes: number }): void {
    if (!this.isReady) return;
    const run = this.runs.get(id);
    if (!run) return;
    this.sendHistograms(id, run.dir);
    const file = path.join(run.dir, METRICS_FILE);
    if (replay) this.feeds.replay(id);
    this.feeds.show(id, file, budget);
  }

  /** Sends what a shown run appended since the last read, and its new histograms. */
  private sendMetrics(id: string): void {
    if (!this.isReady) return;
    const run = this.runs.get(id);
    if (!run) return;
    // The run's histograms (train.histograms) follow its metrics.
    this.sendHistograms(id, run.dir);
    this.feeds.update(id);
  }

  /** Sends the histogram samples a run appended since the last read (every one, the first time). */
  private sendHistograms(id: string, dir: string): void {
    let tail = this.histogramTails.get(id);
    if (!tail) {
      tail = new HistogramsTail(dir);
      this.histogramTails.set(id, tail);
    }
    let read;
    try {
      read = tail.read();
    } catch (err) {
      this.deps.log.warn(`Training curves: could not read ${tail.file}: ${(err as Error).message}`);
      return;
    }
    if (read.badLines > 0) this.deps.log.warn(`Training curves: ${tail.file}: ${read.badLines} line(s) are not histogram samples and are left out.`);
    if (read.reset || read.samples.length > 0) this.post('curves/histograms', { runId: id, reset: read.reset, samples: read.samples });
  }

  private defaultSaveUri(name: string): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, name) : undefined;
  }

  private async save(data: Uint8Array, suggestedName: string, filters: Record<string, string[]>, what: string): Promise<void> {
    const target = await vscode.window.showSaveDialog({ defaultUri: this.defaultSaveUri(suggestedName), filters, saveLabel: `Save ${what}` });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, data);
    this.deps.log.info(`Training curves: saved ${what} to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Saved the ${what} to ${target.fsPath}.`);
  }

  private async exportPng(dataUrl: string, suggestedName: string): Promise<void> {
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    await this.save(bytes, suggestedName, { 'PNG image': ['png'] }, 'training curves image');
  }

  private async exportCsv(runIds: string[]): Promise<void> {
    const runs = runIds.flatMap((id) => {
      const run = this.runs.get(id);
      return run ? [{ runId: id, records: readMetrics(run.dir).records }] : [];
    });
    if (runs.length === 0) {
      void vscode.window.showWarningMessage('Neural ODE: none of the picked runs exists any more under .neural-ode/runs/; nothing to export.');
      return;
    }
    const name = runs.length === 1 ? `${runs[0].runId}-metrics.csv` : 'training-metrics.csv';
    await this.save(Buffer.from(metricsCsv(runs), 'utf8'), name, { CSV: ['csv'] }, 'metrics');
  }
}

/** Every run of the workspace's folders, newest first; a folder that cannot be read is logged and skipped. */
export function workspaceRuns(log: vscode.LogOutputChannel): RunSummary[] {
  const all: RunSummary[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    try {
      all.push(...listRuns(defaultRunsRoot(folder.uri.fsPath)));
    } catch (err) {
      log.warn(`Training curves: could not list the runs of ${folder.name}: ${(err as Error).message}`);
    }
  }
  return all.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}
