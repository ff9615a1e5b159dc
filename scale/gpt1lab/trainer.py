# The continued run: GPT-1 wrapped in DistributedDataParallel, each optimizer step drawing the global batch's
# windows from the run's data cursor exactly as our engine would (every process draws all of them and takes its
# rows), micro-batches accumulated without gradient sync until the last, the engine's clipping, schedule and
# AdamW, validation over the engine's fixed windows, and checkpoint folders written by rank 0.
#
# A micro-batch's dropout masks are seeded by (run seed, step, global micro-batch index), and micro-batch k holds
# rows [k*b, (k+1)*b) of the step's batch whatever the number of processes, so N processes x A micro-batches
# compute what one process with N*A micro-batches does, up to the order gradients are summed in.
import contextlib
import math
import sys
import time

import torch
from torch.nn.parallel import DistributedDataParallel

from . import distributed
from .batches import gather_windows, validation_starts, window_starts
from .checkpoint import write_checkpoint
from .model import Gpt1
from .optim import build_adamw, export_moments, load_moments, set_lr
from .rng import random_u32
from .schedule import learning_rate

# Seeds torch's dropout generator; a stream of our counter-based hash that the engine does not use.
DROPOUT_SEED_STREAM = 0x5CA1E


def dropout_seed(seed, step, micro_index):
    return (int(random_u32(seed, DROPOUT_SEED_STREAM, step)) << 32) | micro_index


class NonFiniteError(Exception):
    pass


class Trainer:
    def __init__(self, plan, args, place):
        self.plan, self.args, self.place = plan, args, place
        source = plan.source
        self.seed = source.state["seed"]
        self.max_grad_norm = source.state["maxGradNorm"] or math.inf  # 0 turns clipping off, as in the engine
        self.model = Gpt1(source.config, place.device).to(place.device)
        self.model.load_state_dict(source.params)
        self.optimizer = build_adamw(self.model, source.state["weightDecay"])
        load_moments(self.optimizer, self.model, source.moments, source.state["step"])
        if place.world > 1:
            ids = [place.local_rank] if place.device.type == "cuda" else None
            self.net = DistributedDataParallel(self.model, device_ids=ids)
        else:
            self.net = self.model
        self.step = source.state["step"]
        self.cursor = source.state["dataCursor"]
        self.tokens_seen = source.state["tokens"]
        self.stop_requested = False
        self.val_loss = None  # (step, loss) of the latest evaluation

    def autocast(self):
        if self.args.bf16:
            return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _tensors(self, ids, starts):
        inputs, targets = gather_windows(ids, starts, self.plan.T)  # [n, T] each
        device = self.place.device
        return torch.from_numpy(inputs).to(device), torch.from_numpy(targets).to(device)

    def train_step(self):
        """One optimizer step over the global batch; returns (mean loss, gradient norm, lr, stop requested)."""
        p, place = self.plan, self.place
        lr = learning_rate(p.schedule, self.step)
        set_lr(self.optimizer, lr)
        starts = window_starts(len(p.tokens.train), p.T, self.seed, self.cursor, p.global_batch)  # [G]
        per_process = p.micro_batch * p.accumulation
        mine = starts[place.rank * per_process : (place.rank + 1) * per_process]  # [micro * accumulation]
        loss_sum = torch.zeros((), device=place.device)
        for a in range(p.accumulation):
            x, y = self._tensors(p.tokens.train, mine[a * p.micro_batch : (a + 1) * p.micro_batch])  # [micro, T] each
            self.model.dropout_stream.seed(dropout_seed(self.seed, self.step, place.rank * p.accumulation + a))
            last = a == p.accumulation - 1
            sync = self.net.no_sync() if place.world > 1 and not last else contextlib.nullcontext()
            with sync:
                with self.autocast():
                    loss = self.net(x, y)  # mean over micro * T tokens
                (loss / p.accumulation).backward()  # DDP then averages over processes: the global batch's mean
            loss_sum += loss.detach().float()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        stats = torch.stack([loss_sum / p.accumulation, torch.tensor(float(self.stop_requested), device=place.device)])
        distributed.all_sum(place, stats)
        loss_mean, stop = stats[0].item() / place.world, stats[1].item() > 0
        norm = norm.item()
        self.step += 1
        self.cursor += p.global_batch
        self.tokens_seen += p.global_batch * p.T
        if not (math.isfinite(loss_mean) and math.isfinite(norm)):
            raise NonFiniteError(
                f"step {self.step}: the loss is {loss_mean} and the gradient norm {norm}; nothing was saved past "
                "the last checkpoint. Lower the learning rate, or resume from the last checkpoint."
            )
        return loss_mean, norm, lr, stop

    def evaluate(self):
        """Mean loss over the engine's fixed validation windows (batch = the global batch), dropout off."""
        p, place = self.plan, self.place
        starts = validation_starts(len(p.tokens.val), p.global_batch, p.T, self.args.eval_batches)  # [n]
        total = torch.zeros(2, dtype=torch.float64, device=place.device)  # summed token losses, tokens
        self.model.eval()
        with torch.no_grad():
            for j, first in enumerate(range(0, len(starts), p.micro_batch)):
                if j % place.world != place.rank:
                    continue
                x, y = self._tensors(p.tokens.val, starts[first : first + p.micro_batch])  # [micro, T] each
                with self.autocast():
                    total[0] += self.model(x, y, reduction="sum").double()
                total[1] += y.numel()
        self.model.train()
        distributed.all_sum(place, total)
        loss = (total[0] / total[1]).item()
        self.val_loss = (self.step, loss)
        return loss

    def save(self):
        """Rank 0 writes checkpoint-N in --out; every process waits for it. Returns the folder."""
        folder = None
        if self.place.main:
            folder = write_checkpoint(
                self.args.out,
                {k: v.detach().cpu() for k, v in self.model.state_dict().items()},
                export_moments(self.optimizer, self.model),
                self._state(),
                self._copied(),
                keep=self.args.keep,
            )
        distributed.barrier(self.place)
        return folder

    def _state(self):
        p = self.plan
        state = dict(p.source.state)
        state.update(
            step=self.step,
            tokens=self.tokens_seen,
            dataCursor=self.cursor,
            B=p.global_batch,
            T=p.T,
            schedule=p.schedule,
        )
        notes = dict(state.get("notes") or {})
        notes.update(
            continuedWith="PyTorch DistributedDataParallel (scale/continue_pretraining.py)",
            continuedFromStep=p.start.state["step"],
            processes=self.place.world,
            device=self.place.device.type,
        )
        if self.val_loss is not None:
            notes.update(finalValLoss=self.val_loss[1], valLossStep=self.val_loss[0])
        state["notes"] = notes
        return state

    def _copied(self):
        copied = dict(self.plan.start.copied)
        p, place = self.plan, self.place
        processes = f"{place.world} {place.device.type} process{'es' if place.world > 1 else ''}"
        ddp = " with DistributedDataParallel" if place.world > 1 else ""
        line = (
            f"\n## Continued with PyTorch\n\nSteps {p.start.state['step']} to {self.step} ran in PyTorch "
            f"(scale/continue_pretraining.py) on {processes}{ddp}, {p.global_batch} x {p.T} tokens per step.\n"
        )
        copied["README.md"] = copied.get("README.md", b"") + line.encode("utf-8")
        return copied

    def run(self, log):
        p, args = self.plan, self.args
        train_seconds, steps, loss = 0.0, 0, math.nan
        stopped = False
        while self.step < p.target_step:
            began = time.perf_counter()
            loss, norm, lr, stopped = self.train_step()
            train_seconds += time.perf_counter() - began
            steps += 1
            rate = steps * p.global_batch * p.T / train_seconds
            if self.step % args.log_every == 0 or self.step == p.target_step:
                log(f"step {self.step}: loss {loss:.4f}, grad norm {norm:.3f}, lr {lr:.2e}, {rate:.0f} tokens/s")
            if args.eval_every and self.step % args.eval_every == 0 and self.step < p.target_step:
                log(f"step {self.step}: val loss {self.evaluate():.4f}")
            if stopped:
                log(f"step {self.step}: stopping on request; run the same command again to continue")
                break
            if args.save_every and self.step % args.save_every == 0 and self.step < p.target_step:
                log(f"step {self.step}: saved {self.save()}")
        if steps == 0 and p.resumed:  # an earlier launch already finished this continuation
            folder, val = p.source.folder, p.source.state.get("notes", {}).get("finalValLoss")
        else:
            val = self.evaluate()
            log(f"step {self.step}: val loss {val:.4f}")
            folder = self.save()
        return {
            "checkpoint": folder,
            "step": self.step,
            "steps": steps,
            "tokens": self.tokens_seen,
            "trainLoss": loss,
            "valLoss": val,
            "tokensPerSecond": steps * p.global_batch * p.T / train_seconds if steps else 0.0,
            "processes": self.place.world,
            "device": str(self.place.device.type),
            "globalBatch": p.global_batch,
            "microBatch": p.micro_batch,
            "accumulation": p.accumulation,
            "resumedFrom": p.source.folder if p.resumed else None,
            "stopped": stopped and self.step < p.target_step,
        }


def log_to_stderr(place):
    def log(message):
        if place.main:
            print(message, file=sys.stderr, flush=True)

    return log
