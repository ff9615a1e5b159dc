// A model as people look at it: samples at step boundaries, generations streamed token by token, the next
// token's candidates, zero-shot probe rounds, and attention maps of a text. A training run's model goes
// through forward programs that share the training program's parameters (no copy); a model nobody trains
// (a fine-tuned or an imported one, model-views.ts) has its values uploaded into them. One generation runs at
// a time; the generator programs are compiled on first use and freed with the model.
import type { GpuContext } from '../../gpu/device.ts';
import type { Gpt1Config } from '../../model/config.ts';
import type { ParamValues } from '../../model/weights.ts';
import type { Program } from '../../runtime/program.ts';
import type { Tensor } from '../../runtime/tensor.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import { type GenerateOptions, Generator } from '../../train/generator.ts';
import type { ProbeSet } from '../../train/probes/probe-sets.ts';
import { SequenceScorer } from '../../train/probes/sequence-scorer.ts';
import { type ProbeResult, runProbes } from '../../train/probes/zero-shot.ts';
import { nextTokenDistribution, type SamplingOptions } from '../../train/sampling.ts';
import {
  GENERATE_DEFAULTS,
  type GenerateSettings,
  generateSettingsProblem,
  NEXT_TOKEN_BARS,
} from '../../train/settings/generate-settings.ts';
import { type AttentionMaps, attentionMaps } from '../attention-maps.ts';
import type { NextToken } from '../protocol.ts';
import { pieceText, promptIds, TextStream } from '../token-pieces.ts';

/** Sequences a probe round scores per GPU pass. */
const PROBE_BATCH = 8;

/** The training program and its parameter tensors, read in place. */
export interface SharedWeights {
  program: Program;
  params: Map<string, Tensor>;
}

/** Where a model's parameters are: a training program's (shared) or values to upload. */
export type ModelWeights = { shared: SharedWeights } | { values: ParamValues };

/** Streamed pieces of a generation: the new text, whether it is the last, and everything so far. */
export type GeneratedPiece = { text: string; done: boolean; fullText: string };

export class LiveModel {
  private sampler: Promise<Generator> | undefined;
  private generator: Promise<Generator> | undefined;
  private scorer: Promise<SequenceScorer> | undefined;
  /** Serialises generations (one Generator, one request at a time). */
  private generating: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly ctx: GpuContext,
    private readonly config: Gpt1Config,
    private readonly tokenizer: Tokenizer,
    /** The run's context: the longest sequence generation and attention see. */
    private readonly T: number,
    private readonly weights: ModelWeights,
  ) {}

  private compile(): Promise<Generator> {
    return Generator.create(this.ctx, this.config, this.weights, this.T);
  }

  /** A sample from `prompt` (its own program, so a user's generation never waits for it). */
  async sample(prompt: string, options: GenerateOptions): Promise<string> {
    this.sampler ??= this.compile();
    const generator = await this.sampler;
    const ids: number[] = [];
    for await (const id of generator.generate(promptIds(this.tokenizer, prompt), options)) ids.push(id);
    return this.tokenizer.decode(ids);
  }

  /** Streams a generation; `send` gets a piece per token that completes text, and the last one with done. */
  generate(prompt: string, settings: GenerateSettings, send: (piece: GeneratedPiece) => void): Promise<void> {
    const problem = generateSettingsProblem(settings);
    if (problem) return Promise.reject(new Error(problem.message));
    const run = async () => {
      const { maxTokens } = settings;
      this.generator ??= this.compile();
      const generator = await this.generator;
      const stream = new TextStream(this.tokenizer);
      let count = 0;
      for await (const id of generator.generate(promptIds(this.tokenizer, prompt), settings)) {
        if (this.closed) return;
        count++;
        const { delta, full } = stream.push(id, count === maxTokens);
        if (delta || count === maxTokens) send({ text: delta, done: count === maxTokens, fullText: full });
      }
      if (maxTokens === 0) send({ text: '', done: true, fullText: '' });
    };
    const next = this.generating.then(run);
    this.generating = next.catch(() => {});
    return next;
  }

  /**
   * The `NEXT_TOKEN_BARS` most likely next tokens after `prompt` under temperature and top-k: the model's
   * logits from one forward of the generator (queued behind a running generation), then the sampler's
   * distribution (sampling.ts), so the bars are what Generate would draw from.
   */
  nextTokens(prompt: string, sampling: SamplingOptions): Promise<NextToken[]> {
    const problem = generateSettingsProblem({ ...GENERATE_DEFAULTS, ...sampling });
    if (problem) return Promise.reject(new Error(problem.message));
    const run = async () => {
      this.generator ??= this.compile();
      const logits = await (await this.generator).nextLogits(promptIds(this.tokenizer, prompt));
      return nextTokenDistribution(logits, sampling, NEXT_TOKEN_BARS).map(({ id, probability }) => ({
        id,
        probability,
        text: pieceText(this.tokenizer, id),
      }));
    };
    const next = this.generating.then(run);
    this.generating = next.then(
      () => {},
      () => {},
    );
    return next;
  }

  /** Attention maps of `text` (its first T tokens) with the current weights. */
  attention(text: string): Promise<AttentionMaps & { tokens: string[] }> {
    return this.attentionOf(this.tokenizer.encode(text).slice(0, this.T));
  }

  /** Attention maps of token ids (at most T) with the current weights, the tokens as text. */
  async attentionOf(ids: readonly number[]): Promise<AttentionMaps & { tokens: string[] }> {
    if (ids.length === 0) throw new Error('The text has no tokens: type something to look at.');
    const source = 'shared' in this.weights ? this.weights.shared : this.weights;
    const maps = await attentionMaps(this.ctx, this.config, source, ids);
    return { ...maps, tokens: ids.map((id) => pieceText(this.tokenizer, id)) };
  }

  /** The zero-shot probes' results on the current weights (a scorer program compiled on first use). */
  async probe(sets: readonly ProbeSet[]): Promise<ProbeResult[]> {
    this.scorer ??= SequenceScorer.create(this.ctx, this.config, this.weights, PROBE_BATCH, this.T);
    const scorer = await this.scorer;
    return runProbes(sets, this.tokenizer, (sequences) => scorer.score(sequences));
  }

  /** Waits for a running generation to notice, then frees the generator programs. */
  async close(): Promise<void> {
    this.closed = true;
    await this.generating;
    const free = async (g: Promise<Generator> | undefined) => (await g?.catch(() => undefined))?.destroy();
    await free(this.sampler);
    await free(this.generator);
    (await this.scorer?.catch(() => undefined))?.destroy();
  }
}
