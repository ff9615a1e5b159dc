// Models nobody trains, opened for looking at: a fine-tuned model (finished in this page, kept in storage, or
// imported from a fine-tuning checkpoint) and the imported model. Each is generated from with its LM head,
// asked for its next token's candidates and looked into in Attention, as the loaded pre-training run is.
// Its values are uploaded once into the forward programs of a LiveModel; one model is open at a time (the
// last one asked for), and the engine closes it before a run takes the GPU. A fine-tuned model sees an
// attention text through its task's input transformation (the classification form: start, text, extract);
// generation takes the prompt as it is, the way the auxiliary LM objective trained the LM head on task text.
import type { TaskFamily } from '../data/tasks/task-types.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { LimitNeeds } from '../gpu/limits.ts';
import type { Gpt1Config } from '../model/config.ts';
import { finalHidden, gptForward } from '../model/gpt.ts';
import { singleTextForm } from '../model/task-inputs.ts';
import type { ParamValues } from '../model/weights.ts';
import { Graph } from '../runtime/graph.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { planTrainGraph } from '../train/train-program.ts';
import { LiveModel } from './pretraining/live-model.ts';
import type { EmitFn, GenerateRequest, ModelRef, NextTokensRequest } from './protocol.ts';

/** A model to look at, as its owner hands it over. */
export interface ViewedModel {
  /** In words, for messages ("fine-tuned model ft-3"). */
  name: string;
  config: Gpt1Config;
  /** Special tokens included for a fine-tuned model. */
  tokenizer: Tokenizer;
  /** The longest sequence generation and attention see (a fine-tuned run's context, else the positions). */
  T: number;
  params: ParamValues;
  /** A fine-tuned model's task: attention shows a text as that task sees it. */
  task?: TaskFamily;
}

export interface ModelViewDeps {
  emit: EmitFn;
  /** The model `ref` names, or an error saying why there is none. */
  resolve: (ref: ModelRef) => Promise<ViewedModel>;
  device: (needs: LimitNeeds, purpose: string) => Promise<GpuContext>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function keyOf(ref: ModelRef): string {
  return ref.kind === 'imported' ? 'imported' : `finetune:${ref.runId}`;
}

/** The device limits a batch-1 forward of `config` over T tokens needs (its largest buffers are parameters). */
function forwardNeeds(config: Gpt1Config, T: number): LimitNeeds {
  const g = new Graph();
  const model = gptForward(g, config, { B: 1, T, train: false });
  return planTrainGraph(g, [finalHidden(model)]).needs;
}

export class ModelViews {
  private opened: { key: string; model: ViewedModel; live: Promise<LiveModel> } | undefined;

  constructor(private readonly deps: ModelViewDeps) {}

  /** The LiveModel of `ref`, opening it (and closing the one open before) when it is not the open one. */
  private async open(ref: ModelRef): Promise<{ model: ViewedModel; live: LiveModel }> {
    const key = keyOf(ref);
    if (this.opened?.key !== key) {
      await this.close();
      const model = await this.deps.resolve(ref);
      const T = Math.min(model.T, model.config.nPositions);
      const live = this.deps
        .device(forwardNeeds(model.config, T), `looking at ${model.name}`)
        .then((ctx) => new LiveModel(ctx, model.config, model.tokenizer, T, { values: model.params }));
      this.opened = { key, model, live };
      live.catch(() => {
        if (this.opened?.live === live) this.opened = undefined; // the next request tries again
      });
    }
    const { model, live } = this.opened!;
    return { model, live: await live };
  }

  private fail(where: string, error: unknown, requestId: string): void {
    this.deps.emit({ type: 'error', requestId, where, message: messageOf(error) });
  }

  async generate(ref: ModelRef, request: GenerateRequest): Promise<void> {
    const { requestId, prompt, maxTokens, temperature, topK, seed } = request;
    try {
      const { live } = await this.open(ref);
      await live.generate(prompt, { maxTokens, temperature, topK, seed }, (piece) =>
        this.deps.emit({ type: 'generated', requestId, ...piece }),
      );
    } catch (error) {
      this.fail('generate', error, requestId);
    }
  }

  async nextTokens(ref: ModelRef, request: NextTokensRequest): Promise<void> {
    const { requestId, prompt, temperature, topK } = request;
    try {
      const { live } = await this.open(ref);
      const tokens = await live.nextTokens(prompt, { temperature, topK });
      this.deps.emit({ type: 'next-tokens', requestId, tokens });
    } catch (error) {
      this.fail('next-tokens', error, requestId);
    }
  }

  /** Attention maps of `text`; a fine-tuned model's in its classification form, the extract token marked. */
  async attention(ref: ModelRef, requestId: string, text: string): Promise<void> {
    try {
      if (!text.trim()) throw new Error('The text has no tokens: type something to look at.');
      const { model, live } = await this.open(ref);
      const { tokenizer, config, T } = model;
      const ids = model.task
        ? singleTextForm(tokenizer, config, T, text)
        : tokenizer.encode(text).slice(0, Math.min(T, config.nPositions));
      const { tokens, layers, heads, data } = await live.attentionOf(ids);
      const extract = model.task ? { extractIndex: ids.length - 1 } : {};
      this.deps.emit({ type: 'attention-maps', requestId, tokens, layers, heads, data, ...extract }, [data.buffer]);
    } catch (error) {
      this.fail('attention', error, requestId);
    }
  }

  get isOpen(): boolean {
    return this.opened !== undefined;
  }

  /** Frees the open model's programs (a run is about to take the GPU, or the model changed). */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    const live = await opened?.live.catch(() => undefined);
    await live?.close();
  }

  /** The device is gone: the open model's programs went with it. */
  forget(): void {
    this.opened = undefined;
  }
}
