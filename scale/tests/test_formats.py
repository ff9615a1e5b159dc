# The formats and mirrors Python shares with our engine, each against values the TypeScript code produced: the
# counter-based random numbers, training and validation windows, schedules, the tokenizer digest; and the
# containers (safetensors, token file, manifest) round-tripping and refusing damaged files by name.
import json
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch

from gpt1lab import manifest
from gpt1lab.batches import validation_starts, window_starts
from gpt1lab.errors import InputError
from gpt1lab.rng import random_u32, random_uniform
from gpt1lab.safetensors_io import read_safetensors, serialize_safetensors
from gpt1lab.schedule import learning_rate
from gpt1lab.token_file import canonical_json, read_token_file, token_file_bytes, tokenizer_sha256
from tests.support import CHAR_TOKENIZER


class EngineMirrors(unittest.TestCase):
    # Golden values printed by src/runtime/random.ts (randomU32, randomUniform) for (seed, stream, index).
    def test_random_numbers(self):
        golden = [
            (1234, 1, 0, 798038670, 0.18580782413482666),
            (1234, 1, 1, 2854039945, 0.6645079255104065),
            (0, 0, 0, 0, 0.0),
            (4294967295, 1, 4294967295, 3949903723, 0.9196586012840271),
            (7, 1, 123456789, 3654216728, 0.850813627243042),
            (42, 3, 99, 423260255, 0.09854793548583984),
        ]
        for seed, stream, index, u32, uniform in golden:
            self.assertEqual(int(random_u32(seed, stream, index)), u32)
            self.assertEqual(float(random_uniform(seed, stream, index)), uniform)

    def test_windows_follow_the_engines_sampler_and_cursor(self):
        # LmBatchSampler(arange(1000), B 4, T 8, seed 1234): two batches, then one row per batch from cursor 37.
        self.assertEqual(list(window_starts(1000, 8, 1234, 0, 8)), [184, 659, 196, 713, 158, 582, 567, 249])
        self.assertEqual([int(window_starts(1000, 8, 1234, 37 + 4 * i, 1)[0]) for i in range(4)], [760, 141, 183, 481])

    def test_validation_windows_are_the_engines(self):
        # validationBatches(arange(n), B, T, 4): every row's start (the last case: first and last row per batch).
        self.assertEqual(list(validation_starts(300, 4, 8, 4)), list(range(0, 300, 19))[:16])
        self.assertEqual(list(validation_starts(20, 4, 8, 4)), [0, 11, 0, 11])  # fewer windows than B: rows wrap
        starts = validation_starts(111539, 8, 64, 4)
        self.assertEqual([int(starts[i * 8 + r]) for i in range(4) for r in (0, 7)],
                         [0, 25165, 28760, 53925, 57520, 82685, 86280, 111445])

    def test_schedules_are_the_engines(self):
        cosine = {"kind": "warmup-cosine", "peakLr": 1e-3, "warmupSteps": 5, "totalSteps": 100}
        linear = {"kind": "warmup-linear", "peakLr": 6.25e-5, "warmupSteps": 2, "totalSteps": 1000}
        self.assertEqual([learning_rate(cosine, s) for s in (0, 4, 5, 50, 99, 100, 120)],
                         [0.0002, 0.001, 0.001, 0.0005412896727361663, 2.733713295369755e-7, 0.0, 0.0])
        self.assertEqual([learning_rate(linear, s) for s in (0, 1, 2, 500, 999)],
                         [3.125e-05, 6.25e-05, 6.25e-05, 3.1312625250501006e-05, 6.26252505009986e-08])
        # A minimum learning rate (the engine's minLr): the values src/train/schedule.ts gives, bit for bit.
        floored = dict(cosine, minLr=1e-4)
        self.assertEqual([learning_rate(floored, s) for s in (0, 4, 5, 50, 99, 100, 120)],
                         [0.0002, 0.001, 0.001, 0.0005871607054625496, 0.00010024603419658328, 0.0001, 0.0001])

    def test_tokenizer_digest_is_the_engines(self):
        # The same tokenizer and digest as src/tokenizer/fingerprint.test.ts.
        chars = ["a", '"', "\\", "\n", "\x01", "\x7f", "é", "€", "😀", "\ud800", " "]
        odd = {"kind": "char", "version": 1, "chars": chars, "specialTokens": ["<unk>"]}
        start = '{"chars":["a","\\"","\\\\","\\n","\\u0001","\\u007f","\\u00e9"'
        self.assertTrue(canonical_json(odd).startswith(start))
        self.assertEqual(tokenizer_sha256(odd), "c38259414256e0c8a7731e237740e9e07e0b40f6e19976af78226d093179305a")


class Containers(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as file:
            file.write(data)
        return path

    def test_safetensors_round_trip_and_refusals(self):
        tensors = {"b": torch.arange(6.0).reshape(2, 3), "a": torch.tensor([1.5, -2.0])}
        data = serialize_safetensors(tensors, {"format": "pt"})
        self.assertEqual(int.from_bytes(data[:8], "little") % 8, 0)
        metadata, back = read_safetensors(self.write("ok.safetensors", data))
        self.assertEqual(metadata, {"format": "pt"})
        self.assertTrue(torch.equal(back["b"], tensors["b"]) and torch.equal(back["a"], tensors["a"]))
        for name, bad, message in [
            ("cut.safetensors", data[:-1], "truncated"),
            ("long.safetensors", data + b"\0", "trailing bytes"),
            ("tiny.safetensors", data[:5], "too short"),
            ("text.safetensors", b"\x10\0\0\0\0\0\0\0not json at all!", "not UTF-8 JSON"),
        ]:
            path = self.write(name, bad)
            with self.assertRaisesRegex(InputError, f"^{path}: .*{message}"):
                read_safetensors(path)

    def test_token_file_round_trip_and_refusals(self):
        train, val = np.arange(100) % 40, np.arange(20) % 40
        data = token_file_bytes(CHAR_TOKENIZER, 40, train, val)
        path = self.write("tokens.bin", data)
        tokens = read_token_file(path)
        self.assertEqual(tokens.header["tokenizer_sha256"], tokenizer_sha256(CHAR_TOKENIZER))
        self.assertEqual((tokens.header["vocab_size"], tokens.header["id_bytes"]), (40, 2))
        self.assertEqual(list(tokens.train), list(train))
        self.assertEqual(list(tokens.val), list(val))
        outside = bytearray(data)
        outside[-2] = 41
        for name, bad, message in [
            ("cut.bin", data[:-1], "truncated: the header promises 120 tokens"),
            ("long.bin", data + b"\0\0", "2 bytes follow the last"),
            ("text.bin", b"just some text, not ids", "not a gpt1-lab token file"),
            ("outside.bin", bytes(outside), "token 119 is id 41, outside the vocabulary of 40"),
        ]:
            bad_path = self.write(name, bad)
            with self.assertRaisesRegex(InputError, f"^{bad_path}: {message}"):
                read_token_file(bad_path)

    def test_manifest_lists_every_file_and_refuses_changes(self):
        self.write("b.txt", b"bee")
        self.write("a.bin", b"\0\1")
        self.write(manifest.NAME, manifest.manifest_json(self.dir, ["b.txt", "a.bin"]).encode())
        with open(os.path.join(self.dir, manifest.NAME)) as file:
            listed = json.load(file)
        self.assertEqual([f["name"] for f in listed["files"]], ["a.bin", "b.txt"])  # sorted by name
        self.assertEqual(listed["files"][1]["bytes"], 3)
        self.assertTrue(manifest.verify_manifest(self.dir))
        self.write("b.txt", b"bea")  # same size, other bytes
        with self.assertRaisesRegex(InputError, "b.txt: differs from manifest.json"):
            manifest.verify_manifest(self.dir)
        self.write("b.txt", b"be")
        with self.assertRaisesRegex(InputError, "b.txt: has 2 bytes, manifest.json says 3"):
            manifest.verify_manifest(self.dir)
        os.remove(os.path.join(self.dir, "a.bin"))
        with self.assertRaisesRegex(InputError, "a.bin: is listed in manifest.json but missing"):
            manifest.verify_manifest(self.dir)


if __name__ == "__main__":
    unittest.main()
