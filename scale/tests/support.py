# What the Python tests share: where ../shared and the scripts are, the error measure of the TypeScript parity
# harness (max |ours - reference| / max |reference|), a tiny checkpoint folder in our engine's layout, a token file
# for it, and running continue_pretraining.py as torchrun would (N processes, its environment contract).
import json
import os
import subprocess
import sys

import numpy as np
import torch

from gpt1lab.checkpoint import param_shapes
from gpt1lab.config import Gpt1Config
from gpt1lab.safetensors_io import serialize_safetensors
from gpt1lab.token_file import token_file_bytes

SCALE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(SCALE)
SHARED = os.path.join(os.path.dirname(REPO), "shared")
HF_TINY = os.path.join(SHARED, "fixtures", "hf-tiny")
SCRIPT = os.path.join(SCALE, "continue_pretraining.py")
LAUNCHER = os.path.join(SCALE, "launch_local.py")

TINY = Gpt1Config(vocab_size=40, n_positions=16, n_embd=32, n_layer=2, n_head=4)
CHAR_TOKENIZER = {"kind": "char", "version": 1, "chars": [chr(97 + i) for i in range(39)], "specialTokens": []}


def max_rel(ours, reference):
    """max |ours - reference| / max |reference|: an error relative to the tensor's scale, as parity.ts reports."""
    ours, reference = ours.detach().double(), reference.detach().double()
    scale = reference.abs().max().item()
    diff = (ours - reference).abs().max().item()
    return diff / scale if scale > 0 else diff


def write_folder(folder, config=TINY, step=5, B=4, T=8, seed=11, moments=True, tokenizer=CHAR_TOKENIZER, total=60):
    """A checkpoint folder as our engine writes one (no manifest, as before issue 13), with random weights."""
    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    params = {k: torch.randn(s, generator=g) * 0.05 for k, s in sorted(param_shapes(config).items())}
    hf = {"model_type": "openai-gpt", "afn": "gelu", "architectures": ["OpenAIGPTLMHeadModel"], **config.sizes()}
    hf.update(layer_norm_epsilon=config.layer_norm_epsilon, embd_pdrop=config.embd_pdrop)
    hf.update(attn_pdrop=config.attn_pdrop, resid_pdrop=config.resid_pdrop, n_ctx=config.n_positions)
    files = {
        "config.json": json.dumps(hf, indent=2).encode(),
        "model.safetensors": serialize_safetensors(params, {"format": "pt"}),
        "README.md": b"# a tiny model\n",
    }
    if moments:
        flat = {}
        for k, p in params.items():
            flat[f"{k}.exp_avg"] = (torch.randn(p.shape, generator=g) * 1e-3).reshape(-1)
            flat[f"{k}.exp_avg_sq"] = (torch.rand(p.shape, generator=g) * 1e-6).reshape(-1)
        files["optimizer.safetensors"] = serialize_safetensors(flat, {"step": str(step)})
    state = {
        "format": "gpt1-lab-checkpoint",
        "version": 1,
        "kind": "pretrain",
        "step": step,
        "tokens": step * B * T,
        "seed": seed,
        "dataCursor": step * B,
        "B": B,
        "T": T,
        "schedule": {"kind": "warmup-cosine", "peakLr": 3e-3, "warmupSteps": 2, "totalSteps": total},
        "weightDecay": 0.01,
        "maxGradNorm": 1,
        "tokenizer": tokenizer,
        "notes": {"corpus": "synthetic"},
    }
    files["training_state.json"] = json.dumps(state, indent=1).encode()
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as file:
            file.write(data)
    return folder


def write_tokens(path, vocab=TINY.vocab_size, train=4000, val=600, tokenizer=CHAR_TOKENIZER, seed=3):
    """A token file of a learnable stream: mostly counting up modulo the vocabulary, with some noise."""
    rng = np.random.default_rng(seed)
    n = train + val
    ids = (np.arange(n) + (rng.random(n) < 0.1) * rng.integers(0, vocab, n)) % vocab
    with open(path, "wb") as file:
        file.write(token_file_bytes(tokenizer, vocab, ids[:train], ids[train:]))
    return path


def run_script(args, nproc=1, timeout=300):
    """continue_pretraining.py on `nproc` local processes; returns (exit code, last stdout JSON, stderr)."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    command = [sys.executable, LAUNCHER, "--nproc", str(nproc), "--threads", "1", SCRIPT, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, (json.loads(lines[-1]) if lines else None), done.stderr

