// Log-probabilities of token sequences under a model's current weights, on the GPU: one evaluation program
// (B sequences of T tokens, dropout off) whose tied LM head writes the loss of every position; a sequence's
// scored tokens are those from `from` on, each −loss = log p(token | the tokens before it). The program shares
// a training program's parameters (no copy; zero-shot probes read the weights as they train) or uploads
// values. It never writes parameters, optimizer state or the run's random streams.
import type { GpuContext } from '../../gpu/device.ts';
import type { Gpt1Config } from '../../model/config.ts';
import { finalHidden, type GptGraph, gptForward } from '../../model/gpt.ts';
import { type LmLoss, lmHeadLoss } from '../../model/lm-head.ts';
import { type ParamValues, uploadParams } from '../../model/weights.ts';
import { IGNORE_INDEX } from '../../ops/crossentropy.ts';
import { prepareEmbeddingIndex } from '../../ops/embedding.ts';
import { Graph } from '../../runtime/graph.ts';
import { Program } from '../../runtime/program.ts';
import type { Tensor } from '../../runtime/tensor.ts';

/** A sequence to score: its ids, and the index of the first scored token (at least 1). */
export interface ScoredSequence {
  ids: readonly number[];
  from: number;
}

/** The scored tokens' log-probabilities (natural log), in order. */
export type SequenceScore = Float64Array;

export class SequenceScorer {
  private constructor(
    private readonly program: Program,
    private readonly model: GptGraph,
    private readonly targets: Tensor,
    private readonly loss: LmLoss,
    readonly B: number,
    readonly T: number,
  ) {}

  static async create(
    ctx: GpuContext,
    config: Gpt1Config,
    source: { shared: { program: Program; params: Map<string, Tensor> } } | { values: ParamValues },
    B: number,
    T = config.nPositions,
  ): Promise<SequenceScorer> {
    const shared = 'shared' in source ? source.shared : undefined;
    const g = new Graph();
    const model = gptForward(g, config, { B, T, train: false, params: shared?.params });
    const targets = g.input('targets', [B * T], 'u32'); // [B*T]
    const loss = lmHeadLoss(g, finalHidden(model), model.params.get('wte')!, targets);
    const program = await Program.compile(ctx, g, {
      keep: [loss.losses],
      shareWith: shared?.program,
      label: 'sequence-scorer',
    });
    if ('values' in source) uploadParams(program, model.params, source.values);
    return new SequenceScorer(program, model, targets, loss, B, T);
  }

  /**
   * Log-probabilities of each sequence's scored tokens. A sequence longer than T keeps its last T tokens, and
   * a scored part longer than T − 1 tokens is scored on its last T − 1; sequences run B at a time (a sync
   * point per batch).
   */
  async score(sequences: readonly ScoredSequence[]): Promise<SequenceScore[]> {
    const { B, T } = this;
    const out: SequenceScore[] = [];
    for (let start = 0; start < sequences.length; start += B) {
      const batch = sequences.slice(start, start + B);
      const ids = new Uint32Array(B * T); // [B, T], padding ids 0 (their positions are not scored)
      const targets = new Uint32Array(B * T).fill(IGNORE_INDEX); // [B*T]
      const spans: { offset: number; count: number }[] = [];
      batch.forEach((seq, b) => {
        if (seq.from < 1 || seq.from > seq.ids.length) {
          throw new Error(`cannot score tokens ${seq.from}.. of a ${seq.ids.length}-token sequence`);
        }
        const cut = Math.max(0, seq.ids.length - T);
        const kept = seq.ids.slice(cut);
        // A scored part longer than the context loses its first tokens: the first kept token has no context.
        const from = Math.max(1, seq.from - cut);
        ids.set(kept, b * T);
        // The target at position t is the token at t + 1: position from - 1 predicts the first scored token.
        for (let t = from - 1; t + 1 < kept.length; t++) targets[b * T + t] = kept[t + 1]!;
        spans.push({ offset: b * T + from - 1, count: kept.length - from });
      });
      prepareEmbeddingIndex(this.program, this.model.embedding, ids);
      this.program.write(this.targets, targets);
      this.program.run();
      const losses = await this.program.readF32(this.loss.losses); // [B*T]
      for (const { offset, count } of spans) {
        out.push(Float64Array.from(losses.subarray(offset, offset + count), (l) => -l));
      }
    }
    return out;
  }

  destroy(): void {
    this.program.destroy();
  }
}
