# GPT-1 (Radford et al. 2018) in plain PyTorch, written to compute what Hugging Face's OpenAIGPTLMHeadModel and
# our WGSL engine compute: post-LN blocks, tanh-GELU, learned positions, no final LayerNorm, the LM head tied to
# the token embedding, dropout at the embeddings, the attention probabilities and both residual branches, and
# HF's causal mask (w * b - 1e4 * (1 - b), not -inf). Module names and Conv1D's [in, out] weights are HF's, so
# state_dict() keys and shapes are model.safetensors' exactly, with nothing transposed on the way in or out.
#
# Dropout draws from one torch.Generator that the trainer seeds per micro-batch (run seed, step, micro-batch), so
# masks do not depend on how micro-batches are spread over processes: two processes compute what one does.
# Not the same masks as our engine's (its counter-based hash): dropout streams differ between the two engines.
import math

import torch
from torch import nn
from torch.nn import functional as F

from .config import Gpt1Config


class DropoutStream:
    """The generator every dropout site of a model draws from, reseeded by the trainer."""

    def __init__(self, device):
        self.generator = torch.Generator(device=device)

    def seed(self, value):
        self.generator.manual_seed(value)


class Dropout(nn.Module):
    def __init__(self, p, stream):
        super().__init__()
        self.p = p
        self.stream = stream

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, generator=self.stream.generator, device=x.device) >= self.p  # x's shape
        return x * keep / (1 - self.p)


class Conv1D(nn.Module):
    """HF's Conv1D: a linear layer stored transposed, y = x @ W + b with W [nx, nf]."""

    def __init__(self, nx, nf):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf))  # [nx, nf]
        self.bias = nn.Parameter(torch.zeros(nf))  # [nf]

    def forward(self, x):
        out = torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight)  # [B*T, nf]
        return out.view(*x.shape[:-1], -1)  # [B, T, nf]


class Attention(nn.Module):
    def __init__(self, c: Gpt1Config, stream):
        super().__init__()
        self.n_head = c.n_head
        self.c_attn = Conv1D(c.n_embd, 3 * c.n_embd)
        self.c_proj = Conv1D(c.n_embd, c.n_embd)
        self.attn_dropout = Dropout(c.attn_pdrop, stream)
        self.resid_dropout = Dropout(c.resid_pdrop, stream)
        mask = torch.tril(torch.ones(c.n_positions, c.n_positions)).view(1, 1, c.n_positions, c.n_positions)
        self.register_buffer("bias", mask, persistent=False)  # [1, 1, P, P], not a parameter (HF's name)

    def forward(self, x, keep_probs=False):
        B, T, C = x.shape
        hs = C // self.n_head
        q, k, v = self.c_attn(x).split(C, dim=2)  # 3 x [B, T, C]
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # [B, NH, T, hs]
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)  # [B, NH, T, hs]
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)  # [B, NH, T, hs]
        w = q @ k.transpose(-1, -2) / math.sqrt(hs)  # [B, NH, T, T]
        b = self.bias[:, :, :T, :T]  # [1, 1, T, T]
        w = w * b + -1e4 * (1 - b)  # HF's mask: exp(-1e4 - max) is exactly 0 in f32, as -inf would give
        probs = F.softmax(w, dim=-1)  # [B, NH, T, T]
        y = self.attn_dropout(probs) @ v  # [B, NH, T, hs]
        y = y.transpose(1, 2).reshape(B, T, C)  # [B, T, C]
        return self.resid_dropout(self.c_proj(y)), (probs if keep_probs else None)


def gelu_tanh(x):
    # transformers' gelu_new written out, so rounding follows HF's formula rather than a fused kernel.
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class MLP(nn.Module):
    def __init__(self, c: Gpt1Config, stream):
        super().__init__()
        self.c_fc = Conv1D(c.n_embd, 4 * c.n_embd)
        self.c_proj = Conv1D(4 * c.n_embd, c.n_embd)
        self.dropout = Dropout(c.resid_pdrop, stream)

    def forward(self, x):
        return self.dropout(self.c_proj(gelu_tanh(self.c_fc(x))))  # [B, T, C]


class Block(nn.Module):
    def __init__(self, c: Gpt1Config, stream):
        super().__init__()
        self.attn = Attention(c, stream)
        self.ln_1 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.mlp = MLP(c, stream)
        self.ln_2 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)

    def forward(self, x, keep_probs=False):
        a, probs = self.attn(x, keep_probs)
        n = self.ln_1(x + a)  # [B, T, C] post-LN: normalise after the residual add
        return self.ln_2(n + self.mlp(n)), probs  # [B, T, C]


class Gpt1(nn.Module):
    def __init__(self, c: Gpt1Config, device="cpu"):
        super().__init__()
        self.config = c
        self.dropout_stream = DropoutStream(device)
        self.tokens_embed = nn.Embedding(c.vocab_size, c.n_embd)
        self.positions_embed = nn.Embedding(c.n_positions, c.n_embd)
        self.drop = Dropout(c.embd_pdrop, self.dropout_stream)
        self.h = nn.ModuleList(Block(c, self.dropout_stream) for _ in range(c.n_layer))

    def body(self, ids, keep=False):
        """Final hidden states [B, T, C]; with `keep`, also every hidden state and attention map (tests)."""
        T = ids.shape[1]
        positions = torch.arange(T, device=ids.device)  # [T]
        x = self.drop(self.tokens_embed(ids) + self.positions_embed(positions))  # [B, T, C]
        hidden, attentions = [x], []
        for block in self.h:
            x, probs = block(x, keep)  # [B, T, C]
            hidden.append(x)
            attentions.append(probs)
        return (x, hidden, attentions) if keep else x

    def logits(self, hidden):
        return hidden @ self.tokens_embed.weight.t()  # [B, T, V] the tied LM head

    def forward(self, ids, targets, reduction="mean"):
        """Next-token cross-entropy of `targets` [B, T] given `ids` [B, T] (mean, or "sum" to average later).
        The loss is the forward so that DistributedDataParallel's forward, which arms its gradient hooks, runs."""
        logits = self.logits(self.body(ids))  # [B, T, V]
        return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), reduction=reduction)
