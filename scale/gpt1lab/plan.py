# continue_pretraining.py's options and everything decided before training starts: the input folder and token
# file read and checked against each other, where to resume from (the newest complete folder of --out, when an
# earlier launch of this continuation saved one), the batch split into processes and micro-batches, and the
# schedule. Every refusal is an InputError naming the file, raised before anything is written.
import argparse
import os
from dataclasses import dataclass

from .checkpoint import Checkpoint, complete_checkpoints, read_checkpoint
from .errors import InputError
from .token_file import TokenFile, read_token_file, tokenizer_sha256


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="continue_pretraining.py",
        description="Continue a gpt1-lab pre-training run under torchrun (DistributedDataParallel).",
    )
    p.add_argument("--ckpt", required=True, help="checkpoint folder exported by gpt1-lab (or written by this script)")
    p.add_argument("--tokens", required=True, help="token file from `npm run cli -- encode` with the same --ckpt")
    p.add_argument("--out", required=True, help="run folder: checkpoint-N checkpoints go here; a restart resumes")
    p.add_argument("--steps", type=int, required=True, help="optimizer steps to run past --ckpt's step")
    p.add_argument("--total-steps", type=int, help="schedule length (default: the checkpoint's); extends the cosine")
    p.add_argument("--batch-tokens", type=int, help="tokens per optimizer step (default: the checkpoint's B x T)")
    p.add_argument("--micro-batch", type=int, help="sequences per forward per process (default: no accumulation)")
    p.add_argument("--eval-every", type=int, default=0, help="validation loss every N steps (0: at the end only)")
    p.add_argument("--eval-batches", type=int, default=4, help="validation batches (the engine's evaluate: 4)")
    p.add_argument("--save-every", type=int, default=0, help="save every N steps (0: at the end and when stopped)")
    p.add_argument("--keep", type=int, default=2, help="complete checkpoint folders to keep in --out")
    p.add_argument("--log-every", type=int, default=10, help="progress line every N steps")
    p.add_argument("--fresh-optimizer", action="store_true", help="allow a folder without optimizer.safetensors")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--tf32", action="store_true", help="TF32 matmuls on NVIDIA GPUs")
    p.add_argument("--bf16", action="store_true", help="bf16 autocast on GPUs (weights and Adam stay f32)")
    args = p.parse_args(argv)
    for name in ("steps", "total_steps", "batch_tokens", "micro_batch", "eval_batches", "keep", "log_every"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    for name in ("eval_every", "save_every"):
        if getattr(args, name) < 0:
            p.error(f"--{name.replace('_', '-')} must be 0 or more")
    return args


@dataclass
class Plan:
    source: Checkpoint  # where the weights come from: --ckpt, or the newest folder of --out when resuming
    start: Checkpoint  # --ckpt itself
    tokens: TokenFile
    target_step: int
    schedule: dict
    T: int
    global_batch: int  # sequences per optimizer step, over all processes
    micro_batch: int  # sequences per forward
    accumulation: int  # micro-batches per process per step
    resumed: bool


def check_tokens(tokens, ckpt):
    state_path = os.path.join(ckpt.folder, "training_state.json")
    header = tokens.header
    kind, vocab = ckpt.state["tokenizer"]["kind"], ckpt.config.vocab_size
    if header["tokenizer"] != kind or header["vocab_size"] != vocab:
        raise InputError(
            tokens.path,
            f"was encoded with a {header['tokenizer']} tokenizer of {header['vocab_size']} ids, but {state_path} "
            f"has a {kind} tokenizer and config.json {vocab} ids: encode the corpus again with --ckpt {ckpt.folder}",
        )
    if header["tokenizer_sha256"] != tokenizer_sha256(ckpt.state["tokenizer"]):
        raise InputError(
            tokens.path,
            f"was encoded with another {kind} tokenizer than {state_path}'s (its SHA-256 differs): "
            f"encode the corpus again with --ckpt {ckpt.folder}",
        )
    T = ckpt.state["T"]
    for split, ids in (("train", tokens.train), ("validation", tokens.val)):
        if len(ids) < T + 1:
            raise InputError(tokens.path, f"{len(ids)} {split} tokens cannot fill one window of {T}+1")


def _resume_source(out, start):
    """The newest complete folder of --out, checked to be this run's; None when there is none."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError(out, "exists and is not a folder")
    folders = complete_checkpoints(out)
    if not folders:
        return None
    latest = read_checkpoint(folders[-1], fresh_optimizer=False)
    if latest.config != start.config:
        raise InputError(
            os.path.join(latest.folder, "config.json"),
            f"is a model of {latest.config.sizes()}, --ckpt is {start.config.sizes()}: use another --out",
        )
    if latest.state["tokenizer"] != start.state["tokenizer"] or latest.state["seed"] != start.state["seed"]:
        raise InputError(
            os.path.join(latest.folder, "training_state.json"),
            "is another run (tokenizer or seed differ from --ckpt's): use another --out",
        )
    if latest.state["step"] < start.state["step"]:
        raise InputError(latest.folder, f"is at step {latest.state['step']}, before --ckpt's {start.state['step']}")
    return latest


def _batch(args, state, world):
    T = state["T"]
    tokens = args.batch_tokens if args.batch_tokens is not None else state["B"] * T
    if tokens % T:
        raise InputError("--batch-tokens", f"{tokens} is not a multiple of the context {T}")
    G = tokens // T
    micro = args.micro_batch if args.micro_batch is not None else G // world
    if micro < 1 or G % (world * micro):
        raise InputError(
            "--batch-tokens", f"{G} sequences per step do not split into {world} processes x micro-batches of {micro}"
        )
    return T, G, micro, G // (world * micro)


def make_plan(args, place):
    start = read_checkpoint(args.ckpt, fresh_optimizer=args.fresh_optimizer)
    tokens = read_token_file(args.tokens)
    check_tokens(tokens, start)
    latest = _resume_source(args.out, start)
    target = start.state["step"] + args.steps
    source = latest or start
    schedule = dict(source.state["schedule"])
    if args.total_steps is not None:
        schedule["totalSteps"] = args.total_steps
    if target > schedule["totalSteps"]:
        raise InputError(
            "--total-steps" if args.total_steps is not None else os.path.join(source.folder, "training_state.json"),
            f"the schedule ends at step {schedule['totalSteps']} and --steps {args.steps} runs to step {target}: "
            "pass --total-steps to extend the cosine",
        )
    if (args.bf16 or args.tf32) and place.device.type != "cuda":
        raise InputError("--bf16" if args.bf16 else "--tf32", "needs a CUDA GPU; this run is on the CPU")
    T, G, micro, accumulation = _batch(args, start.state, place.world)
    return Plan(source, start, tokens, target, schedule, T, G, micro, accumulation, latest is not None)
