#!/usr/bin/env python3
"""cuBLAS baseline for the kernels suite: the same matmul products, timed with PyTorch, and each variant's % of it.

Reads `kernels` suite JSONs (one or several `--kernels`, e.g. one per variant; their `matmulShapes`: M, K, N and the stored transposes per shape label, and its
matmul rows), times torch.matmul on the same products in fp32 with TF32 off (cuBLAS sgemm on a CUDA GPU), and
writes one JSON object: per shape the baseline GFLOP/s and every variant's GFLOP/s and % of it, with the best
variant. A transposed operand is stored transposed and passed as a view (.t()), so cuBLAS reads the same layout
our kernel does. `--device cpu` runs the same code on the CPU (for testing the script where there is no GPU).

Usage: python3 bench/native/cublas_matmul.py --kernels a.json [--kernels b.json ...] [--device cuda|cpu]
       [--target-ms 50]
Progress and a table go to stderr; the last stdout line is the JSON. Exit 3, with {"error": ...}, when the
device is missing.
"""
import argparse
import json
import sys
import time


def fail(message, code=3):
    print(json.dumps({"error": message}))
    sys.exit(code)


def log(line):
    print(line, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kernels", required=True, action="append",
                   help="a kernels suite's output (its last line is the JSON); repeat for several")
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--target-ms", type=float, default=50.0, help="wall time per timed batch of products")
    return p.parse_args()


def read_suites(paths):
    """The matmul rows and shapes of every readable suite (one that crashed or failed is skipped, saying so)."""
    merged = {"results": [], "matmulShapes": {}, "adapter": None}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                lines = [line for line in f.read().splitlines() if line.strip()]
            suite = json.loads(lines[-1])  # the suite's stdout: its last line is the JSON
        except (OSError, IndexError, ValueError) as error:
            log(f"{path}: skipped ({error})")
            continue
        if "error" in suite:
            log(f"{path}: skipped (the suite failed: {suite['error']})")
            continue
        merged["results"] += suite.get("results", [])
        merged["matmulShapes"].update(suite.get("matmulShapes", {}))
        merged["adapter"] = merged["adapter"] or suite.get("adapter")
    if not merged["matmulShapes"]:
        fail("no matmul shapes in " + ", ".join(paths) + " (run the kernels suite with matmul cases)", 1)
    return merged


def sync(torch, device):
    if device == "cuda":
        torch.cuda.synchronize()


def time_product(torch, device, dims, target_ms):
    """Median ms per product, the products repeated per timed batch until a batch takes about target_ms."""
    M, K, N = dims["M"], dims["K"], dims["N"]
    torch.manual_seed(0)  # generated on the device: the LM head's operands hold 166M values
    a = torch.randn((K, M) if dims["transA"] else (M, K), device=device)
    b = torch.randn((N, K) if dims["transB"] else (K, N), device=device)
    op_a = a.t() if dims["transA"] else a
    op_b = b.t() if dims["transB"] else b
    out = torch.empty((M, N), device=device)

    def run(repeats):
        sync(torch, device)
        start = time.perf_counter()
        for _ in range(repeats):
            torch.matmul(op_a, op_b, out=out)
        sync(torch, device)
        return (time.perf_counter() - start) * 1000

    run(1)  # warm-up: cuBLAS picks its kernel, memory is touched
    once = max(run(1), 1e-3)
    repeats = max(1, min(1000, round(target_ms / once)))
    samples = sorted(run(repeats) / repeats for _ in range(5))
    return samples[len(samples) // 2]


def main():
    args = parse_args()
    suite = read_suites(args.kernels)
    try:
        import torch
    except ImportError:
        fail(f"PyTorch is not installed for {sys.executable}")
    if args.device == "cuda":
        if not torch.cuda.is_available():
            fail("no CUDA GPU: the cuBLAS baseline runs only on the GPU machine")
        matmul = torch.backends.cuda.matmul
        if hasattr(matmul, "fp32_precision"):  # PyTorch >= 2.9
            matmul.fp32_precision = "ieee"
        else:
            matmul.allow_tf32 = False
        device_name = torch.cuda.get_device_name()
    else:
        device_name = "cpu"
    rows = [r for r in suite["results"] if r.get("op") == "matmul"]
    shapes = []
    for label, dims in suite["matmulShapes"].items():
        ms = time_product(torch, args.device, dims, args.target_ms)
        flops = 2.0 * dims["M"] * dims["N"] * dims["K"]
        base = flops / (ms / 1000) / 1e9
        variants = {}
        for r in rows:
            if r["shape"] == label:
                variants[r["variant"]] = {"GFLOP/s": r["GFLOP/s"], "percent": 100.0 * r["GFLOP/s"] / base}
        best = max(variants.items(), key=lambda kv: kv[1]["GFLOP/s"], default=None)
        shapes.append({
            "shape": label,
            **dims,
            "baselineMs": ms,
            "baselineGFLOPs": base,
            "variants": variants,
            "best": {"variant": best[0], **best[1]} if best else None,
        })
        best_text = f"best {best[0]} {best[1]['percent']:.1f}%" if best else "no variant measured"
        log(f"{label}: torch {base:.1f} GFLOP/s ({ms:.3f} ms); {best_text}")
    print(json.dumps({
        "suite": "cublas-matmul",
        "baseline": "torch.matmul fp32, TF32 off" + (" (cuBLAS)" if args.device == "cuda" else " (CPU)"),
        "device": device_name,
        "torch": torch.__version__,
        "kernelsAdapter": suite.get("adapter"),
        "shapes": shapes,
    }))


if __name__ == "__main__":
    main()
