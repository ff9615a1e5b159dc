#!/usr/bin/env python3
"""Native baseline for `npm run bench -- native`: GPT-1 trained by PyTorch eager on a CUDA GPU.

Hugging Face's OpenAIGPTLMHeadModel built from a config (no download), random token ids, AdamW (0.9, 0.999),
weight decay 0.01 on matrices only, gradient clipping at norm 1, dropout 0.1 as GPT-1 (--no-dropout: off):
the step gpt1-lab's engine runs. Modes: fp32 with TF32 off, fp32 with TF32 matmuls, and bf16 autocast
(TF32 off). tokens/s counts batch x context tokens per step, as gpt1-lab does (HF's loss predicts the
context's last T-1 tokens). No per-step host sync: the loss is read once after the timed steps.

Progress goes to stderr; the last stdout line is one JSON object. Exit 3, with {"error": ...}, when there is
no CUDA GPU (or no PyTorch/transformers).
"""
import argparse
import json
import sys
import time

PRESETS = {  # n_layer, n_embd, n_head, n_positions, vocab (src/model/config.ts)
    "tiny": (2, 64, 4, 64, 256),
    "small": (6, 384, 6, 256, 4096),
    "gpt1": (12, 768, 12, 512, 40478),
}
NO_CUDA = "no CUDA GPU: native runs only on the GPU machine"


def fail(message):
    print(json.dumps({"error": message}))
    sys.exit(3)


def log(line):
    print(line, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--preset", default="gpt1", choices=sorted(PRESETS))
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--context", type=int, default=None, help="default: the preset's context")
    p.add_argument("--vocab", type=int, default=None)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--modes", default="fp32,tf32,bf16")
    p.add_argument("--no-dropout", action="store_true")
    p.add_argument("--check", action="store_true", help="only check for PyTorch, transformers and CUDA")
    return p.parse_args()


def build(torch, transformers, args, seed=0):
    n_layer, n_embd, n_head, n_pos, vocab = PRESETS[args.preset]
    T = args.context or n_pos
    drop = 0.0 if args.no_dropout else 0.1
    config = transformers.OpenAIGPTConfig(
        vocab_size=args.vocab or vocab,
        n_positions=max(n_pos, T),
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        afn="gelu",
        resid_pdrop=drop,
        embd_pdrop=drop,
        attn_pdrop=drop,
        layer_norm_epsilon=1e-5,
        initializer_range=0.02,
    )
    torch.manual_seed(seed)
    model = transformers.OpenAIGPTLMHeadModel(config).cuda().train()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
        lr=1e-4,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    return model, optimizer, config, T


def set_tf32(torch, on):
    matmul = torch.backends.cuda.matmul
    if hasattr(matmul, "fp32_precision"):  # PyTorch >= 2.9; mixing it with allow_tf32 is an error there
        matmul.fp32_precision = "tf32" if on else "ieee"
    else:
        matmul.allow_tf32 = on


def run_mode(torch, transformers, args, mode):
    started = time.time()  # epoch seconds: the caller's nvidia-smi sampler takes this mode's peak over the window
    set_tf32(torch, mode == "tf32")
    model, optimizer, config, T = build(torch, transformers, args)
    B = args.batch
    batches = [torch.randint(0, config.vocab_size, (B, T), device="cuda") for _ in range(8)]
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()

    def step(i):
        ids = batches[i % len(batches)]
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=mode == "bf16"):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss

    for i in range(args.warmup):
        step(i)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(args.steps):
        loss = step(i)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    result = {
        "mode": mode,
        "tokensPerSecond": args.steps * B * T / seconds,
        "msPerStep": 1000 * seconds / args.steps,
        "maxMemoryAllocatedBytes": torch.cuda.max_memory_allocated(),
        "loss": float(loss.item()),
    }
    log(f"{mode}: {result['tokensPerSecond']:.0f} tokens/s, {result['msPerStep']:.2f} ms/step, "
        f"max allocated {result['maxMemoryAllocatedBytes'] / 2**20:.0f} MiB")
    params = sum(p.numel() for p in model.parameters())
    del model, optimizer, batches
    torch.cuda.empty_cache()
    result["window"] = [started, time.time()]
    return result, config, T, params


def main():
    args = parse_args()
    try:
        import torch
    except ImportError:
        fail(f"{NO_CUDA} (PyTorch is not installed for {sys.executable})")
    if not torch.cuda.is_available():
        fail(NO_CUDA)
    try:
        import transformers
        transformers.OpenAIGPTLMHeadModel  # noqa: B018 (fails early when the class is gone)
    except (ImportError, AttributeError) as error:
        fail(f"transformers with OpenAIGPTLMHeadModel is needed: {error}")
    if args.check:
        print(json.dumps({"ok": True, "device": torch.cuda.get_device_name(), "torch": torch.__version__,
                          "transformers": transformers.__version__}))
        return
    results = []
    config = T = params = None
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        if mode not in ("fp32", "tf32", "bf16"):
            fail(f"unknown mode {mode} (fp32, tf32, bf16)")
        result, config, T, params = run_mode(torch, transformers, args, mode)
        results.append(result)
    print(json.dumps({
        "runtime": "pytorch eager (transformers OpenAIGPTLMHeadModel)",
        "device": torch.cuda.get_device_name(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "model": {"nLayer": config.n_layer, "nEmbd": config.n_embd, "nHead": config.n_head,
                  "vocabSize": config.vocab_size, "params": params, "dropout": config.resid_pdrop},
        "B": args.batch,
        "T": T,
        "steps": args.steps,
        "warmup": args.warmup,
        "results": results,
    }))


if __name__ == "__main__":
    main()
