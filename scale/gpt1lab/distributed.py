# The process's place in a distributed run, from torchrun's environment contract only (WORLD_SIZE, RANK,
# LOCAL_RANK, MASTER_ADDR, MASTER_PORT): a cluster's torchrun sets it, and so does anything that starts the
# processes itself (our CI, launch_local.py), since Debian's torchrun fails on Python 3.11 in its elastic agent.
# NCCL between GPUs, gloo between CPU processes.
import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

from .errors import InputError


@dataclass
class Place:
    rank: int
    world: int
    local_rank: int
    device: torch.device

    @property
    def main(self):
        return self.rank == 0

    @property
    def backend(self):
        return "nccl" if self.device.type == "cuda" else "gloo"


def _env_int(name, default):
    text = os.environ.get(name)
    if text is None:
        return default
    if not text.isdigit():
        raise InputError(f"${name}", f"must be a non-negative integer, got {text!r}")
    return int(text)


def place_from_env(device="auto"):
    world = _env_int("WORLD_SIZE", 1)
    rank = _env_int("RANK", 0)
    local_rank = _env_int("LOCAL_RANK", 0)
    if world < 1 or rank >= world:
        raise InputError("$RANK", f"rank {rank} is outside a world of {world}")
    if world > 1:
        for name in ("MASTER_ADDR", "MASTER_PORT"):
            if not os.environ.get(name):
                raise InputError(f"${name}", "is not set: start the processes with torchrun (or its contract)")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise InputError("--device cuda", "no CUDA GPU is visible to PyTorch")
        if local_rank >= torch.cuda.device_count():
            raise InputError("$LOCAL_RANK", f"{local_rank}, but this machine shows {torch.cuda.device_count()} GPUs")
        torch.cuda.set_device(local_rank)
        return Place(rank, world, local_rank, torch.device("cuda", local_rank))
    return Place(rank, world, local_rank, torch.device("cpu"))


def start(place):
    if place.world > 1:
        dist.init_process_group(
            place.backend, init_method="env://", rank=place.rank, world_size=place.world, timeout=timedelta(minutes=30)
        )


def finish(place):
    if place.world > 1 and dist.is_initialized():
        dist.destroy_process_group()


def all_sum(place, tensor):
    if place.world > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def all_max(place, tensor):
    if place.world > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return tensor


def barrier(place):
    if place.world > 1:
        dist.barrier()
