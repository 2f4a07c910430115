/** model.py: the experiment's vector field as an nn.Module whose state_dict names are the engine's. */
import type { ModelPlan } from './modelPlan';
import { TORCH_ACTIVATIONS } from './modelPlan';
import { pyLiteral } from './pyLiteral';

/** A classifier's head (experiments/readout.ts): a linear readout of y(1). */
export interface ReadoutPlan {
  outputs: number;
}

const readoutPy = (r: ReadoutPlan): string => `

# The classifier's head: OUTPUTS scores from the state at the end of the flow.
OUTPUTS = ${r.outputs}


class Readout(nn.Linear):
    """The engine's linear readout of y(1), weights in readout.safetensors. ${
      r.outputs === 1 ? 'One output regresses -1 / +1 (the first / second class); its sign predicts.' : 'One score per class; the argmax predicts.'
    }"""

    def __init__(self):
        super().__init__(DIM, OUTPUTS)
`;

export function modelPy(plan: ModelPlan, experiment: string, readout?: ReadoutPlan): string {
  const linears = plan.layout.filter((e) => e.name.endsWith('.weight'));
  const names = linears.map((e) => e.name.slice(0, -'.weight'.length));
  const maps = plan.inputMaps.map((m) => `        x = ${m.python}\n`).join('');
  const aug = plan.augment;
  return `"""The vector field of experiment '${experiment}', written by \`neural-ode export-torch\`:
${plan.description}.

Field()(t, y) computes the engine's f(t, y) for a batch y of shape [batch, ${plan.dim}]. Its
parameters are named as the engine names them (${names.map((n) => `${n}.weight, ${n}.bias`).join(', ')}),
so Field().load_state_dict(load_file("init.safetensors")) loads the experiment's weights, and
the engine loads checkpoints of this module.
"""

import math  # noqa: F401  (an input map may use math.pi)

import torch
from torch import nn

# The state the solver integrates has DIM components${aug ? `: the data's ${aug.dataDim}, then ${aug.extraDims} that start at zero (augment())` : ''}.
DIM = ${plan.dim}
DATA_DIM = ${aug ? aug.dataDim : plan.dim}
SIZES = ${pyLiteral(plan.sizes)}
ACTIVATION = ${pyLiteral(plan.activation)}
TIME_INPUT = ${pyLiteral(plan.timeDependent)}
# The Linear layers as nn.Sequential(Linear, act, …, Linear) indexes them: the engine's names.
LAYER_NAMES = ${pyLiteral(names)}


class Field(nn.Module):
    def __init__(self):
        super().__init__()
        for i, name in enumerate(LAYER_NAMES):
            fan_in = SIZES[i] + (1 if i == 0 and TIME_INPUT else 0)
            self.add_module(name, nn.Linear(fan_in, SIZES[i + 1]))
        # Evaluations of f, read and reset by the training loop (NFE).
        self.nfe = 0

    def forward(self, t, y):
        self.nfe += 1
        x = y
${maps}        if TIME_INPUT:
            # t enters as the last input column, as the engine's mlpField appends it.
            tt = torch.as_tensor(t, dtype=x.dtype, device=x.device).reshape(1)
            x = torch.cat([x, tt.expand(*x.shape[:-1], 1)], dim=-1)
        for i, name in enumerate(LAYER_NAMES):
            z = getattr(self, name)(x)
            x = z if i == len(LAYER_NAMES) - 1 else ${TORCH_ACTIVATIONS[plan.activation]}
        return x


def augment(y0):
    """A batch of data states [batch, DATA_DIM] as solver states [batch, DIM] (zeros appended)."""
    if DIM == DATA_DIM:
        return y0
    return torch.cat([y0, y0.new_zeros(*y0.shape[:-1], DIM - DATA_DIM)], dim=-1)


def project(y):
    """The data's components of solver states."""
    return y[..., :DATA_DIM]
${readout ? readoutPy(readout) : ''}`;
}
