# The token file `npm run cli -- encode` writes (defined in src/data/token-file.ts; this is its mirror): the
# corpus as ids from the run's own tokenizer, so Python never re-tokenizes.
#   bytes 0-7    magic b"GPT1TOKS"
#   bytes 8-11   N, the JSON header's length (uint32 little-endian); 12 + N is a multiple of 8
#   next N       UTF-8 JSON: format, version, tokenizer (kind), tokenizer_sha256, vocab_size, id_bytes (2 or 4),
#                train_tokens, val_tokens, corpus, validation
#   then         train ids, then validation ids: little-endian unsigned integers of id_bytes each
# The tokenizer's SHA-256 is over its canonical JSON (keys sorted, no spaces, non-ASCII as \uXXXX), which both
# languages produce byte for byte from the tokenizer object in training_state.json.
import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np

from .errors import InputError

MAGIC = b"GPT1TOKS"
FORMAT = "gpt1-lab-tokens"
VERSION = 1
MAX_HEADER_BYTES = 1 << 20
KINDS = ("gpt1", "char", "bpe")
# Ids are checked against the vocabulary in slices of this many, so a corpus of billions never sits in memory.
SCAN_CHUNK = 1 << 24


def canonical_json(value):
    # ensure_ascii escapes exactly what the TypeScript side escapes: control characters and everything past '~'.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def tokenizer_sha256(tokenizer_json):
    return hashlib.sha256(canonical_json(tokenizer_json).encode("ascii")).hexdigest()


@dataclass
class TokenFile:
    path: str
    header: dict
    train: np.ndarray  # [train_tokens] a read-only memory map
    val: np.ndarray  # [val_tokens]


def _int_field(path, header, key, minimum=0):
    value = header.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InputError(path, f"header field {key} must be an integer >= {minimum}, got {value!r}")
    return value


def parse_header(path, head, size):
    """The header of a token file of `size` bytes whose first bytes are `head`; returns (header, data_start)."""
    if len(head) < 12 or head[:8] != MAGIC:
        raise InputError(path, "not a gpt1-lab token file (write one with `npm run cli -- encode`)")
    n = int.from_bytes(head[8:12], "little")
    if n > MAX_HEADER_BYTES or 12 + n > size:
        raise InputError(path, f"header length {n} does not fit the file ({size} bytes): truncated")
    try:
        header = json.loads(head[12 : 12 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(path, f"the header is not UTF-8 JSON ({error})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(path, f'the header\'s format is not "{FORMAT}"')
    if header.get("version") != VERSION:
        raise InputError(path, f"token file version {header.get('version')!r} is not supported (expected {VERSION})")
    if header.get("tokenizer") not in KINDS:
        raise InputError(path, f"tokenizer {header.get('tokenizer')!r} is not one of {', '.join(KINDS)}")
    sha = header.get("tokenizer_sha256")
    if not (isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)):
        raise InputError(path, "tokenizer_sha256 must be 64 lowercase hex digits")
    id_bytes = header.get("id_bytes")
    if id_bytes not in (2, 4):
        raise InputError(path, f"id_bytes must be 2 or 4, got {id_bytes!r}")
    vocab = _int_field(path, header, "vocab_size", 1)
    if vocab > 1 << (8 * id_bytes):
        raise InputError(path, f"vocab_size {vocab} does not fit ids of {id_bytes} bytes")
    tokens = _int_field(path, header, "train_tokens") + _int_field(path, header, "val_tokens")
    expected = 12 + n + tokens * id_bytes
    if size < expected:
        raise InputError(
            path, f"truncated: the header promises {tokens} tokens ({expected} bytes), the file has {size} bytes"
        )
    if size > expected:
        raise InputError(path, f"{size - expected} bytes follow the last of the header's {tokens} tokens")
    return header, 12 + n


def _check_ids(path, ids, vocab, offset):
    for begin in range(0, len(ids), SCAN_CHUNK):
        chunk = ids[begin : begin + SCAN_CHUNK]
        if len(chunk) and int(chunk.max()) >= vocab:
            bad = begin + int(np.argmax(chunk >= vocab))
            raise InputError(path, f"token {offset + bad} is id {int(ids[bad])}, outside the vocabulary of {vocab}")


def read_token_file(path):
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as file:
            head = file.read(12 + MAX_HEADER_BYTES)
    except OSError as error:
        raise InputError(path, f"cannot read ({error.strerror})") from None
    header, start = parse_header(path, head, size)
    dtype = np.dtype("<u2" if header["id_bytes"] == 2 else "<u4")
    n_train, n_val = header["train_tokens"], header["val_tokens"]
    ids = np.memmap(path, dtype=dtype, mode="r", offset=start, shape=(n_train + n_val,)) if n_train + n_val else None
    train = ids[:n_train] if ids is not None else np.zeros(0, dtype)  # [train_tokens]
    val = ids[n_train:] if ids is not None else np.zeros(0, dtype)  # [val_tokens]
    _check_ids(path, train, header["vocab_size"], 0)
    _check_ids(path, val, header["vocab_size"], n_train)
    return TokenFile(str(path), header, train, val)


def token_file_bytes(tokenizer_json, vocab_size, train, val, corpus="corpus.txt", validation="val.txt"):
    """A token file's bytes, as `encode` writes them (for tests and tools that make ids some other way)."""
    id_bytes = 2 if vocab_size <= 1 << 16 else 4
    header = {
        "format": FORMAT,
        "version": VERSION,
        "tokenizer": tokenizer_json["kind"],
        "tokenizer_sha256": tokenizer_sha256(tokenizer_json),
        "vocab_size": vocab_size,
        "id_bytes": id_bytes,
        "train_tokens": len(train),
        "val_tokens": len(val),
        "corpus": corpus,
        "validation": validation,
    }
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-(12 + len(text)) % 8)  # ids start 8-byte aligned
    dtype = np.dtype("<u2" if id_bytes == 2 else "<u4")
    ids = np.concatenate([np.asarray(train, dtype=dtype), np.asarray(val, dtype=dtype)])
    return MAGIC + len(text).to_bytes(4, "little") + text + ids.tobytes()
