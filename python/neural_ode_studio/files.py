"""Durable files, run ids and the run lock, as the engine writes them (engine/src/train)."""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import socket
from datetime import datetime, timezone
from typing import Any

_TMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def iso_time(now: datetime | None = None) -> str:
    """UTC time as JavaScript's toISOString writes it: 2026-11-22T08:15:30.123Z."""
    now = now or datetime.now(timezone.utc)
    return now.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def slug(name: str) -> str:
    """A file-name-safe form of an experiment name: lower case, [a-z0-9-], at most 40 characters."""
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].rstrip("-")
    return s or "run"


def make_run_id(experiment: str, now: datetime) -> str:
    """UTC start time to the second, the slug and 4 random hex digits: 20261122-081530-spiral-3f2a."""
    return f"{now.astimezone(timezone.utc):%Y%m%d-%H%M%S}-{slug(experiment)}-{secrets.token_hex(2)}"


def temp_name(directory: str, base: str) -> str:
    """`.<base>.<pid>.<random>.tmp`, the form the engine's cleanTempFiles recognises."""
    rand = "".join(secrets.choice(_TMP_CHARS) for _ in range(8))
    return os.path.join(directory, f".{base}.{os.getpid()}.{rand}.tmp")


def write_durably(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_dir(directory: str) -> None:
    """Makes renames in the folder durable; a no-op where folders cannot be fsynced."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def plain(value: Any, non_finite: str = "null") -> Any:
    """A JSON-ready copy: numpy/torch scalars and arrays become numbers and lists; a non-finite
    float becomes None (as JSON.stringify writes it) or, with non_finite='string', "NaN"/"Infinity"/"-Infinity"."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        if non_finite == "string":
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return None
    if isinstance(value, dict):
        return {str(k): plain(v, non_finite) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, non_finite) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return plain(value.tolist(), non_finite)
    if hasattr(value, "item"):
        return plain(value.item(), non_finite)
    raise TypeError(f"cannot write a {type(value).__name__} as JSON: use numbers, strings, lists and dicts")


def write_json_atomic(path: str, value: Any) -> None:
    """JSON.stringify(value, null, 2) + newline, written to a temporary file, fsynced and renamed."""
    directory, base = os.path.split(path)
    tmp = temp_name(directory, base)
    text = json.dumps(plain(value), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_durably(tmp, text.encode("utf-8"))
    os.replace(tmp, path)
    sync_dir(directory)


def _process_start(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (clock ticks after boot), or None without /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            stat = f.read()
    except OSError:
        return None
    rest = stat[stat.rfind(")") + 2:].split(" ")
    start = rest[22 - 3] if len(rest) > 22 - 3 else None
    return start if start is not None and start.isdigit() else None


def _boot_id() -> str | None:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="utf-8") as f:
            return f.read().strip() or None
    except OSError:
        return None


def take_lock(directory: str) -> dict[str, Any]:
    """Creates `run.lock` in a fresh run folder, whole and at once (a temporary file hard-linked
    to the name; O_EXCL where links are unsupported). Returns the lock written."""
    lock: dict[str, Any] = {"pid": os.getpid(), "hostname": socket.gethostname()}
    start, boot = _process_start(os.getpid()), _boot_id()
    if start is not None:
        lock["processStart"] = start
    if boot is not None:
        lock["bootId"] = boot
    lock["startedAt"] = iso_time()
    lock["token"] = secrets.token_hex(8)
    text = (json.dumps(lock, indent=2) + "\n").encode("utf-8")
    file = os.path.join(directory, "run.lock")
    tmp = temp_name(directory, "run.lock")
    write_durably(tmp, text)
    try:
        os.link(tmp, file)
    except FileExistsError:
        raise RuntimeError(f"{file} exists: another process writes this run") from None
    except OSError:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            os.write(fd, text)
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
    sync_dir(directory)
    return lock


def release_lock(directory: str, lock: dict[str, Any]) -> None:
    """Removes run.lock if it is the one `lock` names (never another process's)."""
    file = os.path.join(directory, "run.lock")
    try:
        with open(file, encoding="utf-8") as f:
            held = json.load(f)
    except (OSError, ValueError):
        return
    if isinstance(held, dict) and held.get("token") == lock["token"]:
        try:
            os.remove(file)
        except FileNotFoundError:
            pass
