/** What resuming a run needs from its config.json, read defensively (the file may be old or hand-edited). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainDefaults } from '../../engine/src/protocol';
import { CONFIG_FILE } from '../../engine/src/train/runStore';

export interface RunConfigInfo {
  experiment: string;
  /** The experiment file the run was started from, if recorded. */
  file?: string;
  /** The iteration the run was started to reach. */
  iterations?: number;
  /** The solver and gradient it trained with: a resumed run keeps them whatever the settings say now. */
  defaults: TrainDefaults;
}

export function parseRunConfig(json: unknown): RunConfigInfo {
  const top = (json ?? {}) as { experiment?: unknown; config?: Record<string, unknown> };
  const c = (top.config ?? {}) as { file?: unknown; solver?: unknown; gradient?: unknown; train?: { iterations?: unknown } };
  const solver = typeof c.solver === 'object' && c.solver !== null ? (c.solver as TrainDefaults['solver']) : undefined;
  const g = typeof c.gradient === 'string' ? c.gradient : (c.gradient as { method?: unknown } | undefined)?.method;
  const gradient = g === 'backprop' || g === 'adjoint' || g === 'checkpoint' ? g : undefined;
  const it = c.train?.iterations;
  return {
    experiment: typeof top.experiment === 'string' ? top.experiment : 'experiment',
    file: typeof c.file === 'string' && c.file !== '' ? c.file : undefined,
    iterations: typeof it === 'number' && Number.isInteger(it) && it > 0 ? it : undefined,
    defaults: { solver, gradient },
  };
}

export function readRunConfig(runDir: string): RunConfigInfo {
  return parseRunConfig(JSON.parse(fs.readFileSync(path.join(runDir, CONFIG_FILE), 'utf8')));
}
