"""The engine's checkpoint format, version 1 (engine/src/train/checkpointFormat.ts).

    offset 0   8 bytes   magic "NODECKPT"
    offset 8   uint32    format version (1)
    offset 12  uint32    H, the header length in bytes
    offset 16  H bytes   UTF-8 JSON header, space-padded so that the data start at a multiple of 8
    16 + H     D bytes   raw float64 little-endian data: every array of the header, one after another
    16 + H + D 32 bytes  SHA-256 of every byte before it

All integers little-endian. The header is { format, version, dataBytes, arrays, payload }, with
each array of the payload replaced by {"$array": k} and each non-finite number by
{"$number": "NaN" | "Infinity" | "-Infinity"}; keys of the payload's own that start with '$'
get one more '$'.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from typing import Any, Mapping

MAGIC = b"NODECKPT"
VERSION = 1


class Float64Array:
    """A flat float64 array for the payload (numpy's '<f8' bytes); stored as dtype float64."""

    def __init__(self, data: bytes, length: int) -> None:
        self.data, self.length = data, length


def state_arrays(model_or_state_dict: Any) -> tuple[bytes, int, list[dict[str, Any]], list[str]]:
    """The floating-point tensors of a module's state_dict (or a dict of tensors / arrays), in its
    order, flattened row-major into one float64 vector: (bytes, length, layout, skipped names),
    layout entries { name, shape, offset } as the engine's checkpoints name parameters."""
    import numpy as np

    state = model_or_state_dict.state_dict() if hasattr(model_or_state_dict, "state_dict") else model_or_state_dict
    if not isinstance(state, Mapping):
        raise TypeError("checkpoint() takes an nn.Module or a state_dict (a mapping of names to tensors or arrays)")
    parts: list[Any] = []
    layout: list[dict[str, Any]] = []
    skipped: list[str] = []
    offset = 0
    for name, value in state.items():
        if hasattr(value, "detach"):  # a torch tensor, read without importing torch
            if not value.is_floating_point():
                skipped.append(str(name))
                continue
            arr = value.detach().to("cpu").double().numpy()
        else:
            arr = np.asarray(value)
            if arr.dtype.kind != "f":
                skipped.append(str(name))
                continue
        flat = np.ascontiguousarray(arr, dtype="<f8").reshape(-1)
        layout.append({"name": str(name), "shape": [int(n) for n in arr.shape], "offset": offset})
        parts.append(flat)
        offset += flat.size
    data = np.concatenate(parts).tobytes() if parts else b""
    return data, offset, layout, skipped


def encode_checkpoint(value: Any) -> bytes:
    """One checkpoint file's bytes for a payload of plain data and Float64Array leaves."""
    arrays: list[Float64Array] = []
    entries: list[dict[str, Any]] = []
    offset = 0

    def walk(v: Any) -> Any:
        nonlocal offset
        if isinstance(v, Float64Array):
            entries.append({"offset": offset, "length": v.length, "dtype": "float64"})
            arrays.append(v)
            offset += 8 * v.length
            return {"$array": len(entries) - 1}
        if isinstance(v, bool) or v is None or isinstance(v, (str, int)):
            return v
        if isinstance(v, float):
            if math.isfinite(v):
                return v
            return {"$number": "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")}
        if isinstance(v, Mapping):
            return {("$" + k if k.startswith("$") else k): walk(x) for k, x in ((str(k), x) for k, x in v.items())}
        if isinstance(v, (list, tuple)):
            return [walk(x) for x in v]
        if hasattr(v, "tolist"):  # numpy / torch scalars and small arrays kept as JSON
            return walk(v.tolist())
        raise TypeError(f"a checkpoint cannot store a {type(v).__name__}")

    payload = walk(value)
    header = {"format": "neural-ode-checkpoint", "version": VERSION, "dataBytes": offset, "arrays": entries, "payload": payload}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    text += b" " * ((8 - (16 + len(text)) % 8) % 8)
    body = MAGIC + struct.pack("<II", VERSION, len(text)) + text + b"".join(a.data for a in arrays)
    return body + hashlib.sha256(body).digest()
