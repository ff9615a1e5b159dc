# safetensors in plain Python (no `safetensors` package: Debian's python3-torch does not bring it): 8-byte
# little-endian header length N, N bytes of UTF-8 JSON, then raw little-endian tensor data. The reader makes the
# checks of the reference implementation (header bounds, a JSON object, string metadata, known dtypes, offsets
# contiguous and covering the data exactly), so a truncated or foreign file is refused naming the file and tensor.
import json
import os
import struct
import sys

import numpy as np
import torch

from .errors import InputError

# The reference's cap on the JSON header.
MAX_HEADER_BYTES = 100_000_000

DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),  # no numpy bfloat16: read as bits and widened below
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
FLOATS = ("F64", "F32", "F16", "BF16")

if sys.byteorder != "little":  # torch tensors are written from their native bytes
    raise ImportError("gpt1lab's safetensors I/O needs a little-endian host")


def _fail(path, message):
    raise InputError(path, message)


def read_header(path, data):
    """(metadata, {name: (dtype, shape, begin, end)}, data_start) after every container check."""
    if len(data) < 8:
        _fail(path, f"{len(data)} bytes is too short for a safetensors file")
    (n,) = struct.unpack_from("<Q", data, 0)
    if n > MAX_HEADER_BYTES or n > len(data) - 8:
        _fail(path, f"header length {n} does not fit the file ({len(data)} bytes): truncated or not safetensors")
    try:
        header = json.loads(bytes(data[8 : 8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        _fail(path, f"the header is not UTF-8 JSON ({error})")
    if not isinstance(header, dict):
        _fail(path, "the header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        _fail(path, "__metadata__ must map strings to strings")
    entries = {}
    for name, info in header.items():
        if not isinstance(info, dict):
            _fail(path, f"tensor '{name}': header entry is not an object")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in DTYPES:
            _fail(path, f"tensor '{name}': dtype {dtype!r} is not supported")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            _fail(path, f"tensor '{name}': shape must be a list of non-negative integers")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)):
            _fail(path, f"tensor '{name}': data_offsets must be [begin, end]")
        begin, end = offsets
        expected = int(np.prod(shape, dtype=np.int64)) * DTYPES[dtype].itemsize
        if end - begin != expected:
            _fail(path, f"tensor '{name}': {end - begin} bytes for shape {shape} of {dtype} ({expected} expected)")
        entries[name] = (dtype, shape, begin, end)
    position = 0
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda item: (item[1][2], item[1][3])):
        if begin != position:
            _fail(path, f"tensor '{name}' starts at byte {begin} of the data, expected {position} (gap or overlap)")
        position = end
    available = len(data) - 8 - n
    if position != available:
        what = "truncated" if position > available else "trailing bytes"
        _fail(path, f"the header describes {position} data bytes, the file holds {available} ({what})")
    return metadata, entries, 8 + n


def _to_tensor(dtype, shape, raw):
    array = np.frombuffer(raw, dtype=DTYPES[dtype])
    if dtype == "BF16":
        # bfloat16 is the top half of a float32: widen by shifting the bits up.
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return torch.from_numpy(array.copy() if not array.flags.writeable else array).reshape(shape)


def read_safetensors(path, float32=False):
    """(metadata, {name: tensor}) from a file; `float32` widens every floating-point tensor to F32."""
    try:
        with open(path, "rb") as file:
            data = bytearray(file.read())  # writable, so numpy views need no copy
    except OSError as error:
        _fail(path, f"cannot read ({error.strerror})")
    metadata, entries, start = read_header(path, data)
    view = memoryview(data)
    tensors = {}
    for name, (dtype, shape, begin, end) in entries.items():
        tensor = _to_tensor(dtype, shape, view[start + begin : start + end])
        if float32 and dtype in FLOATS:
            tensor = tensor.to(torch.float32)
        tensors[name] = tensor
    return metadata, tensors


def serialize_safetensors(tensors, metadata=None):
    """Bytes of a safetensors file holding `tensors` (name -> F32 tensor) in the given order."""
    header = {"__metadata__": dict(metadata)} if metadata else {}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        array = tensor.detach().to("cpu", torch.float32).contiguous().numpy()
        chunks.append(array.tobytes())
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the reference pads the header so tensor data starts 8-byte aligned
    return b"".join([struct.pack("<Q", len(text)), text, *chunks])


def write_safetensors(path, tensors, metadata=None):
    with open(path, "wb") as file:
        file.write(serialize_safetensors(tensors, metadata))
        file.flush()
        os.fsync(file.fileno())
