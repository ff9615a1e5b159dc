// Autoregressive generation on the GPU: a forward program for one sequence of the model's context that
// computes logits only at the last real position (a gathered row times wte^T), so each token costs one
// forward pass and a V-float readback. Parameters come from a training program (shared, no copy) or
// are uploaded from values (a checkpoint).
import type { GpuContext } from '../gpu/device.ts';
import type { Gpt1Config } from '../model/config.ts';
import { finalHidden, type GptGraph, gptForward } from '../model/gpt.ts';
import { type ParamValues, uploadParams } from '../model/weights.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { type Gather, gatherRows, setGatherIndex } from '../ops/gather.ts';
import { matmul } from '../ops/matmul.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { type SamplingOptions, sampleToken, samplingRng } from './sampling.ts';

export interface GenerateOptions extends SamplingOptions {
  maxTokens: number;
  seed: number;
}

export class Generator {
  private constructor(
    private readonly program: Program,
    private readonly model: GptGraph,
    private readonly last: Gather,
    private readonly logits: Tensor,
    readonly T: number,
  ) {}

  /**
   * A generator for `config` with context T (default: the model's). With `shared`, it reads the training
   * program's parameters directly; otherwise `values` are uploaded.
   */
  static async create(
    ctx: GpuContext,
    config: Gpt1Config,
    source: { shared: { program: Program; params: Map<string, Tensor> } } | { values: ParamValues },
    T = config.nPositions,
  ): Promise<Generator> {
    const g = new Graph();
    const shared = 'shared' in source ? source.shared : undefined;
    const model = gptForward(g, config, { B: 1, T, train: false, params: shared?.params });
    const last = gatherRows(g, finalHidden(model), 1, 'last'); // [1, C]
    const logits = matmul(g, last.out, model.params.get('wte')!, { transB: true, name: 'next_logits' }); // [1, V]
    const program = await Program.compile(ctx, g, { keep: [logits], shareWith: shared?.program, label: 'generate' });
    if ('values' in source) uploadParams(program, model.params, source.values);
    return new Generator(program, model, last, logits, T);
  }

  /** Logits [V] for the next token after `context` (its last T tokens are used). A sync point. */
  async nextLogits(context: readonly number[]): Promise<Float32Array> {
    if (context.length === 0) throw new Error('generation needs at least one prompt token');
    const window = context.slice(-this.T);
    const ids = new Uint32Array(this.T);
    ids.set(window);
    prepareEmbeddingIndex(this.program, this.model.embedding, ids);
    setGatherIndex(this.program, this.last, Uint32Array.of(window.length - 1));
    this.program.run();
    return this.program.readF32(this.logits);
  }

  /** Yields up to maxTokens new token ids, one at a time (for streaming to the UI). */
  async *generate(prompt: readonly number[], options: GenerateOptions): AsyncGenerator<number> {
    const rng = samplingRng(options.seed);
    const context = [...prompt];
    for (let i = 0; i < options.maxTokens; i++) {
      const next = sampleToken(await this.nextLogits(context), options, rng);
      context.push(next);
      yield next;
    }
  }

  destroy(): void {
    this.program.destroy();
  }
}
