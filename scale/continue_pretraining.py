# Continues a gpt1-lab pre-training run with PyTorch DistributedDataParallel, one process per GPU (or CPU
# process), started by torchrun:
#   torchrun --nproc_per_node N scale/continue_pretraining.py --ckpt RUN --tokens tokens.bin --out OUT --steps S
# It reads only torchrun's environment contract (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT). Inputs
# are checked whole before anything is written; OUT/checkpoint-N folders load back in gpt1-lab like its own; the
# same command started again resumes from the newest of them. Progress goes to stderr; the last stdout line is one
# JSON object (rank 0), as the gpt1-lab CLI does. Exit codes: 0 done or stopped cleanly, 1 failed, 2 bad input.
import json
import os
import signal
import sys

import torch

from gpt1lab import distributed
from gpt1lab.errors import InputError
from gpt1lab.plan import make_plan, parse_args
from gpt1lab.trainer import NonFiniteError, Trainer, log_to_stderr


def fail(rank, world, message, code):
    prefix = f"[rank {rank}] " if world > 1 else ""
    print(f"{prefix}error: {message}", file=sys.stderr, flush=True)
    if rank == 0:
        print(json.dumps({"error": message}), flush=True)
    return code


def main(argv):
    args = parse_args(argv)
    try:
        place = distributed.place_from_env(args.device)
        plan = make_plan(args, place)
    except InputError as error:
        rank, world = os.environ.get("RANK", "0"), os.environ.get("WORLD_SIZE", "1")
        return fail(int(rank) if rank.isdigit() else 0, int(world) if world.isdigit() else 1, str(error), 2)
    if args.tf32:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    log = log_to_stderr(place)
    distributed.start(place)
    try:
        trainer = Trainer(plan, args, place)

        def request_stop(signum, frame):
            trainer.stop_requested = True  # honoured at the next step boundary, on every process at once

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        origin = f"resuming from {plan.source.folder}" if plan.resumed else f"from {plan.start.folder}"
        log(
            f"step {trainer.step} -> {plan.target_step} {origin}: {place.world} x {place.device.type} "
            f"({place.backend if place.world > 1 else 'one process'}), {plan.global_batch} x {plan.T} tokens per step "
            f"= {place.world} processes x {plan.accumulation} micro-batches x {plan.micro_batch}"
        )
        summary = trainer.run(log)
        if place.main:
            print(json.dumps(summary), flush=True)
        return 0
    except NonFiniteError as error:
        return fail(place.rank, place.world, str(error), 1)
    finally:
        distributed.finish(place)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
