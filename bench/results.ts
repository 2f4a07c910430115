/** What a benchmark run measured, case by case: the data behind both the table and --json. */

export interface PathResult {
  /** 'native', 'wasm', 'cpu' or 'torchdiffeq'. */
  readonly id: string;
  readonly label: string;
  /** Seconds per timed solve, in the order they ran. */
  readonly seconds: number[];
  median?: number;
  /** Fastest timed solve: less disturbed by other load than the median, shown in --json only. */
  min?: number;
  nfe?: number;
  steps?: number;
  accepted?: number;
  /** The first solve's error message, when the path failed on this case. */
  error?: string;
  /** From separate solves with f timed: seconds per evaluation inside f, and outside it (the solver). */
  fPerEval?: number;
  restPerEval?: number;
  /** tfjs: tensors left behind per solve. */
  leakedTensors?: number;
  /** Distance of y(T) from y* (in `measure`) and how far it may be. */
  errVsExact?: number;
  maxAbsErrVsExact?: number;
  limit?: number;
}

export interface CaseResult {
  readonly label: string;
  readonly size: string;
  readonly method: string;
  readonly rtol: number;
  readonly atol: number;
  readonly stepSize?: number;
  readonly T: number;
  /** Interleaved timing rounds (each path solved once per round). */
  rounds: number;
  readonly paths: Record<string, PathResult>;
  /** torchdiffeq's NFE in float64 (untimed): step-size control without float32 rounding. */
  peerNfeFloat64?: number;
  /** 'rms-tol' for adaptive methods, 'max-abs' for rk4 (see accuracy.ts). */
  measure: 'rms-tol' | 'max-abs';
  /** Estimated error of y* itself. */
  exactError: number;
  /** Native y(T) against the peer's answer (the recorded one when it exists). */
  vsPeer?: { source: 'recorded' | 'live'; maxAbs: number; distance: number; limit: number };
  /** The live peer's y(T) against its recorded one (both torchdiffeq: should be ~0). */
  liveVsRecorded?: number;
}

export interface RunInfo {
  date: string;
  machine: string;
  /** 1-minute load average at start and end, and the run's duration. */
  load: string;
  /** Set when other processes kept the machine busy: the timings are then unreliable. */
  busy?: string;
  node: string;
  peer: string;
  notes: string[];
}
