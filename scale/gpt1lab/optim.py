# AdamW as our engine runs it (src/ops/adamw.ts): PyTorch's torch.optim.AdamW, betas 0.9/0.999, eps 1e-8,
# decoupled weight decay on tensors of 2+ dims only (matrices and embeddings; no decay on biases and LayerNorm
# gains, as GPT-1), and the Adam moments moved in and out by Hugging Face key.
import torch

BETAS = (0.9, 0.999)
EPS = 1e-8


def build_adamw(model, weight_decay):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=0.0, betas=BETAS, eps=EPS)


def set_lr(optimizer, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr


def load_moments(optimizer, model, moments, step):
    """Adam state at training step `step`. Without moments (a fresh start) they are zero, but Adam's step stays
    the training step: our engine ties its bias correction to the training step, so both engines agree."""
    for key, param in model.named_parameters():
        m, v = moments[key] if moments is not None else (torch.zeros_like(param), torch.zeros_like(param))
        optimizer.state[param] = {
            "step": torch.tensor(float(step)),
            "exp_avg": m.to(param.device, torch.float32).clone(),  # param's shape
            "exp_avg_sq": v.to(param.device, torch.float32).clone(),  # param's shape
        }


def export_moments(optimizer, model):
    """HF key -> (exp_avg, exp_avg_sq) on the CPU."""
    out = {}
    for key, param in model.named_parameters():
        state = optimizer.state[param]
        out[key] = (state["exp_avg"].detach().cpu(), state["exp_avg_sq"].detach().cpu())
    return out
