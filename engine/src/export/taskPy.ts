/**
 * The task's part of train.py: what an iteration draws, the module DistributedDataParallel
 * wraps, the loss of one rank's share, the evaluation, and what a checkpoint carries beside the
 * field's weights. A trajectory fit is experiments/trajectoryTask.ts; a classifier of labelled
 * points is experiments/pointTask.ts with the readout of experiments/readout.ts.
 */
import { pyLiteral } from './pyLiteral';
import type { TaskSettings } from './trainSettings';

/** The imports from model.py that the task's code needs. */
export const taskImports = (task: TaskSettings): string =>
  task.kind === 'trajectory' ? 'Field, augment, project' : 'OUTPUTS, Field, Readout, augment';

function trajectoryPy(task: Extract<TaskSettings, { kind: 'trajectory' }>): string {
  return `# The task: fit windows of one trajectory (ode_demo's get_batch), as the engine does.
BATCH_TIME = ${task.batchTime}
BATCH_SIZE = ${task.batchSize}
LOSS = ${pyLiteral(task.loss)}


def load_data(device):
    """t [T], ys [T, DATA_DIM] and y0 [DATA_DIM] of data.safetensors."""
    return {k: v.to(device) for k, v in load_file(os.path.join(HERE, "data.safetensors")).items()}


class Task(nn.Module):
    """The solve as one module, so DistributedDataParallel sees one forward per iteration."""

    def __init__(self, field):
        super().__init__()
        self.field = field

    def forward(self, y0, t):
        return project(solve(self.field, augment(y0), t))


def make_task(device):
    return Task(Field().to(device))


def load_weights(task):
    task.field.load_state_dict(load_file(os.path.join(HERE, "init.safetensors")))


def draw(data, rng):
    """The iteration's global batch: BATCH_SIZE windows of BATCH_TIME samples."""
    return get_batch(data["ys"], data["t"], BATCH_TIME, BATCH_SIZE, rng)


def batch_loss(model, data, batch, lo, hi):
    """This rank's share (windows lo:hi): the summed loss, what the global mean divides it by,
    and the right predictions (none: a trajectory has no classes)."""
    y0, t, obs, _ = batch
    d = model(y0[lo:hi], t) - obs[:, lo:hi]
    return (d.abs() if LOSS == "l1" else d * d).sum(), obs.numel(), None


def evaluate(task, data):
    """The loss of the whole trajectory solved from y0 (the engine's evaluation); no accuracy."""
    pred = project(forward_solve(task.field, augment(data["y0"].reshape(1, -1)), data["t"]))[:, 0]
    d = pred - data["ys"]
    return (d.abs() if LOSS == "l1" else d * d).mean().item(), None


def checkpoint_extra(task):
    """A trajectory's checkpoint holds the field's weights only."""
    return {}
`;
}

function classificationPy(task: Extract<TaskSettings, { kind: 'classification' }>): string {
  return `# The task: classify labelled points, as the engine does. Each point, padded with zeros to DIM,
# flows from t = 0 to FLOW_TIME under the field, and a linear readout of y(FLOW_TIME) scores it.
BATCH_SIZE = ${task.batchSize}
LOSS = ${pyLiteral(task.loss)}
FLOW_TIME = ${pyLiteral(task.flowTime)}
# The label values, ascending: class k is CLASSES[k] (data.safetensors holds the class index).
CLASSES = ${pyLiteral(task.classes)}


def load_data(device):
    """x [N, DATA_DIM] and the class index of every point (data.safetensors), and the flow's times."""
    data = load_file(os.path.join(HERE, "data.safetensors"))
    return {"x": data["x"].to(device), "target": data["target"].to(device).long(), "t": torch.tensor([0.0, FLOW_TIME], device=device)}


class Task(nn.Module):
    """The flow and the readout as one module, so DistributedDataParallel averages both gradients."""

    def __init__(self, field, readout):
        super().__init__()
        self.field = field
        self.readout = readout

    def forward(self, x, t):
        return self.readout(solve(self.field, augment(x), t)[-1])


def make_task(device):
    return Task(Field().to(device), Readout().to(device))


def load_weights(task):
    task.field.load_state_dict(load_file(os.path.join(HERE, "init.safetensors")))
    task.readout.load_state_dict(load_file(os.path.join(HERE, "readout.safetensors")))


def readout_loss(scores, target):
    """The summed loss of a batch's scores and its right predictions (experiments/readout.ts):
    'mse' regresses ±1 with one output (two classes) or one-hot targets; 'crossEntropy' is
    softmax cross-entropy. The prediction is the sign, or the argmax."""
    if LOSS == "mse":
        want = (2.0 * target - 1.0).unsqueeze(1) if OUTPUTS == 1 else nn.functional.one_hot(target, OUTPUTS).to(scores.dtype)
        loss = ((scores - want) ** 2).sum()
    else:
        loss = nn.functional.cross_entropy(scores, target, reduction="sum")
    pred = (scores[:, 0] > 0).long() if OUTPUTS == 1 else scores.argmax(dim=1)
    return loss, int((pred == target).sum().item())


def per_point():
    """How many terms of the summed loss one point adds (the mean's divisor per point)."""
    return OUTPUTS if LOSS == "mse" else 1


def draw(data, rng):
    """The iteration's global batch: BATCH_SIZE distinct points (the engine's rng.choice)."""
    return torch.tensor(rng.choice(data["x"].shape[0], BATCH_SIZE), dtype=torch.long, device=data["x"].device)


def batch_loss(model, data, batch, lo, hi):
    """This rank's share (points lo:hi): the summed loss, what the global mean divides it by,
    and the right predictions."""
    index = batch[lo:hi]
    loss, right = readout_loss(model(data["x"][index], data["t"]), data["target"][index])
    return loss, BATCH_SIZE * per_point(), right


def evaluate(task, data):
    """The mean loss and the accuracy over every point, each flowed in one batched solve."""
    scores = task.readout(forward_solve(task.field, augment(data["x"]), data["t"])[-1])
    loss, right = readout_loss(scores, data["target"])
    n = data["x"].shape[0]
    return loss.item() / (n * per_point()), right / n


def checkpoint_extra(task):
    """The readout's weights then bias, as the engine's checkpoint holds them (\`readout\`)."""
    v = torch.cat([task.readout.weight.detach().reshape(-1), task.readout.bias.detach().reshape(-1)]).to("cpu", torch.float64)
    return {"readout": Float64Array(v.numpy().astype("<f8").tobytes(), v.numel())}
`;
}

export const taskPy = (task: TaskSettings): string => (task.kind === 'trajectory' ? trajectoryPy(task) : classificationPy(task));
