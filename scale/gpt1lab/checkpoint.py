# Our checkpoint folder (src/train/checkpoint.ts), read and written from Python:
#   config.json, model.safetensors   the model: HF openai-gpt keys, F32, Conv1D [in, out] weights
#   optimizer.safetensors            Adam exp_avg / exp_avg_sq per HF key, flattened, metadata {"step"}
#   training_state.json              step, tokens, seed, data cursor, batch, context, schedule, tokenizer, notes
#   vocab.json, merges.txt, README.md (copied), manifest.json (written last; see manifest.py)
# Reading checks everything (manifest, state, config, every key and shape) before returning, and every refusal
# names the file. Writing goes into a temporary sibling folder that is renamed into place once complete, so a
# folder named checkpoint-N is always whole; the previous ones stay until their successor is.
import json
import math
import os
import re
import shutil
from dataclasses import dataclass

import torch

from . import manifest
from .config import Gpt1Config, read_config
from .errors import InputError
from .safetensors_io import read_safetensors, write_safetensors

STATE_FORMAT = "gpt1-lab-checkpoint"
STATE_VERSION = 1
# Files copied unchanged into the folders we write (the model card gets a line appended).
COPIED = (
    "config.json",
    "vocab.json",
    "merges.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "generation_config.json",
    "README.md",
)
STEP_FOLDER = re.compile(r"^checkpoint-(\d+)$")  # as gpt1-lab's CLI and Hugging Face Trainer name them
# Older files carry the causal mask as a buffer; never a parameter.
IGNORED_KEY = re.compile(r"^h\.\d+\.attn\.(bias|masked_bias)$")
HEAD_PREFIXES = ("multiple_choice_head.", "score.")


@dataclass
class Checkpoint:
    folder: str
    config: Gpt1Config
    params: dict  # HF key -> tensor in HF's shape
    moments: dict  # HF key -> (exp_avg, exp_avg_sq) in the parameter's shape; None without optimizer.safetensors
    state: dict  # training_state.json
    copied: dict  # file name -> bytes, for the folders written from this one


def param_shapes(c: Gpt1Config):
    """HF key -> shape of every parameter of an openai-gpt LM (lm_head is tied, never stored)."""
    C = c.n_embd
    shapes = {"tokens_embed.weight": [c.vocab_size, C], "positions_embed.weight": [c.n_positions, C]}
    layer = {
        "attn.c_attn.weight": [C, 3 * C],
        "attn.c_attn.bias": [3 * C],
        "attn.c_proj.weight": [C, C],
        "attn.c_proj.bias": [C],
        "ln_1.weight": [C],
        "ln_1.bias": [C],
        "mlp.c_fc.weight": [C, 4 * C],
        "mlp.c_fc.bias": [4 * C],
        "mlp.c_proj.weight": [4 * C, C],
        "mlp.c_proj.bias": [C],
        "ln_2.weight": [C],
        "ln_2.bias": [C],
    }
    for i in range(c.n_layer):
        shapes.update({f"h.{i}.{k}": s for k, s in layer.items()})
    return shapes


def _names(keys, limit=4):
    keys = sorted(keys)
    return ", ".join(keys[:limit]) + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _is_int(value, minimum=0):
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _is_number(value, minimum=0.0):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= minimum


def read_state(path):
    if not os.path.isfile(path):
        raise InputError(path, "is missing: this folder is not a gpt1-lab checkpoint")
    try:
        with open(path, "rb") as file:
            state = json.loads(file.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(path, f"not readable JSON ({error})") from None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise InputError(path, f'format is not "{STATE_FORMAT}"')
    if state.get("version") != STATE_VERSION:
        raise InputError(path, f"version {state.get('version')!r} is not supported (expected {STATE_VERSION})")
    if state.get("kind") != "pretrain":
        raise InputError(path, f"is a {state.get('kind')!r} checkpoint; only pre-training runs continue here")
    for key in ("step", "tokens", "seed", "dataCursor"):
        if not _is_int(state.get(key)):
            raise InputError(path, f"{key} must be a non-negative integer, got {state.get(key)!r}")
    for key in ("B", "T"):
        if not _is_int(state.get(key), 1):
            raise InputError(path, f"{key} must be a positive integer, got {state.get(key)!r}")
    schedule = state.get("schedule")
    if not (
        isinstance(schedule, dict)
        and schedule.get("kind") in ("warmup-cosine", "warmup-linear")
        and _is_number(schedule.get("peakLr"))
        and _is_int(schedule.get("warmupSteps"))
        and _is_int(schedule.get("totalSteps"))
    ):
        raise InputError(path, f"schedule {schedule!r} is not a warm-up + cosine or linear schedule")
    for key in ("weightDecay", "maxGradNorm"):
        if not _is_number(state.get(key)):
            raise InputError(path, f"{key} must be a non-negative number, got {state.get(key)!r}")
    if not isinstance(state.get("tokenizer"), dict) or "kind" not in state["tokenizer"]:
        raise InputError(path, "tokenizer is missing")
    if not isinstance(state.get("notes", {}), dict):
        raise InputError(path, "notes must be an object")
    return state


def _read_params(path, config):
    if not os.path.isfile(path):
        raise InputError(path, "is missing")
    _, tensors = read_safetensors(path, float32=True)
    heads = [k for k in tensors if k.startswith(HEAD_PREFIXES)]
    if heads:
        raise InputError(path, f"holds a fine-tuning head ({_names(heads)}); only a language model continues here")
    params = {}
    lm_head = tensors.pop("lm_head.weight", None)
    for key, tensor in tensors.items():
        body = key[len("transformer.") :] if key.startswith("transformer.") else key
        if not IGNORED_KEY.match(body):
            params[body] = tensor
    if lm_head is not None and "tokens_embed.weight" not in params:
        params["tokens_embed.weight"] = lm_head  # transformers 5 saves only lm_head.weight of the tied pair
    elif lm_head is not None and not torch.equal(lm_head, params["tokens_embed.weight"]):
        raise InputError(path, "lm_head.weight differs from tokens_embed.weight; GPT-1's output layer is tied")
    shapes = param_shapes(config)
    missing, unexpected = set(shapes) - set(params), set(params) - set(shapes)
    if missing or unexpected:
        parts = [f"missing {_names(missing)}"] if missing else []
        parts += [f"unexpected {_names(unexpected)}"] if unexpected else []
        raise InputError(path, f"does not match config.json {config.sizes()}: {'; '.join(parts)}")
    for key, shape in shapes.items():
        if list(params[key].shape) != shape:
            raise InputError(
                path, f"{key} has shape {list(params[key].shape)}, config.json {config.sizes()} gives {shape}"
            )
    return params


def _read_moments(path, params, state):
    metadata, tensors = read_safetensors(path, float32=True)
    if "step" in metadata and metadata["step"] != str(state["step"]):
        raise InputError(path, f"is from step {metadata['step']}, training_state.json from step {state['step']}")
    moments = {}
    for key, param in params.items():
        pair = []
        for slot in ("exp_avg", "exp_avg_sq"):
            tensor = tensors.get(f"{key}.{slot}")
            if tensor is None:
                raise InputError(path, f"lacks {key}.{slot}")
            if tensor.numel() != param.numel():
                raise InputError(
                    path, f"{key}.{slot} has {tensor.numel()} values, the model's {key} {param.numel()}: another size"
                )
            pair.append(tensor.reshape(param.shape))
        moments[key] = tuple(pair)
    return moments


def read_checkpoint(folder, fresh_optimizer=False):
    """A checkpoint folder (or a run folder: its newest complete checkpoint-N), checked whole; without
    optimizer.safetensors only when `fresh_optimizer`."""
    if not os.path.isdir(folder):
        raise InputError(folder, "is not a folder")
    if not os.path.isfile(os.path.join(folder, "config.json")):
        newest = complete_checkpoints(folder)
        if newest:
            folder = newest[-1]
    manifest.verify_manifest(folder)
    state = read_state(os.path.join(folder, "training_state.json"))
    config_path = os.path.join(folder, "config.json")
    if not os.path.isfile(config_path):
        raise InputError(config_path, "is missing: it gives the model sizes")
    config = read_config(config_path)
    if state["T"] > config.n_positions:
        raise InputError(config_path, f"n_positions {config.n_positions} is below the run's context {state['T']}")
    params = _read_params(os.path.join(folder, "model.safetensors"), config)
    optimizer_path = os.path.join(folder, "optimizer.safetensors")
    if os.path.isfile(optimizer_path):
        moments = _read_moments(optimizer_path, params, state)
    elif fresh_optimizer:
        moments = None
    else:
        raise InputError(
            optimizer_path,
            "is missing: without the Adam moments the run cannot continue as it was; "
            "pass --fresh-optimizer to start from zero moments",
        )
    copied = {}
    for name in COPIED:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, "rb") as file:
                copied[name] = file.read()
    return Checkpoint(str(folder), config, params, moments, state, copied)


def step_folder(run_dir, step):
    return os.path.join(run_dir, f"checkpoint-{step}")


def complete_checkpoints(run_dir):
    """Folders checkpoint-N of a run folder that hold a manifest (complete), oldest first."""
    if not os.path.isdir(run_dir):
        return []
    found = []
    for name in os.listdir(run_dir):
        match = STEP_FOLDER.match(name)
        if match and os.path.isfile(os.path.join(run_dir, name, manifest.NAME)):
            found.append((int(match.group(1)), os.path.join(run_dir, name)))
    return [path for _, path in sorted(found)]


def _write_bytes(path, data):
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint(run_dir, params, moments, state, copied, keep=2):
    """Writes checkpoint-N under `run_dir` through a temporary sibling and a rename; returns its path.
    `params` and `moments` map HF keys to tensors and (exp_avg, exp_avg_sq); keeps the newest `keep` folders."""
    os.makedirs(run_dir, exist_ok=True)
    for name in os.listdir(run_dir):
        if name.startswith(".checkpoint-") and ".tmp-" in name:  # left by a launch that died mid-save: never complete
            shutil.rmtree(os.path.join(run_dir, name), ignore_errors=True)
    final = step_folder(run_dir, state["step"])
    tmp = os.path.join(run_dir, f".{os.path.basename(final)}.tmp-{os.getpid()}")
    os.makedirs(tmp)
    for name, data in copied.items():
        _write_bytes(os.path.join(tmp, name), data)
    keys = sorted(params)
    write_safetensors(os.path.join(tmp, "model.safetensors"), {k: params[k] for k in keys}, {"format": "pt"})
    flat = {}
    for key in keys:
        m, v = moments[key]
        flat[f"{key}.exp_avg"] = m.reshape(-1)  # [numel], as our engine writes them
        flat[f"{key}.exp_avg_sq"] = v.reshape(-1)  # [numel]
    write_safetensors(os.path.join(tmp, "optimizer.safetensors"), flat, {"step": str(state["step"])})
    text = json.dumps(state, indent=1, ensure_ascii=True, allow_nan=False) + "\n"
    _write_bytes(os.path.join(tmp, "training_state.json"), text.encode("ascii"))
    names = sorted(os.listdir(tmp))
    _write_bytes(os.path.join(tmp, manifest.NAME), manifest.manifest_json(tmp, names).encode("utf-8"))
    _fsync_dir(tmp)
    if os.path.exists(final):  # the same step saved again (a restart that stopped where it resumed)
        shutil.rmtree(final)
    os.rename(tmp, final)
    _fsync_dir(run_dir)
    for old in complete_checkpoints(run_dir)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final
