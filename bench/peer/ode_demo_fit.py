"""Peer side of `npm run bench -- --suite train`: torchdiffeq's ode_demo spiral fit, timed.

Usage: /usr/bin/python3 ode_demo_fit.py TORCHDIFFEQ_PATH [--seed S] [--iterations N] [--adjoint]

The same training problem as torchdiffeq's examples/ode_demo.py, without the plots: the true
trajectory of dy/dt = (y^3) A, A = [[-0.1, 2], [-2, -0.1]], from y0 = [2, 0] at 1000 times on
[0, 25] (dopri5 at torchdiffeq's default rtol 1e-7, atol 1e-9); mini-batches of 20 random
sub-trajectories of 10 points; the model f(t, y) = MLP 2-50-2 (tanh) of y^3 with weights from
N(0, 0.1^2) and zero biases; RMSprop at lr 1e-3 on the mean absolute error; every 20 iterations
(and at the last) the mean absolute error of the whole trajectory solved from y0. float32,
torch.set_num_threads(2). --adjoint trains through odeint_adjoint instead of odeint.

Prints one JSON line: {"ok": true, "seconds": total, "finalLoss": ..., "evals": [[it, loss], ...],
"nfeForward": mean per iteration, "nfeBackward": mean per iteration, ...}. "seconds" covers
what the engine's trainExperiment covers: generating the data, building the model and the loop.
"""

import argparse
import json
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("torchdiffeq_path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--adjoint", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, args.torchdiffeq_path)
    try:
        import numpy as np
        import torch
        import torch.nn as nn
        import torchdiffeq
    except Exception as err:
        print(json.dumps({"ok": False, "error": "cannot import the peer: %s: %s" % (type(err).__name__, err)}))
        return 1

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    solve = torchdiffeq.odeint_adjoint if args.adjoint else torchdiffeq.odeint

    data_size, batch_time, batch_size, test_every = 1000, 10, 20, 20

    class TrueField(nn.Module):
        def __init__(self):
            super().__init__()
            self.A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]])

        def forward(self, t, y):
            return torch.mm(y ** 3, self.A)

    class Model(nn.Module):
        """ode_demo's ODEFunc: Linear(2, 50), tanh, Linear(50, 2) applied to y^3; counts calls."""

        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(2, 50), nn.Tanh(), nn.Linear(50, 2))
            for layer in (self.net[0], self.net[2]):
                nn.init.normal_(layer.weight, mean=0.0, std=0.1)
                nn.init.constant_(layer.bias, 0.0)
            self.nfe = 0

        def forward(self, t, y):
            self.nfe += 1
            return self.net(y ** 3)

    start = time.perf_counter()
    y0 = torch.tensor([[2.0, 0.0]])
    t = torch.linspace(0.0, 25.0, data_size)
    with torch.no_grad():
        true_y = torchdiffeq.odeint(TrueField(), y0, t, method="dopri5")  # [1000, 1, 2]

    def get_batch():
        starts = torch.from_numpy(np.random.choice(np.arange(data_size - batch_time, dtype=np.int64), batch_size, replace=False))
        return true_y[starts], t[:batch_time], torch.stack([true_y[starts + k] for k in range(batch_time)], dim=0)

    model = Model()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    evals = []
    nfe_forward = 0
    nfe_backward = 0
    last_loss = None
    for it in range(1, args.iterations + 1):
        optimizer.zero_grad()
        batch_y0, batch_t, batch_y = get_batch()
        model.nfe = 0
        pred = solve(model, batch_y0, batch_t)  # dopri5, rtol 1e-7, atol 1e-9: torchdiffeq's defaults
        nfe_forward += model.nfe
        loss = torch.mean(torch.abs(pred - batch_y))
        model.nfe = 0
        loss.backward()
        nfe_backward += model.nfe
        optimizer.step()
        last_loss = loss.item()
        if it % test_every == 0 or it == args.iterations:
            with torch.no_grad():
                whole = torchdiffeq.odeint(model, y0, t)
                evals.append([it, torch.mean(torch.abs(whole - true_y)).item()])
    seconds = time.perf_counter() - start
    print(json.dumps({
        "ok": True,
        "seconds": seconds,
        "iterations": args.iterations,
        "seed": args.seed,
        "adjoint": args.adjoint,
        "lastBatchLoss": last_loss,
        "finalLoss": evals[-1][1] if evals else None,
        "evals": evals,
        "nfeForward": nfe_forward / args.iterations,
        "nfeBackward": nfe_backward / args.iterations,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
