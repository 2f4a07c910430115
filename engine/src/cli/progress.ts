import type { TrainProgress } from '../experiments/trainer';

const fmtNum = (x: number): string => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2));

/** One line of training progress: a bar on a terminal, plain text otherwise. */
export function progressLine(p: TrainProgress, width = 24): string {
  const done = Math.round((width * p.iteration) / p.iterations);
  const bar = `[${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${' '.repeat(width - done)}]`;
  const evalPart = p.evalLoss !== undefined ? `  eval ${fmtNum(p.evalLoss)}` : '';
  const accPart = p.accuracy !== undefined ? `  acc ${(100 * p.accuracy).toFixed(1)}%${p.evalAccuracy !== undefined ? ` (all ${(100 * p.evalAccuracy).toFixed(1)}%)` : ''}` : '';
  return (
    `${bar} ${String(p.iteration).padStart(String(p.iterations).length)}/${p.iterations}` +
    `  loss ${fmtNum(p.loss)}${evalPart}${accPart}  nfe ${p.nfeForward}/${p.nfeBackward}  ${(p.iterationSeconds * 1000).toFixed(1)} ms/it`
  );
}
