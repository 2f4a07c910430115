// What "Show Engine Info" says, from the engine's answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineInfo } from '../../engine/src/protocol';
import { briefDetail, engineInfoReport, engineInfoSummary } from '../../extension/src/engineInfoMessage';

const info: EngineInfo = {
  version: '1.2.3',
  backend: 'wasm',
  backends: [
    { name: 'tensorflow', available: false, detail: 'not installed (@tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node; install one next to your experiments)' },
    { name: 'webgpu', available: false, detail: 'only a software adapter (llvmpipe); never chosen automatically. Set it explicitly to try.' },
    { name: 'wasm', available: true, detail: 'selected: SIMD; 1 thread' },
    { name: 'cpu', available: true, detail: 'plain JavaScript kernels' },
  ],
  threads: 16,
};

describe('engineInfoSummary', () => {
  it('names the version, the selected backend and why the others are not used', () => {
    assert.equal(
      engineInfoSummary(info, 'auto'),
      'Neural ODE Studio 1.2.3 — engine backend: wasm (tensorflow: not installed; webgpu: only a software adapter; cpu: available); 16 threads for large batches',
    );
    assert.match(engineInfoSummary({ ...info, threads: 1 }, 'auto'), /; 1 thread for large batches$/);
  });

  it('says when the setting asks for a backend the engine could not use', () => {
    const text = engineInfoSummary(info, 'webgpu');
    assert.match(text, /engine backend: wasm/);
    assert.match(text, /neuralOde\.engine\.backend asks for "webgpu", which is not available/);
  });

  it('says nothing more when the setting was honoured', () => {
    assert.doesNotMatch(engineInfoSummary({ ...info, backend: 'cpu' }, 'cpu'), /asks for/);
  });
});

describe('briefDetail', () => {
  it('keeps the head of a detail and shortens long ones', () => {
    assert.equal(briefDetail('failed to initialise; the adapter was lost'), 'failed to initialise');
    assert.equal(briefDetail('Dawn is missing. Install it.'), 'Dawn is missing');
    const long = briefDetail('x'.repeat(200));
    assert.equal(long.length, 60);
    assert.ok(long.endsWith('…'));
  });
});

describe('engineInfoReport', () => {
  it('lists every backend with its full detail, then the threads', () => {
    const lines = engineInfoReport(info, 'auto');
    assert.equal(lines.length, 2 + info.backends.length);
    assert.match(lines[0], /engine 1\.2\.3, backend wasm \(setting neuralOde\.engine\.backend: auto\)/);
    assert.ok(lines.some((l) => l.includes('install one next to your experiments')));
    assert.match(lines.at(-1)!, /^threads for large batches: 16 \(NEURAL_ODE_THREADS/);
  });
});
