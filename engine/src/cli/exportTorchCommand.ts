import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadExperiment } from '../experiments/load';
import { exportTorch } from '../export/exportTorch';
import { SolverError } from '../solvers/errors';
import { defaultRunsRoot } from '../train/runStore';

/**
 * `neural-ode export-torch <experiment> [--out DIR] [--run ID] [--runs DIR]`: the experiment as a
 * PyTorch + torchdiffeq folder (docs/pytorch.md). Runs in this process: the experiment file is
 * loaded as `train` loads it.
 */
export async function exportTorchCommand(rest: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { out: { type: 'string' }, run: { type: 'string' }, runs: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new SolverError('input', 'export-torch takes exactly one experiment file: neural-ode export-torch spiral.ode.ts --out spiral-torch');
  const exp = await loadExperiment(positionals[0]);
  const out = values.out ?? `${exp.name}-torch`;
  const r = await exportTorch(exp, { out, run: values.run, runsRoot: path.resolve(values.runs ?? defaultRunsRoot(process.cwd())) });
  const from = r.iteration !== undefined ? `run ${values.run} (iteration ${r.iteration})` : 'the initial weights';
  process.stderr.write(`wrote ${r.dir}: ${r.plan.description}, ${from}\n  ${r.files.filter((f) => !f.includes(path.sep)).join(', ')} and neural_ode_studio/\n`);
  const rel = path.relative(process.cwd(), r.dir);
  const where = rel === '' ? '.' : rel.startsWith('..') ? r.dir : rel;
  process.stderr.write(`train it: python ${path.join(where, 'train.py')} --runs .neural-ode/runs   (${path.join(where, 'README.md')} says what to install)\n`);
  return 0;
}
