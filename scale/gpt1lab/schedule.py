# Learning-rate schedules as our engine computes them (src/train/schedule.ts), read from training_state.json:
# linear warm-up from 0, then cosine (pre-training) or linear decay to the minimum (minLr, 0 when absent), for
# the 0-based step about to run.
import math


def learning_rate(schedule, step):
    peak, warmup, total = schedule["peakLr"], schedule["warmupSteps"], schedule["totalSteps"]
    if warmup > 0 and step < warmup:
        return peak * (step + 1) / warmup
    decay_steps = max(1, total - warmup)
    progress = min(1.0, (step - warmup) / decay_steps)
    if schedule["kind"] == "warmup-cosine":
        fraction = 0.5 * (1 + math.cos(math.pi * progress))
    else:
        fraction = 1 - progress
    low = schedule.get("minLr", 0)
    return low + (peak - low) * fraction
