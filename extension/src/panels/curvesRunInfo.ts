/**
 * A run as the curves panel lists it: its summary from the run store, its own name, tags and
 * note, and what it was trained with, read from config.json. The file may be old, hand-edited
 * or from a newer version, so every field is read defensively and a missing one is null.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE, SLOWDOWN_FILE, type RunSummary } from '../../../engine/src/train';
import type { CurveRunHparams, CurveRunInfo, CurveRunStats } from '../../../webview/src/protocol';

export interface RunMeta {
  name: string | null;
  tags: string[];
  note: string | null;
  hparams: CurveRunHparams;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown, max = 500): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : null);
const number = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The optimisers' default learning rates (engine/src/train/optimizers.ts), for a config that leaves lr out. */
const DEFAULT_LR: Record<string, number> = { adam: 1e-3, rmsprop: 1e-2 };

function tagList(v: unknown): string[] {
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  return list.flatMap((t) => (text(t, 100) === null ? [] : [text(t, 100) as string])).slice(0, 100);
}

/** What the panel shows of a config.json ({ id, experiment, createdAt, engineVersion, config }). */
export function parseRunMeta(json: unknown): RunMeta {
  const top = obj(json);
  const c = obj(top.config);
  // The run's own name (train --name), beside config.name, the experiment's.
  const name = text(c.runName);
  const solver = obj(c.solver);
  const gradient = typeof c.gradient === 'string' ? c.gradient : text(obj(c.gradient).method, 100);
  const train = obj(c.train);
  const optimizer = obj(train.optimizer);
  const optimizerName = text(optimizer.name, 100);
  const iterations = number(train.iterations);
  return {
    name,
    tags: tagList(c.tags),
    note: text(c.note, 10_000),
    hparams: {
      task: text(c.task, 100),
      solver: text(solver.method, 100),
      rtol: number(solver.rtol),
      atol: number(solver.atol),
      gradient: text(gradient, 100),
      optimizer: optimizerName,
      lr: number(optimizer.lr) ?? (optimizerName !== null ? (DEFAULT_LR[optimizerName] ?? null) : null),
      iterations: iterations !== null && Number.isInteger(iterations) ? iterations : null,
    },
  };
}

const NO_META: RunMeta = parseRunMeta({});

/**
 * Reads config.json files, each again only when it changed (a resume may rewrite it); a file
 * that cannot be read gives a run without name or settings rather than no run.
 */
export class RunMetaCache {
  private readonly cache = new Map<string, { mtimeMs: number; meta: RunMeta }>();

  read(dir: string): RunMeta {
    const file = path.join(dir, CONFIG_FILE);
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(file).mtimeMs;
    } catch {
      return NO_META;
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.meta;
    let meta = NO_META;
    try {
      meta = parseRunMeta(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch {
      // Half-written or hand-broken: no settings until it reads again.
    }
    this.cache.set(file, { mtimeMs, meta });
    return meta;
  }

  /** Forgets runs no longer listed. */
  keep(dirs: ReadonlySet<string>): void {
    for (const file of this.cache.keys()) if (!dirs.has(path.dirname(file))) this.cache.delete(file);
  }
}

/** The run as the webview gets it. */
/** The slowdown doctor's finding for a run (its slowdown.json's text), or null. */
export function runSlowdown(dir: string): string | null {
  try {
    const text = (JSON.parse(fs.readFileSync(path.join(dir, SLOWDOWN_FILE), 'utf8')) as { text?: unknown }).text;
    return typeof text === 'string' ? text : null;
  } catch {
    return null; // none found (or half-written: read again next time)
  }
}

export function curveRunInfo(summary: RunSummary, meta: RunMeta, stats: CurveRunStats, slowdown: string | null = null): CurveRunInfo {
  // The webview refuses a malformed list whole: a hand-edited config.json must not cost every run.
  const clip = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
  return {
    id: summary.id,
    experiment: clip(summary.experiment, 500),
    name: meta.name,
    tags: meta.tags,
    note: meta.note,
    status: summary.status,
    createdAt: clip(summary.createdAt, 100),
    lastIteration: summary.lastIteration,
    lastLoss: summary.lastLoss,
    message: summary.message === undefined ? null : clip(summary.message, 10_000),
    slowdown: slowdown === null ? null : clip(slowdown, 10_000),
    hparams: meta.hparams,
    stats,
  };
}
