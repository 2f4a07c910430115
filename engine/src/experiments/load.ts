import { isExperiment, ExperimentError, type Experiment } from './define';
import { loadUserModule } from './loadModule';

/**
 * Loads an experiment file (`*.ode.ts` / `.js`): bundled with esbuild, its `neural-ode-studio`
 * import bound to this engine. Syntax errors and mistakes in the spec come back with the file,
 * line and column.
 */
export async function loadExperiment(file: string): Promise<Experiment> {
  const mod = await loadUserModule(file);
  if (!isExperiment(mod)) {
    throw new ExperimentError(
      `${file}: the default export is not an experiment. Write: export default defineExperiment({ name, data, model, train }).`,
    );
  }
  return mod;
}
