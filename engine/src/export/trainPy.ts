/**
 * train.py: the engine's training loop (experiments/trainer.ts) in PyTorch with torchdiffeq,
 * every setting written out, the task's part from taskPy.ts, and the run written to the
 * studio's run store with the copied neural_ode_studio package.
 */
import { pyDict, pyLiteral } from './pyLiteral';
import { taskImports, taskPy } from './taskPy';
import type { SolverSettings, TorchSettings } from './trainSettings';

const solverLines = (s: SolverSettings): string => `METHOD = ${pyLiteral(s.method)}
RTOL = ${pyLiteral(s.rtol)}
ATOL = ${pyLiteral(s.atol)}
OPTIONS = ${pyDict(s.options)}`;

function adjointLine(a: SolverSettings | undefined): string {
  if (!a) return 'ADJOINT = None';
  return `ADJOINT = dict(
    adjoint_method=${pyLiteral(a.method)},
    adjoint_rtol=${pyLiteral(a.rtol)},
    adjoint_atol=${pyLiteral(a.atol)},
    adjoint_options=${pyDict(a.options)},
)`;
}

const GRADIENT_NOTES: Record<TorchSettings['gradient'], string> = {
  backprop: "backprop: odeint, differentiated through the solver's operations as the engine's backprop is.",
  checkpoint: "checkpoint: odeint; the gradient is backprop's (the engine's checkpointing only saves memory).",
  adjoint: 'adjoint: odeint_adjoint, the backward solve as ADJOINT says.',
};

export function trainPy(s: TorchSettings, experiment: string): string {
  const integrator = s.gradient === 'adjoint' ? 'odeint_adjoint' : 'odeint';
  const solveBody =
    integrator === 'odeint'
      ? '    return odeint(field, y0, t, rtol=RTOL, atol=ATOL, method=METHOD, options=options)'
      : `    adjoint = dict(ADJOINT, adjoint_options=with_tensors(ADJOINT["adjoint_options"], y0.device))
    return odeint_adjoint(field, y0, t, rtol=RTOL, atol=ATOL, method=METHOD, options=options, adjoint_params=tuple(field.parameters()), **adjoint)`;
  return `#!/usr/bin/env python3
"""Trains experiment '${experiment}' in PyTorch with torchdiffeq, as the engine trains it.
Written by \`neural-ode export-torch\`; README.md says what matches the engine and what does not.

    python train.py [--iterations N] [--runs DIR] [--device cpu|cuda] [--dump-first FILE]
    torchrun --nproc_per_node=N train.py [...]   DistributedDataParallel (gloo on CPU, nccl on CUDA)
"""

import argparse
import contextlib
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # model.py, batches.py, tensorfile.py and the copied neural_ode_studio package

try:
    import torch
except ImportError:
    sys.exit("train.py needs PyTorch: pip install torch (or, on Debian: apt-get install python3-torch)")
try:
    import torchdiffeq  # noqa: F401
except ImportError:
    sys.exit("train.py needs torchdiffeq: pip install torchdiffeq")
import torch.distributed as dist  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402
from torchdiffeq import ${integrator === 'odeint' ? 'odeint' : 'odeint, odeint_adjoint'}  # noqa: E402

from batches import Rng, get_batch  # noqa: E402,F401
from model import ${taskImports(s.task)}  # noqa: E402
from neural_ode_studio import Run  # noqa: E402
from neural_ode_studio.checkpoint import Float64Array  # noqa: E402
from tensorfile import load_file  # noqa: E402

# The engine's native path computes in float64.
torch.set_default_dtype(torch.float64)

EXPERIMENT = ${pyLiteral(experiment)}

# The solver, every option pinned (torchdiffeq's defaults differ from the engine's).
${solverLines(s.solver)}
# ${GRADIENT_NOTES[s.gradient]}
GRADIENT = ${pyLiteral(s.gradient)}
${adjointLine(s.adjoint)}

# Training, with the engine's defaults written out.
ITERATIONS = ${s.iterations}
OPTIMIZER = ${pyLiteral(s.optimizer)}
SCHEDULE = ${pyLiteral(s.schedule)}
CLIP_NORM = ${pyLiteral(s.clipNorm)}
SEED = ${s.seed}
EVAL_EVERY = ${s.evalEvery}
CHECKPOINT_EVERY = ${s.checkpointEvery}


def with_tensors(options, device):
    """A fresh options dict with step_t and jump_t as tensors."""
    out = dict(options)
    for key in ("step_t", "jump_t"):
        if key in out:
            out[key] = torch.tensor(out[key], device=device)
    return out


def solve(field, y0, t):
    """The states at every t from y0, with the experiment's solver and gradient method."""
    options = with_tensors(OPTIONS, y0.device)
${solveBody}


def forward_solve(field, y0, t):
    """The states of one solve with the forward solver, no gradient (the engine's evaluation)."""
    with torch.no_grad():
        return odeint(field, y0, t, rtol=RTOL, atol=ATOL, method=METHOD, options=with_tensors(OPTIONS, y0.device))


${taskPy(s.task)}


def lr_at(i):
    """The learning rate of step i (0 for the first), as engine/src/train/schedules.ts."""
    base = OPTIMIZER["lr"]
    w = SCHEDULE["warmup"]
    if i < w["iterations"]:
        return base * (w["startFactor"] + ((1 - w["startFactor"]) * i) / w["iterations"])
    i -= w["iterations"]
    kind = SCHEDULE["kind"]
    if kind == "constant":
        return base
    if kind == "step":
        return base * SCHEDULE["gamma"] ** (i // SCHEDULE["stepSize"])
    if kind == "exponential":
        return base * SCHEDULE["gamma"] ** i
    t_max, eta_min = SCHEDULE["tMax"], SCHEDULE["etaMin"]
    return eta_min + ((base - eta_min) * (1 + math.cos((math.pi * min(i, t_max)) / t_max))) / 2


BUFFERS = {"adam": ["expAvg", "expAvgSq"], "rmsprop": ["squareAvg", "momentumBuffer", "gradAvg"], "sgd": ["momentumBuffer"]}


class Optimizer:
    """The engine's optimisers (engine/src/train/optimizers.ts), update for update, on the
    parameters in state_dict order; state() is the engine's optimiser state."""

    def __init__(self, params, spec):
        self.params = list(params)
        self.spec = dict(spec)
        self.lr = spec["lr"]
        self.step_count = 0
        self.buffers = {key: None for key in BUFFERS[spec["name"]]}

    def _buffer(self, key):
        if self.buffers[key] is None:
            self.buffers[key] = [torch.zeros_like(p) for p in self.params]
        return self.buffers[key]

    @torch.no_grad()
    def step(self):
        self.step_count += 1
        s, lr = self.spec, self.lr
        if s["name"] == "adam":
            beta1, beta2, eps = s["beta1"], s["beta2"], s["eps"]
            m, v = self._buffer("expAvg"), self._buffer("expAvgSq")
            bc1 = 1 - beta1 ** self.step_count
            sqrt_bc2 = math.sqrt(1 - beta2 ** self.step_count)
            step_size = lr / bc1
            l2 = 0 if s["decoupled"] else s["weightDecay"]
            shrink = 1 - lr * s["weightDecay"] if s["decoupled"] else 1
            for p, mi, vi in zip(self.params, m, v):
                g = p.grad + l2 * p
                mi.copy_(beta1 * mi + (1 - beta1) * g)
                vi.copy_(beta2 * vi + (1 - beta2) * g * g)
                denom = vi.sqrt() / sqrt_bc2 + eps
                p.copy_(p * shrink - (step_size * mi) / denom)
        elif s["name"] == "rmsprop":
            alpha, eps, momentum = s["alpha"], s["eps"], s["momentum"]
            sq = self._buffer("squareAvg")
            buf = self._buffer("momentumBuffer") if momentum > 0 else [None] * len(self.params)
            ga = self._buffer("gradAvg") if s["centered"] else [None] * len(self.params)
            for p, sqi, bi, gai in zip(self.params, sq, buf, ga):
                g = p.grad + s["weightDecay"] * p
                sqi.copy_(alpha * sqi + (1 - alpha) * g * g)
                if gai is not None:
                    gai.copy_(alpha * gai + (1 - alpha) * g)
                    avg = (sqi - gai * gai).sqrt() + eps
                else:
                    avg = sqi.sqrt() + eps
                if bi is not None:
                    bi.copy_(momentum * bi + g / avg)
                    p.copy_(p - lr * bi)
                else:
                    p.copy_(p - (lr * g) / avg)
        else:
            momentum, dampening, wd = s["momentum"], s["dampening"], s["weightDecay"]
            if momentum == 0:
                for p in self.params:
                    p.copy_(p - lr * (p.grad + wd * p))
                return
            first = self.buffers["momentumBuffer"] is None
            buf = self._buffer("momentumBuffer")
            for p, bi in zip(self.params, buf):
                g = p.grad + wd * p
                bi.copy_(g if first else momentum * bi + (1 - dampening) * g)
                p.copy_(p - lr * (g + momentum * bi if s["nesterov"] else bi))

    def state(self):
        def flat(tensors):
            if tensors is None:
                return None
            v = torch.cat([x.detach().reshape(-1) for x in tensors]).to("cpu", torch.float64).contiguous()
            return Float64Array(v.numpy().astype("<f8").tobytes(), v.numel())

        return {"spec": self.spec, "lr": self.lr, "step": self.step_count, "buffers": {k: flat(b) for k, b in self.buffers.items()}}


@torch.no_grad()
def clip_grad_norm(params, max_norm):
    """The gradient's global 2-norm before clipping; scaled to max_norm / (norm + 1e-6) when that
    is below 1 (engine/src/train/clip.ts). A non-finite norm leaves the gradient as it is."""
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    scale = flat.abs().max().item() if flat.numel() > 0 else 0.0
    if not math.isfinite(scale):
        return math.nan if torch.isnan(flat).any() else math.inf
    if scale == 0:
        return 0.0
    norm = scale * math.sqrt(((flat.abs() / scale) ** 2).sum().item())
    if max_norm is not None and max_norm / (norm + 1e-6) < 1:
        for p in params:
            p.grad.mul_(max_norm / (norm + 1e-6))
    return norm


def main():
    ap = argparse.ArgumentParser(description=f"Train {EXPERIMENT} with torchdiffeq, as the engine does.")
    ap.add_argument("--iterations", type=int, default=ITERATIONS, help=f"train to this iteration (default {ITERATIONS})")
    ap.add_argument("--runs", default=None, help="runs folder (default: ./.neural-ode/runs)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--dump-first", default=None, help="write the first iteration's loss and gradient (before clipping) as JSON")
    args = ap.parse_args()
    if args.iterations < 1:
        ap.error("--iterations must be at least 1")
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit(f"train.py --device cuda: this PyTorch ({torch.__version__}) sees no CUDA device (torch.cuda.is_available() is False). "
                 "Train with --device cpu, or install a CUDA build of torch (https://pytorch.org/get-started/locally/).")

    distributed = "LOCAL_RANK" in os.environ  # started by torchrun
    if distributed:
        dist.init_process_group("nccl" if args.device == "cuda" else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        local = int(os.environ["LOCAL_RANK"])
        if args.device == "cuda" and local >= torch.cuda.device_count():
            sys.exit(f"train.py: rank {rank} needs CUDA device {local} but this machine has {torch.cuda.device_count()}: "
                     "give torchrun --nproc_per_node at most the number of GPUs.")
    else:
        rank, world, local = 0, 1, 0
    device = torch.device(f"cuda:{local}" if args.device == "cuda" else "cpu")

    data = load_data(device)
    task = make_task(device)
    load_weights(task)
    field = task.field
    # The field's parameters in state_dict order, then the task's own (a readout): the engine's vector.
    params = list(task.parameters())
    model = task
    if distributed:
        model = DistributedDataParallel(task, device_ids=[local] if args.device == "cuda" else None)
    optimizer = Optimizer(params, OPTIMIZER)
    rng = Rng(SEED)

    with open(os.path.join(HERE, "config.json"), encoding="utf-8") as fh:
        config = json.load(fh)
    config["train"]["iterations"] = args.iterations
    config["trainedWith"] = {"engine": "torchdiffeq", "torch": torch.__version__, "worldSize": world, "device": args.device}
    run = Run(EXPERIMENT, config, args.runs) if rank == 0 else None
    best = math.inf
    last_eval_accuracy = None

    def checkpoint(it, **extra):
        run.checkpoint(field, it, rngState=rng.state(), optimizerState=optimizer.state(), **checkpoint_extra(task), **extra)

    with run if run is not None else contextlib.nullcontext():
        for it in range(1, args.iterations + 1):
            started = time.perf_counter()
            lr = lr_at(it - 1)
            optimizer.lr = lr
            batch = draw(data, rng)
            # Every rank draws the same global batch and takes its own slice of it.
            lo, hi = rank * BATCH_SIZE // world, (rank + 1) * BATCH_SIZE // world
            for p in params:
                p.grad = None
            field.nfe = 0
            part, count, right = batch_loss(model, data, batch, lo, hi)
            nfe_forward = field.nfe
            # The mean over the global batch once DistributedDataParallel averages over the ranks.
            (part * (world / count)).backward()
            total = torch.tensor([part.item(), right or 0], dtype=torch.float64, device=device)
            nfe = torch.tensor([nfe_forward, field.nfe - nfe_forward], dtype=torch.float64, device=device)
            if distributed:
                dist.all_reduce(total, op=dist.ReduceOp.SUM)
                dist.all_reduce(nfe, op=dist.ReduceOp.MAX)  # the slowest rank's count
            loss = total[0].item() / count
            accuracy = total[1].item() / BATCH_SIZE if right is not None else None
            nfe_forward, nfe_backward = int(nfe[0]), int(nfe[1])
            if it == 1 and args.dump_first and rank == 0:
                grad = torch.cat([p.grad.reshape(-1) for p in params]).tolist()
                with open(args.dump_first, "w", encoding="utf-8") as fh:
                    json.dump({"loss": loss, "grad": grad, "nfeForward": nfe_forward, "nfeBackward": nfe_backward}, fh)
            grad_norm = clip_grad_norm(params, CLIP_NORM)
            if not math.isfinite(loss) or not math.isfinite(grad_norm):
                what = f"the loss is {loss}" if not math.isfinite(loss) else f"the gradient's norm is {grad_norm}"
                raise RuntimeError(f"Training diverged at iteration {it}: {what}. The parameters were not updated.")
            optimizer.step()
            if rank != 0:
                continue
            eval_loss = eval_accuracy = None
            if (EVAL_EVERY > 0 and it % EVAL_EVERY == 0) or it == args.iterations:
                with torch.no_grad():
                    eval_loss, eval_accuracy = evaluate(task, data)
                if eval_accuracy is not None:
                    last_eval_accuracy = eval_accuracy
            run.log(it, loss=loss, nfe_forward=nfe_forward, nfe_backward=nfe_backward, lr=lr, grad_norm=grad_norm, accuracy=accuracy,
                    eval_loss=eval_loss, eval_accuracy=eval_accuracy, iteration_seconds=time.perf_counter() - started)
            if eval_loss is not None and math.isfinite(eval_loss) and eval_loss < best:
                best = eval_loss
                checkpoint(it, best=True, eval_loss=eval_loss)
            if (CHECKPOINT_EVERY > 0 and it % CHECKPOINT_EVERY == 0) or it == args.iterations:
                checkpoint(it)
        if run is not None:
            print(f"run {run.id} in {run.dir}: {args.iterations} iterations, loss {loss:.6g}", file=sys.stderr)
            # result.json as the engine writes it: a classifier's also holds its last accuracy on every point.
            run.finish("finished", **({"evalAccuracy": last_eval_accuracy} if last_eval_accuracy is not None else {}))
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
}
