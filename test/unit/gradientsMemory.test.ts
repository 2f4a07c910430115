// The adjoint's memory does not grow with the number of steps; backprop's tape does. Measured in
// a fresh process with single-threaded GC, so a full collection leaves exact live ArrayBuffer bytes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const child = path.join(__dirname, 'gradientsMemoryChild.ts');

function peaks(gradient: string, steps: number[]): Record<string, number> {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--single-threaded-gc', '--import', 'tsx', child, gradient, ...steps.map(String)],
    { encoding: 'utf8', cwd: path.join(__dirname, '..', '..') },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, number>;
}

describe('odeintGrad memory', () => {
  it("adjoint's peak stays flat as the steps grow 10×, backprop's grows with them", () => {
    const adj = peaks('adjoint', [10, 100]);
    const bp = peaks('backprop', [10, 100]);
    // Each state is 16 kB (a batch of 1000 2-D points): a flat peak is a few dozen of them.
    assert.ok(adj['10'] > 0 && adj['100'] > 0);
    assert.ok(Math.abs(adj['100'] - adj['10']) <= 0.1 * adj['10'], `adjoint peak ${adj['10']} → ${adj['100']} bytes`);
    // backprop keeps the 4 stage inputs of every rk4 step: 90 more steps hold ≥ 360 more states.
    assert.ok(bp['100'] - bp['10'] >= 0.9 * 90 * 4 * 16000, `backprop peak ${bp['10']} → ${bp['100']} bytes`);
    assert.ok(bp['100'] > 5 * adj['100']);
  });
});
