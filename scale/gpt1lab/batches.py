# Language-model windows as our engine draws them (src/data/lm-batches.ts): training windows start at
# floor(u * (n - T)) with u from the run seed's data stream, one draw per row, so a data cursor (draws so far)
# continues the same sequence of windows here; validation uses fixed, evenly spaced windows, so a validation loss
# computed here is over the windows our engine's evaluate() uses.
import numpy as np

from .rng import random_uniform

# The random stream reserved for training-window positions (DATA_STREAM in lm-batches.ts).
DATA_STREAM = 1


def window_starts(n_tokens, T, seed, cursor, count):
    """Starts of `count` training windows drawn from `cursor` on ([count] int64)."""
    u = random_uniform(seed, DATA_STREAM, np.arange(cursor, cursor + count, dtype=np.uint64))  # [count]
    return np.floor(u * (n_tokens - T)).astype(np.int64)  # float64 product, as Math.floor(u * starts)


def gather_windows(ids, starts, T):
    """Inputs and next-token targets ([len(starts), T] int64 each) of windows of `ids` (any integer array)."""
    rows = np.stack([np.asarray(ids[s : s + T + 1], dtype=np.int64) for s in starts])  # [N, T+1]
    return rows[:, :-1], rows[:, 1:]


def validation_starts(n_tokens, B, T, max_batches):
    """Window starts of validationBatches(ids, B, T, max_batches), batch after batch ([batches * B])."""
    windows = (n_tokens - 1) // T
    if windows < 1:
        raise ValueError(f"{n_tokens} validation tokens cannot fill one window of {T}+1")
    count = min(windows, B * max_batches)
    stride = (n_tokens - T - 1) // max(1, count - 1)
    starts = []
    first = 0
    while first + B <= max(B, count):
        # When the split holds fewer than B windows, rows wrap around to repeat windows.
        starts.extend(((first + row) % count) * stride for row in range(B))
        first += B
        if len(starts) == B * max_batches:
            break
    return np.asarray(starts, dtype=np.int64)
