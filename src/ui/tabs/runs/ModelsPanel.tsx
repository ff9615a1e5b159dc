// The Runs tab's one list of models (model-list.ts): the current pre-training run, the imported model and
// every fine-tuned model, each with what can be done with it: generate from it, look into its attention, try
// it on its task, pre-train it further, fine-tune it, export it; and the saved pre-training runs not loaded,
// each opened (paused) with one button to become the current run's model. A button that cannot act now is disabled and
// says why in its title and the line under the list.
import { isActive, resumeSaved } from '../../actions.ts';
import { type ListedModel, useModelList } from '../../model-list.ts';
import { useAppStore } from '../../store/index.ts';
import {
  exportBlocker,
  exportModel,
  finetuneFrom,
  generateFrom,
  inspectAttention,
  pretrainFurther,
  tryInTab,
} from './model-actions.ts';

/** A run is training: starting from a model waits for it (one GPU run at a time). */
function trainingBlocker(s: ReturnType<typeof useAppStore.getState>): string | undefined {
  const run = s.currentRunId ? s.runs[s.currentRunId] : undefined;
  if (run && ['starting', 'preparing', 'running', 'pausing'].includes(run.state)) {
    return 'pre-training is running: pause or stop it first';
  }
  return undefined;
}

function ModelRow({ model, blocker }: { model: ListedModel; blocker: string | undefined }) {
  const noExport = useAppStore(() => exportBlocker(model));
  const name = model.label;
  return (
    <tr data-model-key={model.key}>
      <th scope="row">{name}</th>
      <td>{model.kind}</td>
      <td className="button-row">
        <button type="button" aria-label={`Generate from ${name}`} onClick={() => generateFrom(model)}>
          Generate
        </button>
        <button type="button" aria-label={`Attention of ${name}`} onClick={() => inspectAttention(model)}>
          Attention
        </button>
        {model.family && (
          <button type="button" aria-label={`Try ${name}`} onClick={() => tryInTab(model.family!)}>
            Try it
          </button>
        )}
        {model.kind !== 'pre-training' && (
          <button
            type="button"
            aria-label={`Pre-train ${name} further`}
            disabled={blocker !== undefined}
            title={blocker}
            onClick={() => pretrainFurther(model)}
          >
            Pre-train further
          </button>
        )}
        <button
          type="button"
          aria-label={`Fine-tune ${name}`}
          disabled={model.kind !== 'pre-training' && blocker !== undefined}
          title={model.kind !== 'pre-training' ? blocker : undefined}
          onClick={() => finetuneFrom(model)}
        >
          Fine-tune
        </button>
        <button
          type="button"
          aria-label={`Export ${name}`}
          disabled={noExport !== undefined}
          title={noExport}
          onClick={() => exportModel(model)}
        >
          Export
        </button>
      </td>
    </tr>
  );
}

/** A saved pre-training run that is not loaded: opened (paused, at its step), it is the current run's model. */
function SavedRow({ runId, step, busy }: { runId: string; step: number; busy: boolean }) {
  const name = `Saved pre-training run ${runId} (step ${step})`;
  return (
    <tr data-model-key={`saved:${runId}`}>
      <th scope="row">{name}</th>
      <td>saved</td>
      <td className="button-row">
        <button
          type="button"
          aria-label={`Open ${name}`}
          disabled={busy}
          title={busy ? 'stop or finish the current run first' : 'load it paused: then every action applies'}
          onClick={() => resumeSaved(runId, true)}
        >
          Open
        </button>
      </td>
    </tr>
  );
}

export function ModelsPanel() {
  const models = useModelList();
  const blocker = useAppStore(trainingBlocker);
  const currentRunId = useAppStore((s) => s.currentRunId);
  const busy = useAppStore((s) => isActive(s.currentRunId ? s.runs[s.currentRunId] : undefined));
  const saved = useAppStore((s) => s.savedRuns).filter((r) => r.runId !== currentRunId);
  return (
    <section className="panel" aria-labelledby="models-h">
      <h3 id="models-h">Models</h3>
      {models.length + saved.length === 0 ? (
        <p className="hint">
          No models yet: pre-train one, import a checkpoint folder on a task tab, or fine-tune one.
        </p>
      ) : (
        <table className="runs-table" aria-labelledby="models-h">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Kind</th>
              <th scope="col">Use it</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <ModelRow key={m.key} model={m} blocker={blocker} />
            ))}
            {saved.map((r) => (
              <SavedRow key={r.runId} runId={r.runId} step={r.step} busy={busy} />
            ))}
          </tbody>
        </table>
      )}
      {blocker && <p className="hint">Pre-training further and fine-tuning wait: {blocker}.</p>}
    </section>
  );
}
