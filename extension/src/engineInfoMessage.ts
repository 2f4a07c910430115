/**
 * The one-line summary of the engine that "Show Engine Info" puts in a notification, and the
 * full report for the log. Plain functions of the engine's answer, so they are unit-tested.
 */
import type { BackendPreference, EngineInfo } from '../../engine/src/protocol';

/** The head of a backend's detail (before any parenthesis, ';' or sentence end), for a notification. */
export function briefDetail(detail: string, max = 60): string {
  const head = detail.split(/ \(|;|\. /, 1)[0].trim().replace(/\.$/, '');
  return head.length > max ? `${head.slice(0, max - 1)}…` : head;
}

export function engineInfoSummary(info: EngineInfo, preference: BackendPreference): string {
  const others = info.backends
    .filter((b) => b.name !== info.backend)
    .map((b) => `${b.name}: ${b.available ? 'available' : briefDetail(b.detail) || 'unavailable'}`);
  let text = `Neural ODE Studio ${info.version} — engine backend: ${info.backend}`;
  if (others.length > 0) text += ` (${others.join('; ')})`;
  text += `; ${info.threads} thread${info.threads === 1 ? '' : 's'} for large batches`;
  if (preference !== 'auto' && preference !== info.backend) {
    text += `. The setting neuralOde.engine.backend asks for "${preference}", which is not available here; see the "Neural ODE" output.`;
  }
  return text;
}

export function engineInfoReport(info: EngineInfo, preference: BackendPreference): string[] {
  return [
    `engine ${info.version}, backend ${info.backend} (setting neuralOde.engine.backend: ${preference})`,
    ...info.backends.map((b) => `  ${b.name}: ${b.available ? 'available' : 'unavailable'} — ${b.detail}`),
    `threads for large batches: ${info.threads} (NEURAL_ODE_THREADS in the editor's environment; default every core)`,
  ];
}
