// The batch threads' script when the engine runs from its TypeScript source (tests, tsx): Node
// does not carry `--import tsx` into worker threads, so this registers tsx itself.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
createRequire(import.meta.url)('./worker.ts');
