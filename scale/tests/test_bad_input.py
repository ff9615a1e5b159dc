# Bad input to continue_pretraining.py: each refusal is one line naming the file to fix, exit code 2, and nothing
# is written (the --out folder is not even created). Runs main() in this process: every check happens before the
# process group starts, as it does under torchrun.
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

import torch

from gpt1lab import manifest
from gpt1lab.checkpoint import param_shapes
from gpt1lab.config import Gpt1Config
from gpt1lab.safetensors_io import serialize_safetensors
from tests.support import CHAR_TOKENIZER, SCALE, TINY, write_folder, write_tokens

sys.path.insert(0, SCALE)
from continue_pretraining import main  # noqa: E402  (the script lives beside the package)


def run_main(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.ckpt = write_folder(os.path.join(self.dir, "run"))
        self.tokens = write_tokens(os.path.join(self.dir, "tokens.bin"))
        self.out = os.path.join(self.dir, "out")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def refused(self, path, message, ckpt=None, tokens=None, extra=()):
        args = ["--ckpt", ckpt or self.ckpt, "--tokens", tokens or self.tokens, "--out", self.out, "--steps", "2"]
        code, out, err = run_main([*args, *extra])
        self.assertEqual(code, 2, err)
        self.assertEqual(err.count("\n"), 1, err)  # one line
        self.assertTrue(err.startswith(f"error: {path}: "), err)
        self.assertRegex(err, message)
        self.assertEqual(json.loads(out.splitlines()[-1])["error"], err[len("error: ") :].strip())
        self.assertFalse(os.path.exists(self.out), "nothing may be written")

    def test_weights_of_another_model_size(self):
        wide = Gpt1Config(**{**TINY.__dict__, "n_embd": 64})
        weights = {k: torch.zeros(s) for k, s in param_shapes(wide).items()}
        with open(os.path.join(self.ckpt, "model.safetensors"), "wb") as file:
            file.write(serialize_safetensors(weights))
        path = os.path.join(self.ckpt, "model.safetensors")
        self.refused(path, r"tokens_embed.weight has shape \[40, 64\], config.json .* gives \[40, 32\]")

    def test_a_run_folder_of_another_model_size(self):
        deeper = Gpt1Config(**{**TINY.__dict__, "n_layer": 3})
        other = write_folder(os.path.join(self.out, "checkpoint-9"), config=deeper)
        text = manifest.manifest_json(other, os.listdir(other))
        with open(os.path.join(other, manifest.NAME), "w") as file:
            file.write(text)
        args = ["--ckpt", self.ckpt, "--tokens", self.tokens, "--out", self.out, "--steps", "2"]
        before = sorted(os.listdir(self.out))
        code, _, err = run_main(args)
        self.assertEqual(code, 2)
        self.assertTrue(err.startswith(f"error: {os.path.join(other, 'config.json')}: is a model of"), err)
        self.assertIn("'n_layer': 3", err)
        self.assertEqual(sorted(os.listdir(self.out)), before)

    def test_tokens_of_another_tokenizer(self):
        other = dict(CHAR_TOKENIZER, chars=[chr(65 + i) for i in range(39)])  # same kind and size, other symbols
        tokens = write_tokens(os.path.join(self.dir, "other.bin"), tokenizer=other)
        message = r"another char tokenizer than .*training_state.json's \(its SHA-256 differs\)"
        self.refused(tokens, message, tokens=tokens)

    def test_tokens_of_another_vocabulary(self):
        other = dict(CHAR_TOKENIZER, chars=[chr(65 + i) for i in range(49)])
        tokens = write_tokens(os.path.join(self.dir, "v50.bin"), vocab=50, tokenizer=other)
        message = r"a char tokenizer of 50 ids, but .* config.json 40 ids: encode the corpus again"
        self.refused(tokens, message, tokens=tokens)

    def test_truncated_tokens(self):
        with open(self.tokens, "rb") as file:
            data = file.read()
        cut = os.path.join(self.dir, "cut.bin")
        with open(cut, "wb") as file:
            file.write(data[:-7])
        self.refused(cut, r"truncated: the header promises 4600 tokens", tokens=cut)

    def test_missing_optimizer_file_needs_the_flag(self):
        folder = write_folder(os.path.join(self.dir, "no-moments"), moments=False)
        path = os.path.join(folder, "optimizer.safetensors")
        self.refused(path, r"is missing: .* pass --fresh-optimizer to start from zero moments", ckpt=folder)
        args = ["--ckpt", folder, "--tokens", self.tokens, "--out", self.out, "--steps", "2", "--fresh-optimizer"]
        code, out, err = run_main(args)
        self.assertEqual(code, 0, err)
        written = json.loads(out.splitlines()[-1])["checkpoint"]
        self.assertTrue(os.path.isfile(os.path.join(written, "optimizer.safetensors")))

    def test_a_file_that_differs_from_the_manifest(self):
        text = manifest.manifest_json(self.ckpt, os.listdir(self.ckpt))
        with open(os.path.join(self.ckpt, manifest.NAME), "w") as file:
            file.write(text)
        with open(os.path.join(self.ckpt, "README.md"), "ab") as file:
            file.write(b"edited\n")
        self.refused(os.path.join(self.ckpt, "README.md"), r"has \d+ bytes, manifest.json says")

    def test_steps_past_the_schedule(self):
        folder = write_folder(os.path.join(self.dir, "short"), step=5, total=6)
        path = os.path.join(folder, "training_state.json")
        self.refused(path, r"the schedule ends at step 6 and --steps 2 runs to step 7: pass --total-steps", ckpt=folder)

if __name__ == "__main__":
    unittest.main()
