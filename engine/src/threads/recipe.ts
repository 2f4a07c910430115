/** A field rebuilt in a batch thread from its recipe (see protocol.ts), for the shares it is given. */
import { mlpField } from '../fields/mlpField';
import { Replay } from '../fields/trace/replay';
import { VariableParams } from '../fields/trace/variableParams';
import type { FieldRecipe, SliceField } from './protocol';
import { replayRecords, tapeRecords } from './sliceRecords';

export function sliceField(recipe: FieldRecipe, thetaSize: number): SliceField {
  if (recipe.kind === 'mlp') {
    const field = mlpField({ ...recipe, init: new Float64Array(thetaSize) });
    const setTheta = (theta: Float64Array) => field.params.set(theta);
    return {
      f: (t, y, theta) => (setTheta(theta), field.f(t, y)),
      vjp: (t, y, a, theta) => (setTheta(theta), field.vjp(t, y, a)),
      record: tapeRecords(() => field.tape(), setTheta),
    };
  }
  const variables = new VariableParams(recipe.slots);
  const replays = new Map<number, Replay>();
  const replayFor = (y: Float64Array): Replay => {
    for (const [batch, program] of Object.entries(recipe.programs)) {
      if (program.values.find((v) => v.from === 'y')!.size === y.length) {
        let r = replays.get(Number(batch));
        if (!r) replays.set(Number(batch), (r = new Replay(program)));
        return r;
      }
    }
    throw new Error(`no compiled program for a slice of ${y.length} values`);
  };
  const grads = (g: readonly Float64Array[]) => variables.addGrads(g, new Float64Array(thetaSize));
  return {
    f: (t, y, theta) => Float64Array.from(replayFor(y).forward(t, y, variables.read(theta))),
    vjp: (t, y, a, theta) => {
      const g = replayFor(y).vjp(t, y, a, variables.read(theta));
      return { y: Float64Array.from(g.y), params: grads(g.params) };
    },
    record: replayRecords(replayFor, (theta) => variables.read(theta), grads),
  };
}
