/**
 * The slowdown doctor in the editor: when a run is found slowing down (engine
 * experiments/slowdownDoctor.ts), a warning notification says why, a warning in the Problems
 * panel marks the experiment's defineExperiment call, and each suggestion is a quick fix there
 * (and a button on the notification) that edits the experiment file's spec (specEdit.ts).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SlowdownReport, SlowdownSuggestion } from '../../engine/src/experiments/slowdownDoctor';
import { EXPERIMENT_FILE } from './experimentFiles';
import { specEdits, specObject } from './specEdit';
import type { TrainingSession } from './trainingSession';

const SOURCE = 'Neural ODE slowdown';
const SHOW_FIXES = 'Show Fixes';

/** The edits of one suggestion in `doc`, as a WorkspaceEdit (null when the spec cannot take them). */
function workspaceEdit(doc: vscode.TextDocument, s: SlowdownSuggestion, log: vscode.LogOutputChannel): vscode.WorkspaceEdit | null {
  try {
    const edit = new vscode.WorkspaceEdit();
    for (const e of specEdits(doc.getText(), s.edits)) {
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.text);
    }
    return edit;
  } catch (err) {
    log.warn(`${SOURCE}: "${s.title}" cannot be applied to ${doc.uri.fsPath}: ${(err as Error).message}`);
    return null;
  }
}

export function registerSlowdownFixes(session: TrainingSession, log: vscode.LogOutputChannel): vscode.Disposable {
  const problems = vscode.languages.createDiagnosticCollection('neural-ode-slowdown');
  /** The suggestions of the last slowdown found per experiment file. */
  const reports = new Map<string, SlowdownReport>();
  /** Runs whose finding was said, and runs whose end is awaited. */
  const said = new Set<string>();
  const watched = new Set<string>();

  const apply = async (file: string, s: SlowdownSuggestion): Promise<void> => {
    const doc = await vscode.workspace.openTextDocument(file);
    const edit = workspaceEdit(doc, s, log);
    if (!edit) {
      void vscode.window.showErrorMessage(`Neural ODE: could not apply "${s.title}" to ${path.basename(file)}; see the "Neural ODE" output.`);
      return;
    }
    await vscode.workspace.applyEdit(edit);
    // where the file is open already, else beside
    const open = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: open?.viewColumn ?? vscode.ViewColumn.Active });
    const first = edit.entries()[0]?.[1][0];
    if (first) editor.revealRange(first.range, vscode.TextEditorRevealType.InCenter);
  };

  const onSlowdown = (file: string, experiment: string, report: SlowdownReport): void => {
    reports.set(file, report);
    log.warn(`${experiment}: ${report.text}`);
    void vscode.workspace.openTextDocument(file).then((doc) => {
      let at = new vscode.Position(0, 0);
      try {
        at = doc.positionAt(specObject(doc.getText()));
      } catch {
        // no literal spec: the warning stays at the top of the file
      }
      const d = new vscode.Diagnostic(new vscode.Range(at.line, 0, at.line, doc.lineAt(at.line).text.length), report.text, vscode.DiagnosticSeverity.Warning);
      d.source = SOURCE;
      problems.set(doc.uri, [d]);
    });
    const buttons = report.suggestions.slice(0, 2).map((s) => s.title);
    void vscode.window.showWarningMessage(`Neural ODE: ${experiment}: ${report.text}`, ...buttons, SHOW_FIXES).then(async (choice) => {
      const picked = report.suggestions.find((s) => s.title === choice);
      if (picked) await apply(file, picked);
      else if (choice === SHOW_FIXES) {
        const doc = await vscode.workspace.openTextDocument(file);
        const editor = await vscode.window.showTextDocument(doc);
        const d = problems.get(doc.uri)?.[0];
        if (d) editor.selection = new vscode.Selection(d.range.start, d.range.start);
        await vscode.commands.executeCommand('editor.action.quickFix');
      }
    });
  };

  const actions: vscode.CodeActionProvider = {
    provideCodeActions(doc, _range, context) {
      const report = reports.get(doc.uri.fsPath);
      const d = context.diagnostics.find((x) => x.source === SOURCE);
      if (!report || !d) return [];
      return report.suggestions.flatMap((s, i) => {
        const edit = workspaceEdit(doc, s, log);
        if (!edit) return [];
        const action = new vscode.CodeAction(`${s.title} (${s.why})`, vscode.CodeActionKind.QuickFix);
        action.edit = edit;
        action.diagnostics = [d];
        action.isPreferred = i === 0;
        return [action];
      });
    },
  };

  return vscode.Disposable.from(
    problems,
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', pattern: '**/*.ode.{ts,mts,js,mjs,cjs}' }, actions, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    // an edit of the file makes the finding stale: the next run says again if it still holds
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (EXPERIMENT_FILE.test(doc.uri.fsPath) && reports.delete(doc.uri.fsPath)) problems.delete(doc.uri);
    }),
    session.onDidProgress((run, progress) => {
      if (progress.slowdown && !said.has(run.runId)) {
        said.add(run.runId);
        onSlowdown(run.file, run.experiment, progress.slowdown);
      }
    }),
    // a step underflow ends the run: its finding comes with the outcome, not with progress
    session.onDidChange((run) => {
      if (!run || watched.has(run.runId)) return;
      watched.add(run.runId);
      void run.done.then((end) => {
        const report = end.outcome?.slowdown;
        if (report && !said.has(run.runId)) {
          said.add(run.runId);
          onSlowdown(run.file, run.experiment, report);
        }
      });
    }),
  );
}
