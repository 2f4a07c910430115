"""Write a PyTorch (or any) training loop's run into Neural ODE Studio's run store.

    from neural_ode_studio import Run

    with Run("spiral", {"train": {"iterations": 1000, "optimizer": {"name": "adam", "lr": 1e-3}}}) as run:
        for it in range(1, 1001):
            loss = step()
            run.log(it, loss=loss.item(), nfe_forward=func.nfe)
            if it % 100 == 0:
                run.checkpoint(func, it)

The run goes to `.neural-ode/runs/<id>/` under the current folder (or `runs_dir`), in the
files and formats the engine writes, so the Runs view and the Training curves show it.
Logging needs only the standard library; checkpoints need numpy (and read torch tensors
through their own methods, so torch is never imported here).
"""

__version__ = "0.1.0"

from .checkpoint import encode_checkpoint  # noqa: E402
from .run import Run, default_runs_dir  # noqa: E402

__all__ = ["Run", "default_runs_dir", "encode_checkpoint", "__version__"]
