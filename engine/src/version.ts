import * as fs from 'node:fs';
import * as path from 'node:path';

/** Injected by the esbuild `define`; absent when the engine runs from source (tsx). */
declare const __ENGINE_VERSION__: string | undefined;

const MANIFEST_NAME = 'neural-ode-studio';

/** From source there is no define: read the version from the nearest manifest of this package. */
function versionFromManifest(): string {
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let depth = 0; depth < 8; depth++) {
    const file = path.join(dir, 'package.json');
    try {
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === MANIFEST_NAME && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no manifest here (or not ours): keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return '0.0.0-unknown';
}

/** The engine's version: the extension's package.json version. */
export const ENGINE_VERSION: string =
  typeof __ENGINE_VERSION__ === 'string' ? __ENGINE_VERSION__ : versionFromManifest();
