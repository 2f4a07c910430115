"""Peer side of `npm run bench`: times torchdiffeq's forward solves of the benchmark MLP.

Usage: /usr/bin/python3 torchdiffeq_bench.py TORCHDIFFEQ_PATH

Speaks one JSON object per line on stdin/stdout so the Node side can interleave its own
solves with ours in one run (timings on shared machines drift too much to compare runs):

  -> {"cmd": "load", "name": "256x64", "path": "weights.json"}
  <- {"ok": true}
  -> {"cmd": "solve", "name": "256x64", "method": "dopri5", "rtol": 1e-5, "atol": 1e-6,
      "stepSize": null, "T": 1, "returnY": true, "dtype": "float32", "profile": false}
  <- {"ok": true, "seconds": 0.0081, "nfe": 20, "y": [...]}

With "profile": true the reply also has "fSeconds", the time spent inside f.

One training iteration (forward with autograd, MSE loss against the problem's "target",
backward), timed as a whole; gradients returned on request:

  -> {"cmd": "train", "name": "256x64", "gradient": "backprop" | "adjoint" | "adjoint_seminorm",
      "rtol": 1e-5, "atol": 1e-6, "T": 1, "returnGrads": true}
  <- {"ok": true, "seconds": 0.021, "nfeForward": 20, "nfeBackward": 0, "loss": 2.72,
      "grads": {"y0": [...], "W1": [...], "b1": [...], "W2": [...], "b2": [...]}}

nfeBackward counts calls of f during backward(): 0 for backprop (autograd replays the graph),
one per augmented-dynamics evaluation (f and its vjp) for the adjoint.

One model of `--suite models`, built from the weights in the request (tfjs layout: a dense
kernel is [in, out]), float32: its forward solve (no_grad) and one iteration with backprop and
with odeint_adjoint, each timed; gradients flattened in the order and layout of "params":

  -> {"cmd": "model_iteration", "model": "pendulum" | "mlp",
      "params": [{"name": "w1", "shape": [2, 64], "values": [...]}, ...],
      "y0": [...], "target": [...], "rtol": 1e-5, "atol": 1e-6, "T": 1, "returnGrads": true}
  <- {"ok": true, "forward": {"seconds": 0.004, "nfe": 26},
      "backprop": {"seconds": 0.01, "nfeForward": 26, "nfeBackward": 0, "loss": 1.9,
                   "grads": {"theta": [...], "y0": [...]}},
      "adjoint": {...}}

Only the odeint call is timed. Forward solves run under torch.no_grad(), float32 (float64
on request, to compare step-size control without float32 rounding), torch.set_num_threads(2).
"""

import json
import sys
import time


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    if len(sys.argv) != 2:
        reply({"ok": False, "error": "usage: torchdiffeq_bench.py TORCHDIFFEQ_PATH"})
        return 2
    sys.path.insert(0, sys.argv[1])
    try:
        import torch
        import torch.nn.functional as F
        import torchdiffeq
    except Exception as err:  # the Node side turns this into a "peer skipped" line
        reply({"ok": False, "error": "cannot import the peer: %s: %s" % (type(err).__name__, err)})
        return 1

    torch.set_num_threads(2)
    problems = {}

    class CountedMlp:
        """f(t, y) = tanh(y W1^T + b1) W2^T + b2, counting evaluations."""

        def __init__(self, w, dtype):
            self.W1 = torch.tensor(w["W1"], dtype=dtype)
            self.b1 = torch.tensor(w["b1"], dtype=dtype)
            self.W2 = torch.tensor(w["W2"], dtype=dtype)
            self.b2 = torch.tensor(w["b2"], dtype=dtype)
            self.y0 = torch.tensor(w["y0"], dtype=dtype)
            self.nfe = 0
            self.profile = False
            self.f_seconds = 0.0

        def __call__(self, t, y):
            self.nfe += 1
            if not self.profile:
                return F.linear(torch.tanh(F.linear(y, self.W1, self.b1)), self.W2, self.b2)
            start = time.perf_counter()
            out = F.linear(torch.tanh(F.linear(y, self.W1, self.b1)), self.W2, self.b2)
            self.f_seconds += time.perf_counter() - start
            return out

    class TrainMlp(torch.nn.Module):
        """The same field as a module (odeint_adjoint needs its parameters), float32."""

        def __init__(self, w):
            super().__init__()
            as_param = lambda k: torch.nn.Parameter(torch.tensor(w[k], dtype=torch.float32))
            self.W1, self.b1, self.W2, self.b2 = (as_param(k) for k in ("W1", "b1", "W2", "b2"))
            self.y0 = torch.tensor(w["y0"], dtype=torch.float32)
            self.target = torch.tensor(w["target"], dtype=torch.float32) if "target" in w else None
            self.nfe = 0

        def forward(self, t, y):
            self.nfe += 1
            return F.linear(torch.tanh(F.linear(y, self.W1, self.b1)), self.W2, self.b2)

    class WireModule(torch.nn.Module):
        """Parameters from the request's params; kernels used as Linear weights are held transposed."""

        def __init__(self, params, transposed=()):
            super().__init__()
            self.wire = []
            for p in params:
                value = torch.tensor(p["values"], dtype=torch.float32).reshape(p["shape"])
                flip = p["name"] in transposed
                param = torch.nn.Parameter(value.t().contiguous() if flip else value)
                self.register_parameter(p["name"], param)
                self.wire.append((param, flip))
            self.nfe = 0

        def wire_grad(self):
            return torch.cat([(p.grad.t() if flip else p.grad).reshape(-1) for p, flip in self.wire]).tolist()

    class PendulumHybrid(WireModule):
        """examples/pendulum.ode.ts: dθ/dt = ω, dω/dt = tanh(y w1 + b1) w2 − sin θ."""

        def forward(self, t, y):
            self.nfe += 1
            theta, omega = y[:, :1], y[:, 1:2]
            friction = torch.tanh(y @ self.w1 + self.b1) @ self.w2
            return torch.cat([omega, friction - torch.sin(theta)], 1)

    class DenseTanh(WireModule):
        """The tf.sequential 2-H-2 (dense tanh, dense linear) as F.linear of the kernels transposed."""

        def __init__(self, params):
            super().__init__(params, transposed=("kernel1", "kernel2"))

        def forward(self, t, y):
            self.nfe += 1
            return F.linear(torch.tanh(F.linear(y, self.kernel1, self.bias1)), self.kernel2, self.bias2)

    def model_iteration(req):
        m = {"pendulum": PendulumHybrid, "mlp": DenseTanh}[req["model"]](req["params"])
        y0 = torch.tensor(req["y0"], dtype=torch.float32).reshape(-1, 2)
        target = torch.tensor(req["target"], dtype=torch.float32).reshape(-1, 2)
        t = torch.tensor([0.0, float(req["T"])])
        kwargs = {"method": "dopri5", "rtol": float(req["rtol"]), "atol": float(req["atol"])}
        with torch.no_grad():
            m.nfe = 0
            start = time.perf_counter()
            torchdiffeq.odeint(m, y0, t, **kwargs)
            out = {"ok": True, "forward": {"seconds": time.perf_counter() - start, "nfe": m.nfe}}
        for name, solve in (("backprop", torchdiffeq.odeint), ("adjoint", torchdiffeq.odeint_adjoint)):
            y = y0.clone().requires_grad_(True)
            m.zero_grad(set_to_none=True)
            m.nfe = 0
            start = time.perf_counter()
            ys = solve(m, y, t, **kwargs)
            nfe_forward = m.nfe
            loss = torch.mean((ys[-1] - target) ** 2)
            loss.backward()
            run = {"seconds": time.perf_counter() - start, "nfeForward": nfe_forward,
                   "nfeBackward": m.nfe - nfe_forward, "loss": loss.item()}
            if req.get("returnGrads"):
                run["grads"] = {"theta": m.wire_grad(), "y0": y.grad.reshape(-1).tolist()}
            out[name] = run
        return out

    def train_iteration(m, req):
        if m.target is None:
            raise ValueError("problem %r has no target to train against" % (req["name"],))
        t = torch.tensor([0.0, float(req["T"])])
        kwargs = {"method": "dopri5", "rtol": float(req["rtol"]), "atol": float(req["atol"])}
        gradient = req["gradient"]
        if gradient == "backprop":
            solve = torchdiffeq.odeint
        elif gradient in ("adjoint", "adjoint_seminorm"):
            solve = torchdiffeq.odeint_adjoint
            if gradient == "adjoint_seminorm":
                kwargs["adjoint_options"] = {"norm": "seminorm"}
        else:
            raise ValueError("unknown gradient method %r" % (gradient,))
        y0 = m.y0.clone().requires_grad_(True)
        m.zero_grad(set_to_none=True)
        m.nfe = 0
        start = time.perf_counter()
        ys = solve(m, y0, t, **kwargs)
        nfe_forward = m.nfe
        loss = torch.mean((ys[-1] - m.target) ** 2)
        loss.backward()
        seconds = time.perf_counter() - start
        out = {"ok": True, "seconds": seconds, "nfeForward": nfe_forward, "nfeBackward": m.nfe - nfe_forward,
               "loss": loss.item()}
        if req.get("returnGrads"):
            out["grads"] = {"y0": y0.grad.reshape(-1).tolist()}
            for k in ("W1", "b1", "W2", "b2"):
                out["grads"][k] = getattr(m, k).grad.reshape(-1).tolist()
        return out

    reply({
        "ok": True,
        "ready": True,
        "torch": torch.__version__,
        "torchdiffeq": getattr(torchdiffeq, "__version__", "unknown"),
        "threads": torch.get_num_threads(),
    })

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "load":
                with open(req["path"], "r") as fh:
                    w = json.load(fh)
                problems[req["name"]] = {
                    "float32": CountedMlp(w, torch.float32),
                    "float64": CountedMlp(w, torch.float64),
                    "train": TrainMlp(w),
                }
                reply({"ok": True})
            elif cmd == "solve":
                dtype = req.get("dtype") or "float32"
                f = problems[req["name"]][dtype]
                t = torch.tensor([0.0, float(req["T"])], dtype=f.y0.dtype)
                kwargs = {"method": req["method"]}
                if req["method"] == "rk4":
                    kwargs["options"] = {"step_size": float(req["stepSize"])}
                else:
                    kwargs["rtol"] = float(req["rtol"])
                    kwargs["atol"] = float(req["atol"])
                f.nfe = 0
                f.profile = bool(req.get("profile"))
                f.f_seconds = 0.0
                with torch.no_grad():
                    start = time.perf_counter()
                    ys = torchdiffeq.odeint(f, f.y0, t, **kwargs)
                    seconds = time.perf_counter() - start
                out = {"ok": True, "seconds": seconds, "nfe": f.nfe}
                if f.profile:
                    out["fSeconds"] = f.f_seconds
                if req.get("returnY"):
                    out["y"] = ys[-1].reshape(-1).tolist()
                reply(out)
            elif cmd == "train":
                reply(train_iteration(problems[req["name"]]["train"], req))
            elif cmd == "model_iteration":
                reply(model_iteration(req))
            elif cmd == "quit":
                reply({"ok": True})
                return 0
            else:
                reply({"ok": False, "error": "unknown command %r" % (cmd,)})
        except Exception as err:
            reply({"ok": False, "error": "%s: %s" % (type(err).__name__, err)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
