/**
 * Training inside the engine worker: `train/start` loads the experiment and starts
 * trainExperiment without waiting for it; progress and the outcome go to the host as events.
 * One run at a time per worker: two runs on one thread would only slow each other down.
 */
import { loadExperiment } from '../experiments/load';
import { trainExperiment } from '../experiments/trainer';
import type { EngineEvents, EngineMethods, TrainStartParams } from '../protocol';
import { toErrorPayload, type Emit, type RpcHandlers } from './rpcServer';

type TrainingHandlers = Pick<RpcHandlers<EngineMethods>, 'train/start' | 'train/stop'>;
type Started = EngineMethods['train/start']['result'];

/** A request the worker refuses because a run is already training. */
export class TrainingBusyError extends Error {
  readonly kind = 'busy';
}

function describe(p: TrainStartParams): string {
  const parts = [p.resume ? `resuming ${p.resume}` : 'new run'];
  if (p.iterations !== undefined) parts.push(`to iteration ${p.iterations}`);
  const s = p.defaults?.solver;
  if (s) parts.push(`defaults: ${s.method ?? 'dopri5'} rtol ${s.rtol ?? 'default'} atol ${s.atol ?? 'default'}, gradient ${p.defaults?.gradient ?? 'backprop'}`);
  return parts.join(', ');
}

export function trainingHandlers(emit: Emit<EngineEvents>): TrainingHandlers {
  let busy: string | undefined; // the file being loaded or trained
  let active: { runId: string; stop: AbortController; iteration: number } | undefined;
  const log = (level: EngineEvents['engine/log']['level'], message: string): void => emit('engine/log', { level, message });

  const start = async (params: TrainStartParams): Promise<Started> => {
    if (busy !== undefined) {
      const what = active ? `run ${active.runId}` : busy;
      throw new TrainingBusyError(`The engine is already training ${what}. Stop it (Neural ODE: Stop Training) before starting another run.`);
    }
    busy = params.file;
    try {
      const experiment = await loadExperiment(params.file);
      const stop = new AbortController();
      return await new Promise<Started>((resolve, reject) => {
        let started: Started | undefined;
        trainExperiment(experiment, {
          runsRoot: params.runsRoot,
          iterations: params.iterations,
          resume: params.resume,
          allowChanges: params.allowChanges,
          defaults: params.defaults,
          signal: stop.signal,
          onStart: (info) => {
            started = info;
            active = { runId: info.runId, stop, iteration: info.startIteration };
            log('info', `run ${info.runId} started: ${experiment.name} (${params.file}), iterations ${info.startIteration + 1}–${info.iterations}; ${describe(params)}`);
            if (info.model) log('info', `run ${info.runId}: ${info.model}`);
            for (const w of info.warnings) log('warn', `run ${info.runId}: ${w}`);
            resolve(info);
          },
          onProgress: (progress) => {
            if (active) active.iteration = progress.iteration;
            emit('train/progress', { runId: progress.runId, progress });
          },
        })
          .then(
            (outcome) => {
              const detail = outcome.message ? `: ${outcome.message}` : '';
              log(outcome.status === 'failed' ? 'error' : 'info', `run ${outcome.runId} ${outcome.status} at iteration ${outcome.iteration}, loss ${outcome.loss ?? 'none'}${detail}`);
              emit('train/done', { runId: outcome.runId, outcome });
            },
            (err: unknown) => {
              if (!started) {
                reject(err);
                return;
              }
              const error = toErrorPayload(err);
              log('error', `run ${started.runId} failed (${error.kind}): ${error.message}`);
              emit('train/done', { runId: started.runId, error });
            },
          )
          .finally(() => {
            busy = undefined;
            active = undefined;
          });
      });
    } catch (err) {
      busy = undefined;
      log('error', `could not start training ${params.file}: ${toErrorPayload(err).message}`);
      throw err;
    }
  };

  return {
    'train/start': start,
    'train/stop': ({ runId }) => {
      if (!active || active.runId !== runId) return { stopping: false };
      active.stop.abort();
      log('info', `run ${runId}: stop requested after iteration ${active.iteration}; it stops within the current iteration and keeps a checkpoint`);
      return { stopping: true, iteration: active.iteration };
    },
  };
}
