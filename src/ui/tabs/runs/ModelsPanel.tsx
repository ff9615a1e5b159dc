// The Runs tab's one list of models (model-list.ts): the current pre-training run, the imported model and
// every fine-tuned model, each with what can be done with it: generate from it, look into its attention, try
// it on its task, pre-train it further, fine-tune it, export it. A button that cannot act now is disabled and
// says why in its title and the line under the list.
import { useShallow } from 'zustand/react/shallow';
import { type ListedModel, listModels } from '../../model-list.ts';
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

export function ModelsPanel() {
  // Subscribed to keys and labels (strings): the panel re-renders when the list changes, not on every update.
  useAppStore(useShallow((s) => listModels(s).map((m) => `${m.key} ${m.label} ${m.kept}`)));
  const models = listModels(useAppStore.getState());
  const blocker = useAppStore(trainingBlocker);
  return (
    <section className="panel" aria-labelledby="models-h">
      <h3 id="models-h">Models</h3>
      {models.length === 0 ? (
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
          </tbody>
        </table>
      )}
      {blocker && <p className="hint">Pre-training further and fine-tuning wait: {blocker}.</p>}
    </section>
  );
}
