# The engine's counter-based random numbers (src/runtime/random.ts, shaders/random.wgsl): the lowbias32 hash of
# (seed, stream, index). Mirrored bit for bit so the data windows drawn here are the ones our engine would draw
# from the same cursor. Vectorised over indices with numpy's wrapping uint32 arithmetic.
import numpy as np

MASK = 0xFFFFFFFF


def lowbias32(x):
    """lowbias32 (C. Wellons) of a uint32 array (or int)."""
    x = np.asarray(x, dtype=np.uint32)
    with np.errstate(over="ignore"):  # the hash multiplies modulo 2^32 on purpose
        x = x ^ (x >> np.uint32(16))
        x = x * np.uint32(0x7FEB352D)
        x = x ^ (x >> np.uint32(15))
        x = x * np.uint32(0x846CA68B)
        x = x ^ (x >> np.uint32(16))
    return x


def random_u32(seed, stream, index):
    key = (stream + int(lowbias32(seed & MASK))) & MASK
    base = np.uint32(int(lowbias32(key)))
    with np.errstate(over="ignore"):
        return lowbias32(np.asarray(index, dtype=np.uint64).astype(np.uint32) + base)


def random_uniform(seed, stream, index):
    """Uniform in [0, 1) with 24 bits, as float64 (exactly the engine's value)."""
    return (random_u32(seed, stream, index) >> np.uint32(8)).astype(np.float64) / 16777216.0
