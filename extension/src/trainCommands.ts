/**
 * Train Experiment, Resume Run and Stop Training: the run trains in the engine worker, this
 * side shows it (a cancellable progress notification; the status bar follows separately) and
 * says how it ended.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainStartParams } from '../../engine/src/protocol';
import { listRuns, type RunSummary } from '../../engine/src/train/runStore';
import type { ExperimentDiagnostics } from './experimentDiagnostics';
import { chooseExperimentFile, runsRootFor, workspaceRunsRoots } from './experimentFiles';
import { readRunConfig } from './runConfig';
import { formatLoss, iterationText, isResumable, outcomeMessage, progressMessage, runDescription, runLabel } from './runsFormat';
import { iterationsOverride, trainDefaults } from './settings';
import type { ActiveRun, TrainingSession } from './trainingSession';
import { requireTrust } from './trust';

const SHOW_LOG = 'Show Log';
const RESUME_ANYWAY = 'Resume Anyway';
const RESUME = 'Resume';
const OPEN_CURVES = 'Open Training Curves';
const OPEN_SETTING = 'Open Setting';
/** The notification is redrawn at most this often (progress events come every iteration). */
const REDRAW_MS = 100;

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const experimentName = (file: string): string => path.basename(file).replace(/\.ode\.[cm]?[jt]s$/, '');
/** The iteration a run was started to reach (config.json), if it can be read. */
const targetOf = (run: RunSummary): number | undefined => {
  try {
    return readRunConfig(run.dir).iterations;
  } catch {
    return undefined;
  }
};

export class TrainCommands {
  constructor(
    private readonly session: TrainingSession,
    private readonly log: vscode.LogOutputChannel,
    private readonly problems?: ExperimentDiagnostics,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('neuralOde.trainExperiment', (uri?: vscode.Uri) => this.train(uri)),
      vscode.commands.registerCommand('neuralOde.resumeRun', (run?: RunSummary | { run?: RunSummary }) =>
        this.resume(run && 'id' in run ? run : (run as { run?: RunSummary } | undefined)?.run),
      ),
      vscode.commands.registerCommand('neuralOde.stopTraining', () => this.stop()),
      vscode.commands.registerCommand('neuralOde.showLog', () => this.log.show()),
    ];
  }

  async train(given?: vscode.Uri): Promise<void> {
    if (!(await requireTrust('Train Experiment', this.log))) return;
    if (this.refuseWhileBusy()) return;
    const file = await chooseExperimentFile(given);
    if (!file) return;
    // Unsaved edits would not be what trains: save first, as a build task would.
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.toString());
    if (doc?.isDirty) await doc.save();
    await this.run(
      { file: file.fsPath, runsRoot: runsRootFor(file), iterations: iterationsOverride(file), defaults: trainDefaults(file) },
      experimentName(file.fsPath),
    );
  }

  async resume(given?: RunSummary): Promise<void> {
    if (!(await requireTrust('Resume Run', this.log))) return;
    if (this.refuseWhileBusy()) return;
    const run = given ?? (await this.pickRun());
    if (!run) return;
    if (!isResumable(run.status)) {
      void vscode.window.showWarningMessage(`Neural ODE: run ${run.id} is still training; stop it before resuming it.`);
      return;
    }
    let config;
    try {
      config = readRunConfig(run.dir);
    } catch (err) {
      void vscode.window.showErrorMessage(`Neural ODE: cannot resume ${run.id}: its config.json is unreadable (${errorMessage(err)}).`);
      return;
    }
    let file = config.file && fs.existsSync(config.file) ? vscode.Uri.file(config.file) : undefined;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        title: `Experiment file of run ${run.id}${config.file ? ` (${config.file} no longer exists)` : ''}`,
        canSelectMany: false,
        filters: { 'Experiment files': ['ts', 'mts', 'js', 'mjs', 'cjs'] },
      });
      file = picked?.[0];
      if (!file) return;
    }
    const iterations = iterationsOverride(file) ?? config.iterations;
    if (run.status === 'finished' && iterations !== undefined && (run.lastIteration ?? 0) >= iterations) {
      void vscode.window.showInformationMessage(
        `Neural ODE: run ${run.id} already finished its ${iterations} iterations. To train it further, raise neuralOde.training.iterations and resume again.`,
      );
      return;
    }
    const root = path.dirname(run.dir);
    await this.run({ file: file.fsPath, runsRoot: root, iterations, resume: run.id, defaults: config.defaults }, config.experiment);
  }

  /** Stops the run; one still loading its experiment stops at once (its engine worker is restarted). */
  async stop(): Promise<void> {
    if (!this.session.busy) {
      void vscode.window.showInformationMessage('Neural ODE: nothing is training.');
      return;
    }
    const what = this.session.current?.runId ?? 'the run still loading its experiment';
    try {
      await this.session.stop();
    } catch (err) {
      this.log.error(`stop ${what}: ${errorMessage(err)}`);
    }
  }

  private refuseWhileBusy(): boolean {
    if (!this.session.busy) return false;
    const id = this.session.current?.runId;
    void vscode.window.showWarningMessage(`Neural ODE: ${id ? `run ${id}` : 'a run'} is already training in this window. Stop it first (Neural ODE: Stop Training).`, 'Stop Training').then((a) => {
      if (a) void this.stop();
    });
    return true;
  }

  private async pickRun(): Promise<RunSummary | undefined> {
    const runs = workspaceRunsRoots().flatMap((root) => listRuns(root)).filter((r) => isResumable(r.status));
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('Neural ODE: there is no saved run to resume in this workspace. Train an experiment first (Neural ODE: Train Experiment).');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      runs.map((run) => ({ label: runLabel(run), description: runDescription(run, targetOf(run)), detail: run.id, run })),
      { title: 'Neural ODE: Resume Run', placeHolder: 'Run to continue from its latest checkpoint' },
    );
    return pick?.run;
  }

  /** Starts the run and follows it to its end in a cancellable notification. */
  private async run(params: TrainStartParams, name: string): Promise<void> {
    this.log.info(`${params.resume ? `resume ${params.resume}` : 'train'}: ${params.file} → ${params.runsRoot}${params.iterations ? ` (to iteration ${params.iterations})` : ''}`);
    let run: ActiveRun;
    try {
      run = await this.session.start(params, name);
    } catch (err) {
      // Stopped (Stop Training) before its experiment had loaded: nothing ran, nothing to fix.
      if ((err as { kind?: unknown }).kind === 'loadCancelled') {
        this.log.info(`${params.file}: ${errorMessage(err)}`);
        void vscode.window.showInformationMessage(`Neural ODE: training ${name} ${errorMessage(err)}.`);
        return;
      }
      this.log.error(`could not start ${params.file}: ${errorMessage(err)}`);
      // A load error also goes to the Problems panel, at its line.
      void this.problems?.startFailed(vscode.Uri.file(params.file), err);
      // A resume refused because the experiment changed can go on with the change, recorded in the run.
      const changed = params.resume !== undefined && !params.allowChanges && /was trained with another experiment/.test(errorMessage(err));
      // A load that took too long: its setting is one click away.
      const timedOut = (err as { kind?: unknown }).kind === 'loadTimeout';
      const action = await vscode.window.showErrorMessage(
        `Neural ODE: could not start training ${path.basename(params.file)}: ${errorMessage(err)}`,
        ...(changed ? [RESUME_ANYWAY] : []),
        ...(timedOut ? [OPEN_SETTING] : []),
        SHOW_LOG,
      );
      if (action === SHOW_LOG) this.log.show();
      if (action === OPEN_SETTING) await vscode.commands.executeCommand('workbench.action.openSettings', 'neuralOde.engine.loadTimeoutSeconds');
      if (action === RESUME_ANYWAY) await this.run({ ...params, allowChanges: true }, name);
      return;
    }
    // A resume from the previous checkpoint (the newest did not verify) is said, not only logged.
    for (const w of run.warnings ?? []) {
      this.log.warn(`run ${run.runId}: ${w}`);
      void vscode.window.showWarningMessage(`Neural ODE: ${w}`, SHOW_LOG).then((a) => a === SHOW_LOG && this.log.show());
    }
    const end = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => void this.stop());
        let reported = run.startIteration;
        let last = 0;
        const total = Math.max(1, run.iterations - run.startIteration);
        progress.report({
          message: params.resume ? `resuming run ${run.runId} at ${iterationText(run.startIteration, run.iterations)}` : `run ${run.runId}: first iteration…`,
        });
        const sub = this.session.onDidProgress((r, p) => {
          if (r.runId !== run.runId) return;
          const now = Date.now();
          if (now - last < REDRAW_MS && p.iteration < p.iterations) return;
          last = now;
          progress.report({ message: progressMessage(p), increment: ((p.iteration - reported) / total) * 100 });
          reported = p.iteration;
        });
        try {
          return await run.done;
        } finally {
          sub.dispose();
        }
      },
    );
    const seconds = (Date.now() - run.startedAt) / 1000;
    if (end.error) {
      this.log.error(`run ${end.runId}: ${end.error.message}`);
      await this.offer(vscode.window.showErrorMessage(`Neural ODE: ${name} failed: ${end.error.message}`, OPEN_CURVES, SHOW_LOG), end.runId);
      return;
    }
    const o = end.outcome;
    this.log.info(`run ${o.runId}: ${o.status} at iteration ${o.iteration} of ${run.iterations}, loss ${formatLoss(o.loss)}`);
    const message = outcomeMessage(name, o, { iterations: run.iterations, startIteration: run.startIteration, seconds });
    if (o.status === 'failed') {
      await this.offer(vscode.window.showErrorMessage(message, OPEN_CURVES, SHOW_LOG), o.runId);
    } else if (o.status === 'cancelled') {
      const action = await this.offer(vscode.window.showInformationMessage(message, RESUME, OPEN_CURVES), o.runId);
      if (action === RESUME) {
        const summary = listRuns(path.dirname(o.runDir)).find((r) => r.id === o.runId);
        if (summary) await this.resume(summary);
      }
    } else {
      // Not awaited: the command is done when the run is, not when the notification closes.
      void this.offer(vscode.window.showInformationMessage(message, OPEN_CURVES), o.runId);
    }
  }

  /** Does what the notification's Open Training Curves or Show Log button asks; the answer, for the rest. */
  private async offer(answer: Thenable<string | undefined>, runId: string): Promise<string | undefined> {
    const action = await answer;
    if (action === OPEN_CURVES) await vscode.commands.executeCommand('neuralOde.openTrainingCurves', runId);
    else if (action === SHOW_LOG) this.log.show();
    return action;
  }
}
