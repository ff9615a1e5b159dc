// Live attention while a fine-tuning run trains: at every `every`-th step boundary the watched text goes
// through the task's input transformation as the Attention tab shows a fine-tuned model (the classification
// form: start + text + extract, the text cut to the run's context), and its maps are taken on a forward
// program that shares the training program's parameters (no copy). The maps only read the weights, never the
// moments, the data cursor or a seed, so the run's losses are those of a run nobody watched.
import type { GpuContext } from '../../gpu/device.ts';
import { singleTextForm } from '../../model/task-inputs.ts';
import type { PreparedFinetune } from '../../train/finetune-prepare.ts';
import type { FinetuneTrainer } from '../../train/finetune-trainer.ts';
import { type BoundaryWork, dueEvery } from '../../train/step-driver.ts';
import { attentionMaps } from '../attention-maps.ts';
import type { EmitFn } from '../protocol.ts';
import { pieceText } from '../token-pieces.ts';

/** The engine's one live-attention watch: the text and the interval in steps (0: not watched). */
export interface AttentionWatch {
  text: string;
  every: number;
}

export interface LiveTaskAttentionDeps {
  ctx: GpuContext;
  runId: string;
  prepared: PreparedFinetune;
  /** The watch as it is now (read at every boundary, so a change applies from the next one). */
  watch: () => AttentionWatch;
  emit: EmitFn;
}

export class LiveTaskAttention {
  private lastSnapshotStep = -1;
  /** A watch whose text failed: skipped until the engine is given another one. */
  private failed: AttentionWatch | undefined;

  constructor(private readonly deps: LiveTaskAttentionDeps) {}

  /** The boundary work of `trainer`'s run: snapshots every `every` steps and at the end. */
  work(trainer: FinetuneTrainer): BoundaryWork {
    const total = this.deps.prepared.totalSteps;
    return {
      due: (step, end) => {
        const watch = this.deps.watch();
        const every = watch === this.failed ? 0 : watch.every;
        return dueEvery(every, total, step, end, this.lastSnapshotStep);
      },
      run: () => this.snapshot(trainer),
    };
  }

  /** The maps of the watched text at this step boundary; a text that fails stops this watch, saying why. */
  private async snapshot(trainer: FinetuneTrainer): Promise<void> {
    const { ctx, runId, prepared, emit } = this.deps;
    const watch = this.deps.watch();
    const step = trainer.step;
    this.lastSnapshotStep = step;
    try {
      const { config, T } = prepared.trainer;
      const ids = singleTextForm(prepared.tokenizer, config, T, watch.text);
      const shared = { program: trainer.program, params: trainer.taskGraph.model.params };
      const { layers, heads, data } = await attentionMaps(ctx, config, shared, ids);
      const tokens = ids.map((id) => pieceText(prepared.tokenizer, id));
      const extractIndex = ids.length - 1;
      emit({ type: 'attention-snapshot', runId, kind: 'finetune', step, tokens, layers, heads, data, extractIndex }, [
        data.buffer,
      ]);
    } catch (error) {
      this.failed = watch;
      emit({ type: 'error', where: 'attention', message: (error as Error).message, runId });
    }
  }
}
