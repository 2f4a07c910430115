import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportWeights, importWeights, layersModelField, mapInput, mlpField, SolverError, tf } from '../../engine/src/index';
import { tensorNativeField } from '../../engine/src/fields/tensorNative';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

// Reads a safetensors file with the standard library and loads it into nn.Sequential(strict=True).
const LOAD_IN_TORCH = `
import json, struct, sys, torch
path, sizes, act, x = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
raw = open(path, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
kinds = {'F32': torch.float32, 'F64': torch.float64}
state = {k: torch.frombuffer(bytearray(data[v['data_offsets'][0]:v['data_offsets'][1]]), dtype=kinds[v['dtype']]).reshape(v['shape'])
         for k, v in header.items() if k != '__metadata__'}
layers = []
for i in range(len(sizes) - 1):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    if i < len(sizes) - 2: layers.append({'tanh': torch.nn.Tanh(), 'softplus': torch.nn.Softplus(beta=1, threshold=1e9)}[act])
model = torch.nn.Sequential(*layers).double()
model.load_state_dict({k: v.double() for k, v in state.items()}, strict=True)
with torch.no_grad():
    print(json.dumps(model(torch.tensor(x, dtype=torch.float64)).flatten().tolist()))
`;

describe('weights in safetensors', () => {
  it('round-trip into another model of the same shape (F64 exactly, F32 to float32 rounding)', () => {
    const a = mlpField({ sizes: [2, 16, 16, 2], seed: 1 });
    const b = mlpField({ sizes: [2, 16, 16, 2], seed: 2 });
    importWeights(b, exportWeights(a, { dtype: 'F64' }));
    assert.deepEqual(b.params, a.params);
    const c = mlpField({ sizes: [2, 16, 16, 2], seed: 3 });
    importWeights(c, exportWeights(a));
    assert.deepEqual(c.params, a.params.map(Math.fround));
  });

  it('a mapped field exports its base network under the base names', () => {
    const field = mapInput(mlpField({ sizes: [2, 8, 2] }), (x) => x ** 3, (x) => 3 * x * x);
    const other = mlpField({ sizes: [2, 8, 2], seed: 9 });
    importWeights(other, exportWeights(field, { dtype: 'F64' }));
    assert.deepEqual(other.params, field.params);
  });

  it('refuses weights of another architecture, naming what differs', () => {
    const bytes = exportWeights(mlpField({ sizes: [2, 16, 2] }));
    const check = (target: ReturnType<typeof mlpField>, pattern: RegExp) =>
      assert.throws(() => importWeights(target, bytes), (e: unknown) => e instanceof SolverError && pattern.test(e.message));
    check(mlpField({ sizes: [2, 8, 2] }), /Weight '0\.weight' has shape \[16,2\] in the file but \[8,2\] in the model/);
    check(mlpField({ sizes: [2, 16, 16, 2] }), /missing 4\.weight, 4\.bias/);
  });

  it('loads into the equivalent PyTorch nn.Sequential and computes the same function', (t) => {
    if (!hasTorch) {
      t.skip('python3-torch is not installed (apt-get install python3-torch)');
      return;
    }
    for (const [sizes, activation] of [[[2, 16, 2], 'tanh'], [[3, 8, 8, 3], 'softplus']] as const) {
      const field = mlpField({ sizes: [...sizes], activation, seed: 4 });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-weights-'));
      const file = path.join(dir, 'model.safetensors');
      fs.writeFileSync(file, exportWeights(field, { dtype: 'F64' }));
      const d = sizes[0];
      const x = Array.from({ length: 3 }, (_, b) => Array.from({ length: d }, (_, i) => Math.sin(1 + b * d + i)));
      const r = spawnSync('/usr/bin/python3', ['-c', LOAD_IN_TORCH, file, JSON.stringify(sizes), activation, JSON.stringify(x)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const torchOut: number[] = JSON.parse(r.stdout);
      const ours = field.f(0, Float64Array.from(x.flat()));
      torchOut.forEach((v, i) => assert.ok(Math.abs(v - ours[i]) <= 1e-12 * Math.max(1, Math.abs(v)), `${i}: torch ${v}, ours ${ours[i]}`));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a tf.sequential's export (t as its last input) loads into nn.Sequential(Linear(3, 8), Tanh(), Linear(8, 2)) and computes the same f", (t) => {
    if (!hasTorch) {
      t.skip('python3-torch is not installed (apt-get install python3-torch)');
      return;
    }
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [3], activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }), biasInitializer: 'randomNormal' }),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 6 }) }),
      ],
    });
    const field = tensorNativeField(layersModelField(model), 2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-weights-'));
    const file = path.join(dir, 'sequential.safetensors');
    fs.writeFileSync(file, exportWeights(field, { dtype: 'F64' }));
    const time = 0.7;
    const y = [[0.3, -0.5], [1.2, 0.4], [-0.8, 0.9]];
    const r = spawnSync('/usr/bin/python3', ['-c', LOAD_IN_TORCH, file, '[3, 8, 2]', 'tanh', JSON.stringify(y.map((row) => [...row, time]))], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const torchOut: number[] = JSON.parse(r.stdout);
    const ours = field.f(time, Float64Array.from(y.flat()));
    // the same weights; tfjs computes in float32, PyTorch here in float64
    torchOut.forEach((v, i) => assert.ok(Math.abs(v - ours[i]) <= 1e-5 * Math.max(1, Math.abs(v)), `${i}: torch ${v}, ours ${ours[i]}`));
    fs.rmSync(dir, { recursive: true, force: true });
    model.dispose();
  });
});
