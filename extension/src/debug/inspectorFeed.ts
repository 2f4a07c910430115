/**
 * The solver inspector follows the debugger: every `neural-ode` session's solve and steps (its
 * custom events) are kept, and the open inspector panel shows the session that last reported,
 * step by step as it runs. Opening the panel during a session shows that session's steps so far.
 */
import * as vscode from 'vscode';
import { InspectorPanel } from '../panels/inspectorPanel';
import { debugSolveToInspector, debugStepToInspector } from '../panels/inspectorMessages';
import type { InspectorSolve, InspectorStep } from '../../../webview/src/inspector/protocol';
import { SOLVE_EVENT, STEP_EVENT, type SolveEventBody, type StepEventBody } from './events';

/** A long solve is cut here: the inspector draws every point it has. */
const MAX_STEPS = 50_000;
/** Steps reach the panel in batches, at most this often. */
const FLUSH_MS = 100;

interface FollowedSession {
  solve: InspectorSolve;
  steps: InspectorStep[];
  /** Steps not yet sent to the panel. */
  pending: InspectorStep[];
}

export function followDebugSessions(debugType: string): vscode.Disposable {
  const sessions = new Map<string, FollowedSession>();
  /** The session and panel last fed, so a new panel (or a new session) is replayed from its start. */
  let shown: { sessionId: string; panel?: InspectorPanel } | undefined;
  let timer: NodeJS.Timeout | undefined;

  const replay = (sessionId: string, panel: InspectorPanel): void => {
    const s = sessions.get(sessionId);
    if (!s) return;
    s.pending = [];
    panel.showDebugSolve(s.solve, s.steps);
    shown = { sessionId, panel };
  };
  const flush = (): void => {
    timer = undefined;
    const panel = InspectorPanel.active;
    if (!panel || !shown) return;
    const s = sessions.get(shown.sessionId);
    if (!s || s.pending.length === 0) return;
    if (shown.panel !== panel) return replay(shown.sessionId, panel);
    panel.appendSteps(s.pending);
    s.pending = [];
  };

  return vscode.Disposable.from(
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== debugType) return;
      if (e.event === SOLVE_EVENT) {
        sessions.set(e.session.id, { solve: debugSolveToInspector(e.body as SolveEventBody), steps: [], pending: [] });
        const panel = InspectorPanel.active;
        if (panel) replay(e.session.id, panel);
        else shown = { sessionId: e.session.id };
        return;
      }
      if (e.event !== STEP_EVENT) return;
      const s = sessions.get(e.session.id);
      if (!s || s.steps.length >= MAX_STEPS) return;
      const step = debugStepToInspector(e.body as StepEventBody);
      s.steps.push(step);
      if (shown?.sessionId !== e.session.id) return;
      s.pending.push(step);
      timer ??= setTimeout(flush, FLUSH_MS);
    }),
    InspectorPanel.onDidOpen((panel) => {
      const session = vscode.debug.activeDebugSession;
      if (session && sessions.has(session.id)) replay(session.id, panel);
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      // What the panel shows stays (with the last steps); the record of the session goes.
      if (shown?.sessionId === session.id) flush();
      sessions.delete(session.id);
      if (shown?.sessionId === session.id) shown = undefined;
    }),
    { dispose: () => timer && clearTimeout(timer) },
  );
}
