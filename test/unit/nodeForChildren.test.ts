// esbuild-wasm starts `node` from PATH: the engine worker points that name at its own runtime.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pointNodeAtThisRuntime } from '../../engine/src/worker/nodeForChildren';

describe('pointNodeAtThisRuntime', () => {
  it("puts a node binary's own folder first on PATH, leaving ELECTRON_RUN_AS_NODE alone", () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    const dir = pointNodeAtThisRuntime(env, '/opt/server/node');
    assert.equal(dir, '/opt/server');
    assert.equal(env.PATH, `/opt/server${path.delimiter}/usr/bin`);
    assert.equal(env.ELECTRON_RUN_AS_NODE, undefined);
  });

  it('links `node` to another runtime (Electron) and runs it as Node', { skip: process.platform === 'win32' }, () => {
    const fakeElectron = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'neural-ode-electron-')), 'code');
    fs.copyFileSync(process.execPath, fakeElectron);
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    const dir = pointNodeAtThisRuntime(env, fakeElectron);
    assert.ok(dir);
    assert.equal(fs.realpathSync(path.join(dir, 'node')), fs.realpathSync(fakeElectron));
    assert.equal(env.ELECTRON_RUN_AS_NODE, '1');
    assert.ok(env.PATH?.startsWith(`${dir}${path.delimiter}`));
    fs.rmSync(path.dirname(fakeElectron), { recursive: true, force: true });
  });
});
