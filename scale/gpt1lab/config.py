# The model sizes of a Hugging Face openai-gpt config.json (what our checkpoint folders hold), checked the way the
# TypeScript importer checks them: defaults as transformers has them, tanh-GELU only, heads dividing the width.
import json
from dataclasses import dataclass

from .errors import InputError

# transformers' OpenAIGPTConfig defaults, used when a field is absent (as transformers does).
DEFAULTS = {
    "vocab_size": 40478,
    "n_positions": 512,
    "n_embd": 768,
    "n_layer": 12,
    "n_head": 12,
    "afn": "gelu",
    "resid_pdrop": 0.1,
    "embd_pdrop": 0.1,
    "attn_pdrop": 0.1,
    "layer_norm_epsilon": 1e-5,
}
# Both name the tanh approximation for openai-gpt in transformers ("gelu" maps to gelu_new there).
TANH_GELU = ("gelu", "gelu_new")


@dataclass(frozen=True)
class Gpt1Config:
    vocab_size: int
    n_positions: int
    n_embd: int
    n_layer: int
    n_head: int
    layer_norm_epsilon: float = 1e-5
    embd_pdrop: float = 0.1
    attn_pdrop: float = 0.1
    resid_pdrop: float = 0.1

    def sizes(self):
        """The fields that fix every tensor's shape, for messages and comparisons."""
        return {k: getattr(self, k) for k in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head")}


def config_from_json(raw, path):
    if not isinstance(raw, dict):
        raise InputError(path, "not a JSON object")
    if raw.get("model_type", "openai-gpt") != "openai-gpt":
        raise InputError(path, f"model_type is {raw.get('model_type')!r}, not 'openai-gpt'")
    value = {k: raw.get(k, d) for k, d in DEFAULTS.items()}
    if value["afn"] not in TANH_GELU:
        raise InputError(path, f"afn {value['afn']!r}: GPT-1 here is tanh-GELU ('gelu' or 'gelu_new')")
    for key in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head"):
        if not isinstance(value[key], int) or isinstance(value[key], bool) or value[key] <= 0:
            raise InputError(path, f"{key} must be a positive integer, got {value[key]!r}")
    if value["n_embd"] % value["n_head"]:
        raise InputError(path, f"n_embd {value['n_embd']} is not divisible by n_head {value['n_head']}")
    for key in ("resid_pdrop", "embd_pdrop", "attn_pdrop"):
        if not isinstance(value[key], (int, float)) or not 0 <= value[key] < 1:
            raise InputError(path, f"{key} must be in [0, 1), got {value[key]!r}")
    return Gpt1Config(**{k: v for k, v in value.items() if k != "afn"})


def read_config(path):
    try:
        with open(path, "rb") as file:
            raw = json.loads(file.read().decode("utf-8"))
    except OSError as error:
        raise InputError(path, f"cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(path, f"not UTF-8 JSON ({error})") from None
    return config_from_json(raw, path)
