// Training support that does not depend on the solvers: the run store on disk, optimisers,
// learning-rate schedules and gradient clipping.
export {
  Run, createRun, openRun, appendMetrics, writeCheckpoint, loadLatestCheckpoint, loadBestCheckpoint, finishRun, readMetrics,
  listRuns, readRun, loadRunConfig, existingRunDir, cleanTempFiles, fallbackNotice, defaultRunsRoot, updateRunConfig, labelRun, type RunLabelEdit,
  CONFIG_FILE, METRICS_FILE, RESULT_FILE, SLOWDOWN_FILE, LOCK_FILE, CHECKPOINT_LATEST, CHECKPOINT_PREV, CHECKPOINT_BEST,
  type RunStatus, type RunConfigFile, type RunResult, type CheckpointData, type LoadedCheckpoint, type RunSummary,
  type CreateRunOptions, type OpenRunOptions,
} from './runStore';
export { RUN_LOG, appendRunLog } from './runLog';
export { parseRunRef, formatRunRef, loadRunCheckpoint, type RunRef } from './runRef';
export { RunStoreError, type RunStoreErrorKind } from './errors';
export { encodeCheckpoint, decodeCheckpoint, CHECKPOINT_MAGIC, CHECKPOINT_VERSION } from './checkpointFormat';
export { parseMetrics, formatMetricsLine, type MetricsRecord, type MetricsRead, type StepSizeStats } from './metrics';
export { makeRunId, isRunId, runIdTime, runIdSlug, slug } from './runId';
export {
  Adam, Rmsprop, Sgd, createOptimizer, optimizerFromState,
  type Optimizer, type OptimizerSpec, type OptimizerState, type AdamOptions, type RmspropOptions, type SgdOptions,
} from './optimizers';
export { lrSchedule, type ScheduleSpec, type Warmup, type LrSchedule } from './schedules';
export { clipGradNorm, clipGradValue } from './clip';
