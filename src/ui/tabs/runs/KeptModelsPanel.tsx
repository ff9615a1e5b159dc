// The Runs tab's kept fine-tuned models: each fine-tuning run's latest checkpoint in storage, with its task,
// step, last dev metric and size, to resume (after a reload too), export as a Hugging Face folder, or delete.
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton.tsx';
import { formatBytes, formatInteger, formatWhen } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { ACTIVE_FINETUNE_STATES } from '../tasks/finetune-actions.ts';
import { deleteKeptModel, exportKeptModel, keptModelBlocker, resumeKeptModel } from './kept-model-actions.ts';

export function KeptModelsPanel() {
  const models = useAppStore((s) => s.keptModels);
  const runs = useAppStore((s) => s.finetuneRuns);
  const blocker = useAppStore(keptModelBlocker);
  if (!models.length) return null;
  return (
    <section className="panel" aria-labelledby="kept-models-h">
      <h3 id="kept-models-h">Kept fine-tuned models</h3>
      <ul className="saved-runs">
        {models.map((m) => {
          const active = ACTIVE_FINETUNE_STATES.has(runs[m.runId]?.state ?? 'done');
          const metric =
            m.lastEval && m.lastEval.value !== null
              ? `dev ${m.lastEval.metric} ${m.lastEval.value.toFixed(4)}`
              : 'no dev evaluation yet';
          return (
            <li key={m.runId} data-run-id={m.runId}>
              <button
                type="button"
                onClick={() => resumeKeptModel(m)}
                disabled={Boolean(blocker) || active || m.step >= m.totalSteps}
              >
                Resume fine-tuned model {m.runId} at step {m.step}
              </button>{' '}
              <span className="hint">
                {m.family} · of {formatInteger(m.totalSteps)} · {m.dataset.train} · {metric} · saved{' '}
                {formatWhen(m.savedAt)}
                {m.bytes !== undefined && <> · {formatBytes(m.bytes)}</>}
              </span>{' '}
              <button type="button" className="link-button" onClick={() => exportKeptModel(m.runId)}>
                Export {m.runId}
              </button>{' '}
              {!active && (
                <ConfirmDeleteButton what={m.runId} kind="fine-tuned model" onDelete={() => deleteKeptModel(m.runId)} />
              )}
            </li>
          );
        })}
      </ul>
      {blocker && <p className="hint">{blocker}</p>}
    </section>
  );
}
