# The PyTorch GPT-1 of gpt1lab/model.py against Hugging Face's golden values for ../shared/fixtures/hf-tiny
# (transformers' OpenAIGPTLMHeadModel, float32, dropout 0): logits, every hidden state and attention map, the loss,
# every parameter's gradient, and three AdamW steps of our optimizer setup (decay on 2+ dim tensors only).
#
# Tolerances, as max |ours - reference| / max |reference| per tensor. Both sides are float32 PyTorch computing the
# same formulas; only the summation order of the matmuls differs (the reference ran on a GPU, TF32 off; this on a
# CPU's BLAS). Each output is a few sums of <= 128 products deep in a two-layer network, so errors are a few dozen
# roundings of 2^-24 ~ 6e-8 of the tensor's scale (measured: <= 2.2e-7 forward, 3.5e-7 for gradients). FORWARD_TOL
# = 2e-5 leaves a wide margin and still fails on a wrong formula (measured on the logits while writing this test:
# pre-LN 1.0, no causal mask 7.9e-3, ReLU 9.2e-3, no 1/sqrt(head size) 8.3e-5). The fixture's small activations
# cannot tell erf-GELU from tanh-GELU (2e-7); that is the formula's own job. Gradients: the same bound.
# After 3 AdamW steps the parameters move by ~lr each step; the update m / (sqrt(v) + eps) divides by sqrt(v),
# which amplifies gradient errors where v is tiny, so
# ADAMW_TOL = 1e-4 (the TypeScript parity harness's bound for the same check; measured here: 2.4e-5).
import json
import os
import unittest

import torch
from torch.nn import functional as F

from gpt1lab.checkpoint import _read_params
from gpt1lab.config import read_config
from gpt1lab.model import Gpt1
from gpt1lab.optim import build_adamw, set_lr
from gpt1lab.safetensors_io import read_safetensors
from tests.support import HF_TINY, max_rel

FORWARD_TOL = 2e-5
ADAMW_TOL = 1e-4


def load_fixture():
    config = read_config(os.path.join(HF_TINY, "base", "config.json"))
    model = Gpt1(config)
    model.load_state_dict(_read_params(os.path.join(HF_TINY, "base", "model.safetensors"), config))
    _, ref = read_safetensors(os.path.join(HF_TINY, "reference.safetensors"))
    with open(os.path.join(HF_TINY, "reference.json")) as file:
        meta = json.load(file)
    return model, ref, meta


def hf_lm_loss(model, ids):
    """HF's labels=input_ids loss: logits[:, :-1] against ids[:, 1:]."""
    hidden, states, attentions = model.body(ids, keep=True)  # [B, T, C]
    logits = model.logits(hidden)  # [B, T, V]
    loss = F.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten())
    return loss, logits, states, attentions


class ModelParity(unittest.TestCase):
    def setUp(self):
        self.model, self.ref, self.meta = load_fixture()
        self.ids = self.ref["lm.input_ids"].long()  # [2, 12]

    def test_forward_and_gradients(self):
        loss, logits, states, attentions = hf_lm_loss(self.model, self.ids)
        loss.backward()
        checks = {"logits": (logits, self.ref["lm.logits"])}
        for i, h in enumerate(states):
            checks[f"hidden_states.{i}"] = (h, self.ref[f"lm.hidden_states.{i}"])
        for i, a in enumerate(attentions):
            checks[f"attentions.{i}"] = (a, self.ref[f"lm.attentions.{i}"])
        for key, p in self.model.named_parameters():
            checks[f"grad.{key}"] = (p.grad, self.ref[f"lm.grad.transformer.{key}"])
        self.assertEqual(len(checks), 1 + 3 + 2 + 26)
        for name, (ours, reference) in checks.items():
            with self.subTest(name):
                self.assertEqual(list(ours.shape), list(reference.shape))
                self.assertLessEqual(max_rel(ours, reference), FORWARD_TOL)
        self.assertAlmostEqual(loss.item(), self.meta["lm"]["loss"], delta=FORWARD_TOL * self.meta["lm"]["loss"])

    def test_three_adamw_steps(self):
        # The fixture's optimizer: lr 1e-3, betas 0.9/0.999, eps 1e-8, decay 0.01 on 2+ dim tensors, no clipping.
        optimizer = build_adamw(self.model, weight_decay=0.01)
        set_lr(optimizer, 1e-3)
        expected = self.meta["adamw3"]["losses_before_each_step"]
        for step, want in enumerate(expected):
            loss = hf_lm_loss(self.model, self.ids)[0]
            self.assertAlmostEqual(loss.item(), want, delta=FORWARD_TOL * want, msg=f"loss before step {step + 1}")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        for key, p in self.model.named_parameters():
            with self.subTest(key):
                self.assertLessEqual(max_rel(p, self.ref[f"adamw3.transformer.{key}"]), ADAMW_TOL)

    def test_the_decay_set_is_the_engines(self):
        # Biases and LayerNorm parameters never decay; matrices and both embeddings do.
        optimizer = build_adamw(self.model, weight_decay=0.01)
        names = {id(p): k for k, p in self.model.named_parameters()}
        decay = sorted(names[id(p)] for p in optimizer.param_groups[0]["params"])
        self.assertEqual(optimizer.param_groups[1]["weight_decay"], 0.0)
        self.assertIn("tokens_embed.weight", decay)
        self.assertIn("positions_embed.weight", decay)
        self.assertTrue(all(k.endswith(".weight") and ".ln_" not in k for k in decay))
        self.assertEqual(len(decay), 2 + 4 * 2)


if __name__ == "__main__":
    unittest.main()
