# continue_pretraining.py as torchrun runs it (processes started with its environment contract, gloo on CPUs):
# two processes compute what one process computes for the same global batch (DDP averages, accumulation without
# sync adds up), and a run stopped by SIGTERM and started again with the same command ends exactly where an
# uninterrupted run ends; started once more, it has nothing left to do.
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import torch

from gpt1lab.safetensors_io import read_safetensors
from tests.support import LAUNCHER, REPO, SCRIPT, max_rel, run_script, write_folder, write_tokens

# Two processes x 2 micro-batches against one process x 4 micro-batches of the same rows. Dropout masks are
# seeded per global micro-batch and the loss scales are powers of two, so the only difference is the order
# gradients are added in: ((a/2 + b/2) + (c/2 + d/2)) / 2 across processes against a/4 + b/4 + c/4 + d/4 in one,
# a rounding of 2^-24 relative per sum. Over 4 AdamW steps the update m / sqrt(v) carries that into the weights
# mostly unchanged (amplified only where v is tiny): measured 5e-8 of the weights' scale, 2e-7 of the moments'.
# F32_TOL = 1e-5 leaves room for other CPUs' BLAS and stays far below what skipping the averaging changes
# (each process applying its own half's gradient, checked by disabling the DDP wrapper: 2e-4 to 1e-3).
F32_TOL = 1e-5


def load(folder):
    _, model = read_safetensors(os.path.join(folder, "model.safetensors"))
    _, optimizer = read_safetensors(os.path.join(folder, "optimizer.safetensors"))
    with open(os.path.join(folder, "training_state.json")) as file:
        state = json.load(file)
    return model, optimizer, state


class ContinuePretraining(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.ckpt = write_folder(os.path.join(self.dir, "run"), B=4, T=8)
        self.tokens = write_tokens(os.path.join(self.dir, "tokens.bin"))

    def tearDown(self):
        shutil.rmtree(self.dir)

    def args(self, out, *extra):
        return ["--ckpt", self.ckpt, "--tokens", self.tokens, "--out", os.path.join(self.dir, out), *extra]

    def test_two_processes_equal_one_with_the_same_global_batch(self):
        batch = ["--steps", "4", "--batch-tokens", "64", "--micro-batch", "2"]  # 8 sequences of 8 per step
        code, two, err = run_script(self.args("two", *batch), nproc=2)
        self.assertEqual(code, 0, err)
        self.assertEqual((two["processes"], two["accumulation"], two["globalBatch"]), (2, 2, 8))
        code, one, err = run_script(self.args("one", *batch), nproc=1)
        self.assertEqual(code, 0, err)
        self.assertEqual((one["processes"], one["accumulation"]), (1, 4))
        m2, o2, s2 = load(two["checkpoint"])
        m1, o1, s1 = load(one["checkpoint"])
        m0, _, s0 = load(self.ckpt)
        for key in m1:
            with self.subTest(key):
                self.assertGreater(max_rel(m1[key], m0[key]), 1e-3)  # the weights did move
                self.assertLessEqual(max_rel(m2[key], m1[key]), F32_TOL)
        for key in o1:
            self.assertLessEqual(max_rel(o2[key], o1[key]), F32_TOL, key)
        self.assertAlmostEqual(two["valLoss"], one["valLoss"], delta=F32_TOL * one["valLoss"])
        for field in ("step", "tokens", "dataCursor", "B", "T"):
            self.assertEqual(s2[field], s1[field], field)
        self.assertEqual((s1["step"], s1["B"], s1["dataCursor"]), (s0["step"] + 4, 8, s0["dataCursor"] + 4 * 8))

    def test_stopped_and_restarted_equals_uninterrupted(self):
        steps = ["--steps", "200", "--total-steps", "300", "--log-every", "1", "--save-every", "50"]
        code, straight, err = run_script(self.args("straight", *steps))
        self.assertEqual(code, 0, err)

        command = [sys.executable, LAUNCHER, "--nproc", "1", "--threads", "1", SCRIPT, *self.args("stopped", *steps)]
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in proc.stderr:
            if line.startswith("step 6:"):  # training is under way: stop it as a scheduler would
                proc.send_signal(signal.SIGTERM)
                break
        out, _ = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 0)
        stopped = json.loads(out.splitlines()[-1])
        self.assertTrue(stopped["stopped"])
        self.assertLess(stopped["step"], straight["step"])

        code, resumed, err = run_script(self.args("stopped", *steps))
        self.assertEqual(code, 0, err)
        self.assertEqual(resumed["resumedFrom"], stopped["checkpoint"])
        self.assertEqual(resumed["step"], straight["step"])
        (ma, oa, sa), (mb, ob, sb) = load(straight["checkpoint"]), load(resumed["checkpoint"])
        for key in ma:
            self.assertTrue(torch.equal(ma[key], mb[key]), key)  # the same operations in the same order: exact
        for key in oa:
            self.assertTrue(torch.equal(oa[key], ob[key]), key)
        self.assertEqual({k: v for k, v in sa.items() if k != "notes"}, {k: v for k, v in sb.items() if k != "notes"})
        self.assertEqual(resumed["valLoss"], straight["valLoss"])
        self.assertEqual(len(os.listdir(os.path.join(self.dir, "stopped"))), 2)  # --keep 2: older folders pruned

        code, again, err = run_script(self.args("stopped", *steps))
        self.assertEqual(code, 0, err)
        self.assertEqual((again["steps"], again["checkpoint"]), (0, resumed["checkpoint"]))


if __name__ == "__main__":
    unittest.main()
