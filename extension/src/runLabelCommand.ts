/**
 * "Name, Tag or Note…" on a run in the Runs view: the run's own name, its tags and a note, asked
 * one after the other (Escape leaves the run as it was) and written to its config.json, where the
 * Runs view and the Training curves panel read them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE, labelRun, type RunSummary } from '../../engine/src/train/runStore';
import { parseRunMeta } from './panels/curvesRunInfo';
import { parseTags } from './runsFormat';

export async function labelRunCommand(run: RunSummary, log: vscode.LogOutputChannel): Promise<boolean> {
  const meta = parseRunMeta(JSON.parse(fs.readFileSync(path.join(run.dir, CONFIG_FILE), 'utf8')));
  const title = `Run ${run.id}`;
  const runName = await vscode.window.showInputBox({ title, prompt: `A name for this run of ${run.experiment} (empty: none)`, value: meta.name ?? '' });
  if (runName === undefined) return false;
  const tags = await vscode.window.showInputBox({ title, prompt: 'Tags, separated by commas (empty: none)', value: meta.tags.join(', ') });
  if (tags === undefined) return false;
  const note = await vscode.window.showInputBox({ title, prompt: 'A note: what this run tries (empty: none)', value: meta.note ?? '' });
  if (note === undefined) return false;
  try {
    labelRun(run.dir, { runName, tags: parseTags(tags), note });
    log.info(`labelled run ${run.id}: name ${JSON.stringify(runName)}, tags ${JSON.stringify(parseTags(tags))}`);
    return true;
  } catch (err) {
    void vscode.window.showErrorMessage(`Neural ODE: could not label run ${run.id}: ${(err as Error).message}`);
    return false;
  }
}
