// The slowdown doctor: NFE growth found once past 3× (and never on a run whose NFE does not grow),
// and a constructed run that learns a stiff decay is told where its steps shrink and what to change.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { defineExperiment, trainExperiment, type ExperimentSpec } from '../../engine/src/index';
import { loadExperiment } from '../../engine/src/experiments/load';
import type { NativeField } from '../../engine/src/fields/field';
import { NfeWatch } from '../../engine/src/train/nfeWatch';
import { SLOWDOWN_FILE } from '../../engine/src/train/runStore';

describe('NfeWatch', () => {
  it('fires once when the median of the last five iterations reaches 3× the first five', () => {
    const watch = new NfeWatch();
    const nfe = [20, 22, 20, 21, 20, 30, 40, 50, 60, 62, 64, 66, 70, 80, 90];
    const fired = nfe.map((n, i) => watch.push(i + 1, n)).map((g, i) => (g ? { i: i + 1, g } : null)).filter((x) => x !== null);
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.i, 11);
    assert.equal(fired[0]!.g.firstNfe, 20);
    assert.equal(fired[0]!.g.nowNfe, 60);
  });

  it('stays silent on a run whose NFE wanders but does not grow, and on one too short to tell', () => {
    const steady = new NfeWatch();
    for (let i = 1; i <= 500; i++) assert.equal(steady.push(i, 20 + 10 * Math.sin(i)), null);
    const short = new NfeWatch();
    for (const [i, n] of [20, 20, 20, 20, 20, 200, 200, 200].entries()) assert.equal(short.push(i + 1, n), null);
  });
});

/** A run whose learned relaxation rate only grows (test/fixtures/experiments/stiffening.ode.ts). */
const STIFFENING = path.resolve(import.meta.dirname, '..', 'fixtures', 'experiments', 'stiffening.ode.ts');

describe('the slowdown doctor in a run', () => {
  const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-slowdown-'));
  const spec = async (optimizer: ExperimentSpec['train']['optimizer']): Promise<ExperimentSpec> => {
    const exp = await loadExperiment(STIFFENING);
    return { ...exp, train: { ...exp.train, optimizer } };
  };

  it('finds the growth, says where the steps shrink, measures looser tolerances and offers the regularisers', async () => {
    const out = await trainExperiment(defineExperiment(await spec({ name: 'adam', lr: 0.3 })), { runsRoot: tmp() });
    assert.equal(out.status, 'finished', out.message);
    const report = out.slowdown;
    assert.ok(report, 'a slowdown was found');
    assert.ok(report.ratio >= 3, `ratio ${report.ratio}`);
    assert.match(report.text, /^The run is slowing down: .* function evaluations per iteration at iteration \d+, [\d.]+× the .* of its first iterations\./);
    // the fast relaxation is at the start of the solve: that is where the steps are smallest
    assert.ok(report.shrink && report.shrink.t0 >= 0 && report.shrink.t1 < 1 && report.shrink.hMin < report.shrink.hMedian, JSON.stringify(report.shrink));
    assert.equal(report.stiff, true);
    assert.ok(report.measured.length >= 2, JSON.stringify(report.measured));
    assert.deepEqual(report.suggestions[0].edits, [{ path: ['train', 'regularize'], value: '{ kinetic: 0.01, jacobian: 0.01 }' }]);
    // written into the run, and said in its log
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out.runDir, SLOWDOWN_FILE), 'utf8')).text, report.text);
    assert.match(fs.readFileSync(path.join(out.runDir, 'run.log'), 'utf8'), /The run is slowing down/);
  });

  it('says so when the forward solve is found stiff, from the first iteration', async () => {
    const exp = await spec({ name: 'sgd', lr: 1e-9 });
    // the same model started at a relaxation rate of 3000: stiff for dopri5 at once
    const stiffModel = (): NativeField => {
      const f = (exp.model as () => NativeField)();
      f.params[0] = Math.log(3000);
      return f;
    };
    const out = await trainExperiment(defineExperiment({ ...exp, model: stiffModel, train: { ...exp.train, iterations: 2 } }), { runsRoot: tmp() });
    assert.equal(out.status, 'finished', out.message);
    assert.equal(out.slowdown?.cause, 'stiff');
    assert.match(out.slowdown!.text, /^The solver found the learned field stiff at iteration 1 \(.*\): an explicit method's steps are held small there\./);
  });

  it('a run stopped by a step underflow says where, and what else to try', async () => {
    const exp = await spec({ name: 'adam', lr: 1e-3 });
    // dy/dt = e^θ·y² from y = 1 blows up at t = e^−θ: the solver's steps underflow there
    const blowUp = (): NativeField => {
      const params = Float64Array.from([0]);
      const k = (): number => Math.exp(params[0]);
      return {
        kind: 'native',
        dim: 1,
        params,
        f: (_t, y) => y.map((v) => k() * v * v),
        vjp: (_t, y, a) => ({ y: a.map((v, i) => 2 * k() * y[i] * v), params: Float64Array.from([a.reduce((s, v, i) => s + v * k() * y[i] * y[i], 0)]) }),
      };
    };
    const t = Float64Array.from({ length: 40 }, (_, i) => (10 * i) / 39);
    const ones = { name: 'ones', dim: 1, t, ys: Array.from(t, () => Float64Array.from([1])), y0: Float64Array.from([1]) };
    const out = await trainExperiment(defineExperiment({ ...exp, data: () => ones, model: blowUp, train: { ...exp.train, iterations: 2, batchTime: 20 } }), { runsRoot: tmp() });
    assert.equal(out.status, 'failed');
    assert.match(out.message ?? '', /Step size underflow at t = 1.* Also try: regularise the dynamics/);
    assert.equal(out.slowdown?.cause, 'underflow');
    assert.ok(fs.existsSync(path.join(out.runDir, SLOWDOWN_FILE)));
  });

  it('says nothing on a run whose NFE does not grow', async () => {
    // a learning rate too small to move e^θ: the steps stay as they are
    const out = await trainExperiment(defineExperiment(await spec({ name: 'sgd', lr: 1e-6 })), { runsRoot: tmp() });
    assert.equal(out.status, 'finished', out.message);
    assert.equal(out.slowdown, undefined);
    assert.equal(fs.existsSync(path.join(out.runDir, SLOWDOWN_FILE)), false);
  });
});

describe('the slowdown doctor on the command line', () => {
  it('neural-ode train says the finding once, with each suggestion as the spec edit it makes', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-slowdown-cli-'));
        const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '..', '..', 'engine', 'src', 'cli', 'main.ts'), 'train', STIFFENING, '--out', root], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('neural-ode: warning: The run is slowing down'));
    assert.equal(said.length, 1, r.stderr);
    assert.match(r.stderr, /\n {2}- Regularise the dynamics \(kinetic and Jacobian, λ = 0\.01\): train\.regularize: \{ kinetic: 0\.01, jacobian: 0\.01 \} \(RNODE/);
  });
});
