"""A run in the studio's run store, written from any training loop (engine/src/train/runStore.ts)."""

from __future__ import annotations

import atexit
import json
import math
import os
import time
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from . import __version__
from .checkpoint import Float64Array, encode_checkpoint, state_arrays
from .files import iso_time, make_run_id, plain, release_lock, sync_dir, take_lock, temp_name, write_durably, write_json_atomic

CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.jsonl"
RESULT_FILE = "result.json"
CHECKPOINT_LATEST = "checkpoint-latest.ckpt"
CHECKPOINT_PREV = "checkpoint-prev.ckpt"
CHECKPOINT_BEST = "checkpoint-best.ckpt"
STATUSES = ("finished", "failed", "cancelled")

# Metrics keys as the engine names them, for the keyword arguments of Run.log.
_METRIC_KEYS = {
    "nfe_forward": "nfeForward",
    "nfe_backward": "nfeBackward",
    "eval_loss": "evalLoss",
    "accuracy": "accuracy",
    "eval_accuracy": "evalAccuracy",
    "lr": "lr",
    "grad_norm": "gradNorm",
    "wall_seconds": "wallSeconds",
    "iteration_seconds": "iterationSeconds",
}


def default_runs_dir() -> str:
    """`.neural-ode/runs` under the current folder: the Runs view lists a workspace folder's."""
    return os.path.join(os.getcwd(), ".neural-ode", "runs")


def _number(v: Any) -> float | int:
    """A Python number from a float, int, numpy scalar or one-element tensor."""
    if hasattr(v, "item") and not isinstance(v, (int, float)):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"a metric must be a number, got {type(v).__name__}")
    return v


class Run:
    """One run: creates `<runs_dir>/<id>/` with run.lock and config.json; `log` appends metrics
    lines, `checkpoint` writes checkpoints, `finish` writes result.json and releases the lock.

    `config` is recorded as config.json's `config` (after `name`); the Runs view and the Training
    curves read `runName`, `tags`, `note`, `task`, `solver: {method, rtol, atol}`, `gradient`,
    and `train: {iterations, optimizer: {name, lr}}` from it. As a context manager the run
    finishes 'finished', or 'failed' with the exception's message ('cancelled' on Ctrl-C).
    """

    def __init__(
        self,
        name: str,
        config: dict[str, Any] | None = None,
        runs_dir: str | os.PathLike[str] | None = None,
        *,
        run_name: str | None = None,
        tags: list[str] | None = None,
        note: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError("Run needs a name (the experiment's)")
        self.experiment = name
        self.root = os.fspath(runs_dir) if runs_dir is not None else default_runs_dir()
        os.makedirs(self.root, exist_ok=True)
        now = datetime.now(timezone.utc)
        for attempt in range(101):
            self.id = make_run_id(name, now)
            self.dir = os.path.join(self.root, self.id)
            try:
                os.mkdir(self.dir)  # not recursive: two runs never share a folder
                break
            except FileExistsError:
                if attempt == 100:
                    raise
        self._pid = os.getpid()
        # The lock first: a folder holding only run.lock is not listed, so no reader sees the run
        # without its writer.
        self._lock: dict[str, Any] | None = take_lock(self.dir)
        labels = {"runName": run_name, "tags": list(tags) if tags else None, "note": note}
        self.config: dict[str, Any] = {"name": name, **{k: v for k, v in labels.items() if v}, **(config or {})}
        write_json_atomic(
            os.path.join(self.dir, CONFIG_FILE),
            {"id": self.id, "experiment": name, "createdAt": iso_time(now), "engineVersion": f"{__version__}+python", "config": self.config},
        )
        self.metrics_file = os.path.join(self.dir, METRICS_FILE)
        self._fd: int | None = os.open(self.metrics_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        self._started = self._last = time.perf_counter()
        self._last_iteration: int | None = None
        self._last_loss: float | None = None
        self._last_eval: float | None = None
        self._best: tuple[int, float] | None = None
        atexit.register(self.close)

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def log(self, iteration: int, loss: float, nfe_forward: int | None = None, nfe_backward: int | None = None, **extra: Any) -> None:
        """Appends one metrics line ({"iteration":…,"loss":…,"nfeForward":…,…}, NaN/Infinity as
        strings) with one write. `eval_loss`, `accuracy`, `eval_accuracy`, `lr`, `grad_norm`,
        `wall_seconds` and `iteration_seconds` take the engine's names; wallSeconds (since the
        run started) and iterationSeconds (since the previous line) are filled in unless given.
        Any other keyword is written as it is named."""
        if self._fd is None:
            raise RuntimeError(f"run {self.id} is finished; metrics cannot be appended")
        it = _number(iteration)
        if not isinstance(it, int) and not (isinstance(it, float) and math.isfinite(it)):
            raise ValueError(f"a metrics line needs a finite iteration number, got {iteration!r}")
        now = time.perf_counter()
        record: dict[str, Any] = {"iteration": it, "loss": _number(loss)}
        extra = {"nfe_forward": nfe_forward, "nfe_backward": nfe_backward, **extra}
        extra.setdefault("wall_seconds", now - self._started)
        extra.setdefault("iteration_seconds", now - self._last)
        for key, value in extra.items():
            if value is not None:
                record[_METRIC_KEYS.get(key, key)] = value if isinstance(value, (str, dict, list)) else _number(value)
        self._last = now
        line = json.dumps(plain(record, non_finite="string"), separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"
        os.write(self._fd, line.encode("utf-8"))
        self._last_iteration = it
        self._last_loss = record["loss"]
        if isinstance(record.get("evalLoss"), (int, float)):
            self._last_eval = record["evalLoss"]

    def checkpoint(self, model_or_state_dict: Any, iteration: int, best: bool = False, eval_loss: float | None = None, **extra: Any) -> str:
        """Writes `{ iteration, params, layout, ...extra }` in the engine's checkpoint format:
        params the state_dict's floating-point tensors as one float64 vector (state_dict order,
        row-major), layout their names, shapes and offsets. The latest replaces
        checkpoint-latest.ckpt (the previous one kept as checkpoint-prev.ckpt); best=True
        replaces checkpoint-best.ckpt, with `evalLoss` (eval_loss, else the last logged).
        Written to a temporary file, fsynced and renamed. Returns the file written."""
        if self._fd is None:
            raise RuntimeError(f"run {self.id} is finished; checkpoints cannot be written")
        if isinstance(iteration, bool) or not isinstance(iteration, int) or iteration < 0:
            raise ValueError(f"a checkpoint needs an integer iteration >= 0, got {iteration!r}")
        data, length, layout, _ = state_arrays(model_or_state_dict)
        payload: dict[str, Any] = {"iteration": iteration, "params": Float64Array(data, length), "layout": layout, **extra}
        if best:
            ev = eval_loss if eval_loss is not None else self._last_eval
            if ev is not None:
                payload["evalLoss"] = float(_number(ev))
                self._best = (iteration, payload["evalLoss"])
        elif eval_loss is not None:
            payload["evalLoss"] = float(_number(eval_loss))
        body = encode_checkpoint(payload)
        os.fsync(self._fd)
        target = os.path.join(self.dir, CHECKPOINT_BEST if best else CHECKPOINT_LATEST)
        tmp = temp_name(self.dir, f"checkpoint-best-{iteration}" if best else f"checkpoint-{iteration}")
        write_durably(tmp, body)
        if not best and os.path.exists(target):
            # Keep the newest as prev; a hard link leaves `latest` in place throughout.
            prev_tmp = temp_name(self.dir, "checkpoint-prev")
            try:
                os.link(target, prev_tmp)
            except OSError:
                with open(target, "rb") as f:
                    write_durably(prev_tmp, f.read())
            os.replace(prev_tmp, os.path.join(self.dir, CHECKPOINT_PREV))
        os.replace(tmp, target)
        sync_dir(self.dir)
        return target

    def finish(self, status: str = "finished", message: str | None = None, **extra: Any) -> None:
        """Writes result.json ({ status, message?, iterations, finalLoss, evalLoss, ..., finishedAt }),
        closes the metrics stream and releases the run."""
        if status not in STATUSES:
            raise ValueError(f"a run ends as finished, failed or cancelled, got {status!r}")
        if self._fd is None:
            raise RuntimeError(f"run {self.id} is finished already")
        os.fsync(self._fd)
        result: dict[str, Any] = {"status": status}
        if message is not None:
            result["message"] = str(message)
        if self._last_iteration is not None:
            result["iterations"] = self._last_iteration
        if self._last_loss is not None and math.isfinite(self._last_loss):
            result["finalLoss"] = self._last_loss
        if self._last_eval is not None:
            result["evalLoss"] = self._last_eval
        if self._best is not None:
            result["bestIteration"], result["bestEvalLoss"] = self._best
        result.update(extra)
        result["finishedAt"] = iso_time()
        write_json_atomic(os.path.join(self.dir, RESULT_FILE), result)
        self.close()

    def close(self) -> None:
        """Closes the metrics stream and releases the lock without a result: the run then reads
        as interrupted. Called at exit for a run never finished."""
        if self._fd is None or os.getpid() != self._pid:
            return  # closed, or a forked child (a data loader's worker) that does not own the run
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        if self._lock is not None:
            release_lock(self.dir, self._lock)
            self._lock = None
        atexit.unregister(self.close)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is None or os.getpid() != self._pid:
            return
        if error is None:
            self.finish("finished")
        elif isinstance(error, KeyboardInterrupt):
            where = f" after iteration {self._last_iteration}" if self._last_iteration is not None else ""
            self.finish("cancelled", f"Stopped{where} (KeyboardInterrupt).")
        else:
            self.finish("failed", f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)

    def __repr__(self) -> str:
        return f"Run({self.id!r}, dir={self.dir!r})"
