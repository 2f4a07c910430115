/** tensorfile.py: reads safetensors without the safetensors package (Debian's PyTorch has none). */
export const TENSORFILE_PY = `"""load_file(path) -> {name: tensor} for safetensors files (safetensors.torch.load_file when installed)."""

import json
import struct

import torch

_DTYPES = {"F64": torch.float64, "F32": torch.float32}


def load_file(path, device="cpu"):
    try:
        from safetensors.torch import load_file as load  # the reference reader, when installed
    except ImportError:
        load = None
    if load is not None:
        return load(path, device=device)
    with open(path, "rb") as fh:
        raw = fh.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        buf = bytearray(raw[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(buf, dtype=_DTYPES[info["dtype"]]).reshape(info["shape"]).to(device)
    return out
`;
