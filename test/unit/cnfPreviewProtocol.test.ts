// A CNF's density in the vector-field panel's message: an engine preview converted as the host
// sends it passes validation; frames, mesh and samples that disagree in size are refused with
// the path of what is wrong; the panel's colour scales and frame times are read off the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cnfField } from '../../engine/src/cnf/cnfField';
import { eightGaussians } from '../../engine/src/data/toys2d';
import { CNF_FRAMES, CNF_SAMPLES, previewCnf } from '../../engine/src/experiments/cnfPreview';
import { validateHostMessage, type FieldDensity, type FieldPreview } from '../../webview/src/protocol';
import { densityColor, densityMax, timeAt } from '../../webview/src/vectorField/densityScale';

async function message(): Promise<{ type: 'vectorField/preview'; payload: FieldPreview }> {
  const p = await previewCnf({ location: undefined }, eightGaussians({ n: 200, seed: 3 }), cnfField({ dim: 2, hidden: [8], time: 0.5, seed: 4 }), { grid: 5 });
  const rows = (a: Float64Array[]) => a.map((r) => Array.from(r));
  const density: FieldDensity = {
    t: Array.from(p.t),
    m: p.m,
    mesh: p.mesh && { x: rows(p.mesh.x), y: rows(p.mesh.y), logp: rows(p.mesh.logp) },
    samples: p.samples && { x: rows(p.samples.x), y: rows(p.samples.y) },
    nll: p.nll,
    nllPoints: p.nllPoints,
    nfe: p.nfe,
    error: p.error,
  };
  return {
    type: 'vectorField/preview',
    payload: {
      source: { file: '/w/cnf.ode.ts', runId: null },
      experiment: 'cnf',
      iteration: null,
      dim: 2,
      slice: null,
      bounds: p.bounds,
      n: p.field.n,
      u: Array.from(p.field.u),
      v: Array.from(p.field.v),
      data: { x: Array.from(p.data.x), y: Array.from(p.data.y) },
      predicted: null,
      predictedError: null,
      density,
    },
  };
}

const withDensity = (m: { type: 'vectorField/preview'; payload: FieldPreview }, d: Partial<FieldDensity>) => ({
  ...m,
  payload: { ...m.payload, density: { ...m.payload.density!, ...d } },
});

describe("the vector-field panel's density message", () => {
  it('accepts an engine preview as the host sends it, and refuses parts that disagree in size', async () => {
    const m = await message();
    const ok = validateHostMessage(m);
    assert.equal(ok.ok, true, ok.ok ? '' : ok.error);
    const d = m.payload.density!;
    assert.equal(d.t.length, CNF_FRAMES);
    assert.equal(d.samples!.x[0].length, CNF_SAMPLES);

    const cases: [Partial<FieldDensity>, RegExp][] = [
      [{ t: d.t.slice(0, 1) }, /density\.t: needs at least two times/],
      [{ m: 1 }, /density\.m: expected 2 to 200/],
      [{ mesh: { ...d.mesh!, logp: [d.mesh!.logp[0].slice(1), ...d.mesh!.logp.slice(1)] } }, /density\.mesh: one row of m² = 100 values per time/],
      [{ mesh: { ...d.mesh!, x: d.mesh!.x.slice(1) } }, /density\.mesh: one row/],
      [{ samples: { ...d.samples!, y: [d.samples!.y[0].slice(3), ...d.samples!.y.slice(1)] } }, /density\.samples: one row per time .* as long as the first/],
      [{ nll: 'low' as unknown as number }, /density\.nll: expected a number, got "low"/],
      [{ nfe: 2.5 }, /density\.nfe: expected an integer/],
    ];
    for (const [change, error] of cases) {
      const r = validateHostMessage(withDensity(m, change));
      assert.equal(r.ok, false, `accepted ${JSON.stringify(Object.keys(change))}`);
      assert.match(r.ok ? '' : r.error, error);
    }
    const extra = validateHostMessage(withDensity(m, { pixels: [] } as unknown as Partial<FieldDensity>));
    assert.match(extra.ok ? '' : extra.error, /density\.pixels: not a field of this message/);
    // A skipped density (over the budget) is a valid message that says why.
    const skipped = validateHostMessage(withDensity(m, { mesh: null, samples: null, nll: null, error: 'skipped the density: …' }));
    assert.equal(skipped.ok, true);
  });

  it("gives the panel each frame's colour scale and t between frames", async () => {
    const d = (await message()).payload.density!;
    const peaks = d.mesh!.logp.map((row) => Math.max(...row.map(Math.exp)));
    peaks.forEach((p, f) => assert.equal(densityMax(d, f), p));
    assert.ok(new Set(peaks).size > 1, 'frames differ in their peak: each is scaled to its own');
    assert.equal(densityColor(0), 'rgb(68, 1, 84)');
    assert.equal(densityColor(1), 'rgb(253, 231, 37)');
    assert.equal(densityColor(Number.NaN), densityColor(0));
    assert.equal(timeAt(d, 0), 0.5);
    assert.equal(timeAt(d, CNF_FRAMES - 1), 0);
    assert.ok(Math.abs(timeAt(d, 2.5) - (d.t[2] + d.t[3]) / 2) < 1e-15);
  });
});
