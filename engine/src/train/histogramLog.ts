/**
 * A run's histograms.jsonl: one HistogramSample per line, appended like metrics.jsonl (one write
 * per line on a file opened for appending, fsynced with each checkpoint), so a crash loses at
 * most the line being written and readers skip a cut last line. A resumed run drops the samples
 * after the checkpoint it continues from, so the stream stays one line per sampled iteration.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMetrics } from './metrics';
import type { Histogram, HistogramGroup, HistogramSample } from './histograms';

export const HISTOGRAMS_FILE = 'histograms.jsonl';

export class HistogramLog {
  readonly file: string;
  private fd: number | null;

  /** Opens (or creates) `dir`'s histograms.jsonl for appending. */
  constructor(dir: string) {
    this.file = path.join(dir, HISTOGRAMS_FILE);
    this.fd = fs.openSync(this.file, 'a');
  }

  append(sample: HistogramSample): void {
    if (this.fd === null) throw new Error(`${this.file} is closed`);
    fs.writeSync(this.fd, JSON.stringify(sample) + '\n');
  }

  sync(): void {
    if (this.fd !== null) fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Before a resume from the checkpoint at `iteration`: keeps the samples up to it and drops the
 * rest and a cut last line (the file is written whole to a temporary file and renamed). Nothing
 * to do for a run without histograms.
 */
export function rewindHistograms(dir: string, iteration: number): void {
  const file = path.join(dir, HISTOGRAMS_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  // Each line that parses (a last one without its newline too) and is not past the iteration.
  const kept = text.split('\n').filter((line) => {
    const rec = line.trim() === '' ? undefined : parseMetrics(line + '\n').records[0];
    return rec !== undefined && rec.iteration <= iteration;
  });
  const next = kept.map((l) => l + '\n').join('');
  if (next === text) return;
  // The name cleanTempFiles recognises, should a crash leave it behind.
  const tmp = path.join(path.dirname(file), `.${HISTOGRAMS_FILE}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, next);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0;

function asHistogram(x: unknown): Histogram | null {
  if (x === null || typeof x !== 'object') return null;
  const h = x as Record<string, unknown>;
  if (typeof h.min !== 'number' || typeof h.max !== 'number' || !Number.isFinite(h.min) || !Number.isFinite(h.max) || h.min > h.max) return null;
  if (!Array.isArray(h.counts) || h.counts.length === 0 || !h.counts.every(isCount)) return null;
  if (h.nonFinite !== undefined && !isCount(h.nonFinite)) return null;
  return { min: h.min, max: h.max, counts: h.counts as number[], ...(h.nonFinite ? { nonFinite: h.nonFinite as number } : {}) };
}

function asGroup(x: unknown): HistogramGroup | null {
  if (x === null || typeof x !== 'object') return null;
  const g = x as Record<string, unknown>;
  if (typeof g.name !== 'string' || !isCount(g.size)) return null;
  const weights = asHistogram(g.weights);
  const gradients = asHistogram(g.gradients);
  return weights && gradients ? { name: g.name, size: g.size as number, weights, gradients } : null;
}

/** A parsed line as a sample (only the fields a sample has), or null when it is not one. */
export function toHistogramSample(record: unknown): HistogramSample | null {
  if (record === null || typeof record !== 'object') return null;
  const r = record as Record<string, unknown>;
  if (!isCount(r.iteration) || !Array.isArray(r.groups)) return null;
  const groups = r.groups.map(asGroup);
  return groups.every((g) => g !== null) ? { iteration: r.iteration as number, groups: groups as HistogramGroup[] } : null;
}

/** Every complete sample of a run folder's histograms.jsonl (none when the run has none). */
export function readHistograms(dir: string): HistogramSample[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, HISTOGRAMS_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseMetrics(text).records.flatMap((r) => toHistogramSample(r) ?? []);
}
