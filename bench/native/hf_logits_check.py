#!/usr/bin/env python3
"""Does our exported Hugging Face folder give our logits? transformers' OpenAIGPTLMHeadModel vs gpt1-lab.

Reads a folder written by `npm run bench -- native --export DIR` (bench/hf-export.ts): config.json and
model.safetensors, plus gpt1-lab-logits.json (a fixed batch of token ids, with the shape) and
gpt1-lab-logits.f32 (our logits for it, little-endian float32 [B, T, V]). Loads the folder with
OpenAIGPTLMHeadModel.from_pretrained, runs the batch in fp32 (TF32 off, eval mode: no dropout) and compares
the logits: relative error = max |ours - theirs| / max |theirs| (the parity harness's measure), which must be
at most --tolerance (the issue's 1e-4).

`--engine torch` replaces transformers by a plain PyTorch GPT-1 forward over the same files (post-LN blocks,
the -1e4 causal mask, tanh GELU, tied output layer): for machines without transformers, where it checks the
folder's layout and the comparison itself, not transformers' loading.

Progress goes to stderr; the last stdout line is one JSON object, with "pass". Exit 1 when it does not pass,
3 (with {"error": ...}) when PyTorch, transformers or the device is missing.
"""
import argparse
import json
import math
import os
import struct
import sys

REFERENCE_FILE = "gpt1-lab-logits.json"
DTYPES = {"F32": 4}


def fail(message, code=3):
    print(json.dumps({"error": message}))
    sys.exit(code)


def log(line):
    print(line, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--folder", required=True)
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--engine", default="transformers", choices=["transformers", "torch"])
    p.add_argument("--tolerance", type=float, default=1e-4)
    return p.parse_args()


def read_reference(torch, folder):
    """(reference json, ids [B, T] int64, our logits [B, T, V] float32)."""
    with open(os.path.join(folder, REFERENCE_FILE), encoding="utf-8") as f:
        ref = json.load(f)
    B, T, V = ref["B"], ref["T"], ref["V"]
    ids = torch.tensor(ref["ids"], dtype=torch.int64)
    if tuple(ids.shape) != (B, T):
        raise ValueError(f"{REFERENCE_FILE}: ids are {tuple(ids.shape)}, expected ({B}, {T})")
    with open(os.path.join(folder, ref["logitsFile"]), "rb") as f:
        raw = f.read()
    if len(raw) != B * T * V * 4:
        raise ValueError(f"{ref['logitsFile']}: {len(raw)} bytes, expected {B * T * V * 4} for [{B}, {T}, {V}] float32")
    ours = torch.frombuffer(bytearray(raw), dtype=torch.float32).reshape(B, T, V)
    return ref, ids, ours


def compare(ours, theirs, tolerance):
    """The parity harness's relative error: max |ours - theirs| / max |theirs|."""
    diff = (ours.double() - theirs.double()).abs()
    max_abs = float(diff.max())
    scale = float(theirs.double().abs().max())
    max_rel = max_abs / scale if scale > 0 else max_abs
    finite = math.isfinite(max_abs)
    return {"maxAbs": max_abs, "scale": scale, "maxRel": max_rel, "tolerance": tolerance,
            "pass": finite and max_rel <= tolerance}


def read_safetensors(torch, path):
    """name -> float32 tensor, from a safetensors file (F32 only, which is what we export)."""
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in DTYPES:
            raise ValueError(f"{path}: {name} is {info['dtype']}, expected F32")
        start, end = info["data_offsets"]
        buf = bytearray(data[base + start:base + end])
        tensors[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(info["shape"])
    return tensors


def torch_gpt1_logits(torch, folder, ids):
    """GPT-1 (Hugging Face OpenAIGPTLMHeadModel's numerics) in plain PyTorch, float64, from the folder."""
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    w = {k: v.double() for k, v in read_safetensors(torch, os.path.join(folder, "model.safetensors")).items()}
    F = torch.nn.functional
    B, T = ids.shape
    C, NH, eps = config["n_embd"], config["n_head"], config["layer_norm_epsilon"]
    hs = C // NH
    x = w["tokens_embed.weight"][ids] + w["positions_embed.weight"][:T]
    causal = torch.tril(torch.ones(T, T, dtype=torch.float64))
    for i in range(config["n_layer"]):
        p = lambda name: w[f"h.{i}.{name}"]  # noqa: E731
        qkv = x @ p("attn.c_attn.weight") + p("attn.c_attn.bias")
        q, k, v = (t.reshape(B, T, NH, hs).transpose(1, 2) for t in qkv.split(C, dim=-1))
        scores = q @ k.transpose(-1, -2) / math.sqrt(hs)
        scores = scores * causal - 1e4 * (1 - causal)
        a = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        a = a @ p("attn.c_proj.weight") + p("attn.c_proj.bias")
        n = F.layer_norm(x + a, (C,), p("ln_1.weight"), p("ln_1.bias"), eps)
        m = F.gelu(n @ p("mlp.c_fc.weight") + p("mlp.c_fc.bias"), approximate="tanh")
        m = m @ p("mlp.c_proj.weight") + p("mlp.c_proj.bias")
        x = F.layer_norm(n + m, (C,), p("ln_2.weight"), p("ln_2.bias"), eps)
    return (x @ w["tokens_embed.weight"].T).float()


def transformers_logits(torch, folder, ids, device):
    try:
        import transformers
    except ImportError as error:
        fail(f"transformers is needed (or --engine torch): {error}")
    matmul = torch.backends.cuda.matmul
    if hasattr(matmul, "fp32_precision"):  # PyTorch >= 2.9
        matmul.fp32_precision = "ieee"
    else:
        matmul.allow_tf32 = False
    model = transformers.OpenAIGPTLMHeadModel.from_pretrained(folder).float().to(device).eval()
    with torch.no_grad():
        return model(input_ids=ids.to(device)).logits.float().cpu()


def main():
    args = parse_args()
    try:
        import torch
    except ImportError:
        fail(f"PyTorch is not installed for {sys.executable}")
    if args.device == "cuda" and not torch.cuda.is_available():
        fail("no CUDA GPU (use --device cpu)")
    ref, ids, ours = read_reference(torch, args.folder)
    log(f"{args.folder}: batch {ref['B']} x {ref['T']}, vocabulary {ref['V']}, our logits from {ref['adapter']}")
    if args.engine == "transformers":
        theirs = transformers_logits(torch, args.folder, ids, args.device)
    else:
        theirs = torch_gpt1_logits(torch, args.folder, ids)
    result = compare(ours, theirs, args.tolerance)
    log(f"{args.engine}: max |ours - theirs| {result['maxAbs']:.3g}, relative {result['maxRel']:.3g} "
        f"(tolerance {args.tolerance:g}): {'pass' if result['pass'] else 'FAIL'}")
    print(json.dumps({"check": "hf-logits", "engine": args.engine, "device": args.device,
                      "torch": torch.__version__, "B": ref["B"], "T": ref["T"], "V": ref["V"],
                      "step": ref["step"], **result}))
    sys.exit(0 if result["pass"] else 1)


if __name__ == "__main__":
    main()
