/**
 * Experiment errors in the Problems panel: a saved experiment file is loaded in the engine
 * worker (`experiment/check`); what fails shows at its line, and the problem is cleared once
 * the file loads. Loading runs the file's code, so only in trusted workspaces.
 */
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import { isExperimentFile } from './experimentFiles';
import { experimentProblem, type ExperimentProblem } from './experimentProblem';

const SOURCE = 'Neural ODE';
/**
 * Failures of the engine itself, not of the file: nothing to show at a line. A load that timed
 * out or was stopped has no line either, and checking the file again would only wait as long.
 */
const NOT_THE_FILE = new Set(['busy', 'disposed', 'workerCrashed', 'unknownMethod', 'loadTimeout', 'loadCancelled']);

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('neuralOde');
  /** For each experiment file, the files its last problem was shown in (an import may be at fault). */
  private readonly shownIn = new Map<string, vscode.Uri[]>();
  /** The latest check per file: an older answer arriving late is dropped. */
  private readonly generation = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly engine: EngineClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (isExperimentFile(doc.uri)) void this.check(doc.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (isExperimentFile(doc.uri)) this.clear(doc.uri.fsPath);
      }),
    ];
  }

  /** Loads the file in the engine and shows or clears its problem; never throws. */
  async check(file: vscode.Uri): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const key = file.fsPath;
    const generation = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, generation);
    try {
      const result = await this.engine.request('experiment/check', { file: key });
      if (this.generation.get(key) !== generation) return;
      if (result.ok) this.clear(key);
      else this.show(key, experimentProblem(key, result.message, result.location));
    } catch (err) {
      this.log.warn(`could not check ${key}: ${errorMessage(err)}`);
    }
  }

  /** After a run failed to start: the check says where, else the start error itself when it names a line. */
  async startFailed(file: vscode.Uri, err: unknown): Promise<void> {
    const kind = (err as { kind?: unknown }).kind;
    if (typeof kind === 'string' && NOT_THE_FILE.has(kind)) return;
    await this.check(file);
    if (this.shownIn.has(file.fsPath)) return;
    const problem = experimentProblem(file.fsPath, errorMessage(err));
    if (problem.line > 0 || problem.character > 0 || problem.file !== file.fsPath) this.show(file.fsPath, problem);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }

  private show(experiment: string, problem: ExperimentProblem): void {
    this.clear(experiment);
    const uri = vscode.Uri.file(problem.file);
    const at = new vscode.Position(problem.line, problem.character);
    const diagnostic = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), problem.message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = SOURCE;
    this.collection.set(uri, [...(this.collection.get(uri) ?? []), diagnostic]);
    this.shownIn.set(experiment, [uri]);
    this.log.info(`problem in ${problem.file}:${problem.line + 1}:${problem.character + 1}: ${problem.message}`);
  }

  private clear(experiment: string): void {
    for (const uri of this.shownIn.get(experiment) ?? []) this.collection.delete(uri);
    this.shownIn.delete(experiment);
  }
}
