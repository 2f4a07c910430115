/** The export folder's README.md: what is there, what to install, the commands, what matches. */
import type { ModelPlan } from './modelPlan';
import type { TorchSettings } from './trainSettings';

export function readmeMd(experiment: string, plan: ModelPlan, s: TorchSettings, source: string): string {
  const notes = s.notes.map((n) => `- ${n}\n`).join('');
  const task = s.task;
  const data =
    task.kind === 'trajectory'
      ? '- `data.safetensors`: the trajectory (`t`, `ys`, `y0`), float64.'
      : `- \`data.safetensors\`: the labelled points (\`x\`, and \`target\`, the class index of each: class k is label ${JSON.stringify(task.classes)}[k]), float64.
- \`readout.safetensors\`: the classifier's head, \`Readout()\` in model.py, a linear readout of y(${task.flowTime}) with ${task.outputs} output(s) (${task.loss}).`;
  const batches =
    task.kind === 'trajectory'
      ? `the same windows (the engine's xoshiro128** generator, seed ${s.seed})`
      : `the same points (the engine's xoshiro128** generator, seed ${s.seed})`;
  return `# ${experiment} in PyTorch

Written by \`neural-ode export-torch\` from ${source}. The folder is self-contained: copy it
anywhere (a GPU machine, a cluster).

- \`model.py\`: the vector field, \`class Field(nn.Module)\`: ${plan.description}.
- \`init.safetensors\`: its starting weights θ, named as \`Field().state_dict()\` names them.
${data}
- \`train.py\`: the engine's training loop with torchdiffeq (${s.solver.method}, rtol ${s.solver.rtol}, atol ${s.solver.atol}, ${s.gradient}, ${s.optimizer.name} lr ${s.optimizer.lr}).
- \`config.json\`: the experiment as the studio records a run's configuration.
- \`batches.py\`: the engine's seeded batch sampler; \`tensorfile.py\`: a safetensors reader;
  \`neural_ode_studio/\`: writes the run into the studio's run store.

## Install

    pip install torch torchdiffeq        # or, on Debian: apt-get install python3-torch python3-numpy; pip install torchdiffeq

## Train

    python train.py [--iterations N] [--runs DIR] [--device cpu|cuda]
    torchrun --nproc_per_node=N train.py [--iterations N] [--runs DIR] [--device cpu|cuda]

Run it from the workspace folder (or pass \`--runs <workspace>/.neural-ode/runs\`): the studio's
Runs view and Training curves show the run like any other, and its checkpoints load into the
experiment's model. With torchrun each rank takes its slice of the same global batch and
DistributedDataParallel averages the gradients; rank 0 writes the run. The studio can continue a
run of train.py: \`neural-ode train <experiment> --resume <id>\`. \`--dump-first FILE\`
writes the first iteration's loss and gradient as JSON. (Debian 12's python3-torch 1.13 on
Python 3.11 cannot parse torchrun's default \`--redirects 0\`: add \`--redirects 1 --tee 1\`.)

In Python:

    from model import Field
    from tensorfile import load_file      # or safetensors.torch.load_file
    f = Field().double()
    f.load_state_dict(load_file("init.safetensors"))

## What matches the engine

- f: the same function of the same weights (to rounding).
- Batch k: ${batches}.
- The loss, optimiser update, learning-rate schedule and gradient clipping: the engine's formulas.
- The first loss agrees to the solver's tolerance; the solves do not step alike: the engine's
  backprop steps onto every output time, torchdiffeq interpolates between its steps, so NFE and
  the losses differ slightly, and the difference grows over a run. With torchrun each rank's
  adaptive solver controls the error of its own slice, so its steps differ from one solve of the
  whole batch (fixed-grid methods agree exactly).
- nfe_backward counts evaluations of f during the backward pass: 0 for odeint (autograd replays
  the recorded graph), the backward solve's for odeint_adjoint.
${notes}`;
}
