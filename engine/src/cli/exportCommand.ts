import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../experiments/load';
import { buildAnyTrainable } from '../experiments/modelSource';
import { layoutChange, namedLayout } from '../experiments/paramNames';
import { exportWeights } from '../io/weights';
import { SolverError } from '../solvers/errors';
import { loadRunCheckpoint, parseRunRef } from '../train/runRef';
import { defaultRunsRoot, existingRunDir, fallbackNotice, loadRunConfig } from '../train/runStore';
import { changedMessage, exportChanges, modelRecord } from '../experiments/runDefinition';

export interface ExportArgs {
  experiment: string;
  run: string;
  out?: string;
  runsRoot?: string;
  dtype?: 'F32' | 'F64';
  /** Export although the model differs from the one the run recorded (the weights must still fit). */
  allowChanges?: boolean;
}

export interface ExportResult {
  file: string;
  iteration: number;
  bytes: number;
  warnings?: string[];
}

/**
 * `neural-ode export`: the weights of a run's last checkpoint (or its best: `ID@best`) as safetensors named like the
 * equivalent PyTorch nn.Sequential. The experiment file rebuilds the model (its architecture);
 * the run gives the values.
 */
export async function exportCommand(args: ExportArgs): Promise<ExportResult> {
  const exp = await loadExperiment(args.experiment);
  const { model } = await buildAnyTrainable(exp);
  const root = path.resolve(args.runsRoot ?? defaultRunsRoot(process.cwd()));
  const dir = existingRunDir(root, parseRunRef(args.run).id);
  const loaded = loadRunCheckpoint(root, args.run);
  const { checkpoint } = loaded;
  // A newest checkpoint that does not verify is said, with the one exported instead.
  const skipped = fallbackNotice(loaded);
  const warnings = skipped ? [skipped] : [];
  const params = checkpoint.params as Float64Array;
  if (params.length !== model.params.length) {
    throw new SolverError(
      'input',
      `Run ${args.run} has ${params.length} parameters but ${args.experiment}'s model has ${model.params.length}: was the experiment's model changed after the run?`,
    );
  }
  const changed = layoutChange(checkpoint.layout, namedLayout(model));
  if (changed) throw new SolverError('input', `Run ${args.run} does not fit ${args.experiment}'s model: ${changed}. Was the experiment's model changed after the run?`);
  // The same size and names, but another model (an activation, the kind): said, unless accepted.
  // A damaged config.json records nothing to compare with: the weights go out, checked by size and names only, and that is said.
  const recorded = loadRunConfig(dir);
  if ('damaged' in recorded) {
    warnings.push(`Run ${args.run}: its ${recorded.damaged}, so the model was not checked against the run's record (only its parameters' sizes and names were).`);
  }
  const changes = 'config' in recorded ? exportChanges((recorded.config.config as { model?: unknown } | null) ?? {}, { model: modelRecord(model) }) : [];
  if (changes.length > 0 && !args.allowChanges) throw new SolverError('input', changedMessage(args.run, 'export', changes));
  model.params.set(params);
  const bytes = exportWeights(model as Parameters<typeof exportWeights>[0], {
    dtype: args.dtype,
    metadata: { experiment: exp.name, run: args.run, iteration: String(checkpoint.iteration) },
  });
  const file = path.resolve(args.out ?? path.join(dir, 'model.safetensors'));
  fs.writeFileSync(file, bytes);
  return { file, iteration: checkpoint.iteration, bytes: bytes.length, ...(warnings.length > 0 ? { warnings } : {}) };
}
