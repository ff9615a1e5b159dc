# gpt1lab: GPT-1 in plain PyTorch and the pieces that continue a gpt1-lab run under torchrun (DDP): the model,
# our checkpoint folder and token file formats, the data windows, the schedule and AdamW of the TypeScript engine.
