// The paper's comparison for this task (Table 5, Figure 2 left): the same data, schedule and seeds fine-tuned
// from the pretrained model with and without the auxiliary LM, from scratch, and with only the first n blocks
// transferred (or n = 0 … L, the layers sweep); each row's mean and min–max over seeds, with the recipe's
// learning rate and the one a held part of the training file chose; the verdict in words (every row at
// chance, within seed noise, or which rows are apart); a bar chart (or the sweep's line chart) beside the
// paper's reported numbers when the training file is recognisably one of the paper's datasets.
import { useId } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { ComparePlan } from '../../../engine/protocol.ts';
import type { Spread } from '../../../train/ablation-stats.ts';
import type { TaskMetricName } from '../../../train/task-metrics.ts';
import { RunHeader } from '../../components/RunHeader.tsx';
import { finetuneControls, latestRun } from '../../controls/finetune-controls.ts';
import { formatDuration } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { CompareLayersChart } from './CompareLayersChart.tsx';
import { CompareSettingsForm } from './CompareSettingsForm.tsx';
import { type CompareRowSummary, compareVerdicts, summariseCompareRows } from './compare-summary.ts';
import { ACTIVE_FINETUNE_STATES } from './finetune-actions.ts';
import { formatMetricValue, METRIC_LABELS } from './metric-format.ts';
import { type PaperResult, recognisePaperDataset } from './paper-results.ts';

const NAMES = { state: 'Comparison state', progress: 'Comparison progress', controls: 'Comparison controls' };

const VARIANT_NAMES: Record<string, string> = {
  'pretrained+aux': 'Pretrained + aux LM',
  pretrained: 'Pretrained, no aux LM',
  scratch: 'No pre-training',
};

export function variantName(variant: string): string {
  const m = /^transfer-(\d+)$/.exec(variant);
  return m ? `First ${m[1]} blocks transferred` : (VARIANT_NAMES[variant] ?? variant);
}

/** The paper's Table 5 number for a variant (transfer-n has only Figure 2's curves, for MNLI and RACE). */
function paperValue(paper: PaperResult | undefined, variant: string): number | undefined {
  if (!paper) return undefined;
  if (variant === 'pretrained+aux') return paper.full;
  if (variant === 'pretrained') return paper.noAux;
  if (variant === 'scratch') return paper.scratch;
  return undefined;
}

export function ComparePanel({ family }: { family: TaskFamily }) {
  const run = useAppStore((s) => latestRun(s, family, 'compare'));
  const trainFile = useAppStore((s) => s.tasks[family].train.summary);
  const id = useId();
  const match = trainFile ? recognisePaperDataset(trainFile) : undefined;
  const paper = match?.paper;
  const metric = run?.rows[0]?.metric;
  const active = run !== undefined && ACTIVE_FINETUNE_STATES.has(run.state);
  /** The variant training now. */
  const running = active ? run.variant : undefined;
  const plan = run?.plan;
  const summaries = run ? summariseCompareRows(run.rows, plan) : [];
  const verdicts = active ? [] : compareVerdicts(summaries, plan, variantName);
  const ordered = verdicts.length > 0 && verdicts.every((v) => v.verdict.kind === 'apart');

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <RunHeader
        headingId={`${id}-h`}
        heading="Compare (paper Table 5, Figure 2 left)"
        names={NAMES}
        controls={finetuneControls(family, 'compare')}
        run={run}
        progress={
          run?.totalSteps
            ? { step: run.step, total: run.totalSteps, detail: running ? variantName(running) : undefined }
            : undefined
        }
        figures={running ? [{ label: 'Variant', text: variantName(running) }] : undefined}
        intro={
          <p className="hint">
            Runs on the same data and schedule, each with the same seeds: the pretrained model with the auxiliary LM and
            without it, the same model from scratch, and only the embeddings and the first blocks transferred — or every
            number of blocks transferred, 0 to all.
          </p>
        }
      />
      <CompareSettingsForm family={family} disabled={active} />
      {match && paper ? (
        <p className="hint">
          Dataset: <strong>{paper.dataset}</strong>, recognised because {match.how}. The paper reports{' '}
          {paper.metricLabel} {paper.full} ({paper.source}
          {paper.noAux !== undefined
            ? `; ${paper.noAux} without the aux LM, ${paper.scratch} without pre-training`
            : ''}
          ).
        </p>
      ) : (
        trainFile && (
          <p className="hint">
            No paper numbers: {trainFile.name} has the columns of its format, but neither its name nor its size (
            {trainFile.rows.toLocaleString('en')} examples) says it is one of the datasets the paper reports (GLUE,
            SNLI, SciTail, Story Cloze, RACE). A file named after one (sst2-train.tsv, RTE-dev.tsv), or a whole public
            split, is compared with the paper.
          </p>
        )
      )}
      {summaries.length > 0 && metric && (
        <>
          <CompareTable rows={summaries} metric={metric} paper={paper} plan={plan} />
          {plan?.heldOut && (
            <p className="hint">
              Recipe columns: learning rate {plan.lr}, the settings'. Tuned columns: the {plan.heldOut}, per row.
            </p>
          )}
          {verdicts.length > 0 && (
            <div className="compare-verdict" role="note" aria-label="Verdict">
              {verdicts.map(({ column, verdict }) => (
                <p key={column}>
                  <strong>{column}:</strong> {verdict.text}
                </p>
              ))}
            </div>
          )}
          {plan?.rows === 'layers' ? (
            <CompareLayersChart rows={summaries} layers={plan.layers} metric={metric} />
          ) : (
            <CompareBars rows={summaries} metric={metric} paper={paper} />
          )}
        </>
      )}
      {paper && (
        <p className="note">
          The paper's numbers come from a 117 M-parameter model pretrained for a month on 8 GPUs over BooksCorpus and
          fine-tuned on the full training set. A browser-sized model trained here will not reach them;{' '}
          {ordered
            ? 'what carries over is the order of the rows the verdict finds apart.'
            : 'read the verdict above before the order of the rows.'}
        </p>
      )}
    </section>
  );
}

const range = (metric: TaskMetricName, s: Spread) =>
  `${formatMetricValue(metric, s.min)} – ${formatMetricValue(metric, s.max)}`;

function CompareTable({
  rows,
  metric,
  paper,
  plan,
}: {
  rows: CompareRowSummary[];
  metric: TaskMetricName;
  paper: PaperResult | undefined;
  plan: ComparePlan | undefined;
}) {
  const withAccuracy = metric !== 'accuracy';
  const withRange = (plan?.seeds ?? 1) > 1;
  const withTuned = Boolean(plan?.lrSweep.length);
  const label = METRIC_LABELS[metric];
  return (
    <div className="table-wrap">
      <table className="runs-table compare-table">
        <caption className="visually-hidden">Comparison</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">λ</th>
            <th scope="col">
              Dev {label}
              {withRange ? ' (mean)' : ''}
            </th>
            {withRange && <th scope="col">Min – max</th>}
            {withAccuracy && <th scope="col">Accuracy</th>}
            <th scope="col">Final L2</th>
            <th scope="col">Steps</th>
            <th scope="col">Time</th>
            {withTuned && <th scope="col">Tuned lr</th>}
            {withTuned && (
              <th scope="col">
                Tuned dev {label}
                {withRange ? ' (mean)' : ''}
              </th>
            )}
            {withTuned && withRange && <th scope="col">Tuned min – max</th>}
            <th scope="col">Paper{paper ? ` (${paper.dataset})` : ''}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const reported = paperValue(paper, r.variant);
            const trials = r.trials.map((t) => `${t.lr}: ${formatMetricValue(metric, t.value)}`).join(', ');
            return (
              <tr key={r.variant}>
                <th scope="row" title={r.description}>
                  {variantName(r.variant)}
                </th>
                <td>{r.auxLm}</td>
                <td data-value={r.recipe.mean}>{formatMetricValue(metric, r.recipe.mean)}</td>
                {withRange && <td>{range(metric, r.recipe)}</td>}
                {withAccuracy && <td>{r.accuracy === null ? '–' : formatMetricValue('accuracy', r.accuracy.mean)}</td>}
                <td>{Number.isFinite(r.finalTaskLoss) ? r.finalTaskLoss.toFixed(4) : '–'}</td>
                <td>{r.steps}</td>
                <td>{formatDuration(r.seconds * 1000)}</td>
                {withTuned && (
                  <td title={trials ? `held-out ${label} per rate: ${trials}` : undefined}>
                    {r.tuned ? r.tuned.lr : '…'}
                  </td>
                )}
                {withTuned && (
                  <td data-value={r.tuned?.spread.mean}>
                    {r.tuned ? formatMetricValue(metric, r.tuned.spread.mean) : '…'}
                  </td>
                )}
                {withTuned && withRange && <td>{r.tuned ? range(metric, r.tuned.spread) : '…'}</td>}
                <td data-value={reported}>{reported === undefined ? '–' : reported.toFixed(1)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const BAR_HEIGHT = 12;
const ROW_GAP = 10;
const LABEL_WIDTH = 190;
const CHART_WIDTH = 560;

/** Horizontal bars, 0–100: this comparison's mean with a min–max line (solid) and the paper (hatched) per variant. */
function CompareBars({
  rows,
  metric,
  paper,
}: {
  rows: CompareRowSummary[];
  metric: TaskMetricName;
  paper: PaperResult | undefined;
}) {
  const plot = CHART_WIDTH - LABEL_WIDTH - 50;
  const rowHeight = BAR_HEIGHT * 2 + ROW_GAP;
  const height = rows.length * rowHeight + 24;
  const x = (v: number) => LABEL_WIDTH + (Math.max(0, Math.min(100, v)) / 100) * plot;
  const summary = rows
    .map((r) => {
      const reported = paperValue(paper, r.variant);
      const spread = r.recipe.n > 1 ? ` (${range(metric, r.recipe)})` : '';
      return `${variantName(r.variant)} ${formatMetricValue(metric, r.recipe.mean)}${spread}${reported === undefined ? '' : ` (paper ${reported})`}`;
    })
    .join('; ');
  return (
    <figure className="compare-bars">
      <svg
        viewBox={`0 0 ${CHART_WIDTH} ${height}`}
        width="100%"
        role="img"
        aria-label={`Comparison bar chart: ${summary}`}
      >
        {[0, 25, 50, 75, 100].map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={0} y2={height - 18} className="bar-grid" />
            <text x={x(t)} y={height - 4} className="bar-tick" textAnchor="middle">
              {t}
            </text>
          </g>
        ))}
        {rows.map((r, i) => {
          const y = i * rowHeight + 4;
          const ours = r.recipe.mean * 100;
          const reported = paperValue(paper, r.variant);
          return (
            <g key={r.variant}>
              <text x={LABEL_WIDTH - 8} y={y + BAR_HEIGHT + 3} className="bar-label" textAnchor="end">
                {variantName(r.variant)}
              </text>
              <rect x={x(0)} y={y} width={Math.max(0, x(ours) - x(0))} height={BAR_HEIGHT} className="bar ours" />
              {r.recipe.n > 1 && (
                <line
                  x1={x(r.recipe.min * 100)}
                  x2={x(r.recipe.max * 100)}
                  y1={y + BAR_HEIGHT / 2}
                  y2={y + BAR_HEIGHT / 2}
                  className="error-bar"
                />
              )}
              <text x={x(ours) + 4} y={y + BAR_HEIGHT - 2} className="bar-value">
                {Number.isFinite(ours) ? ours.toFixed(1) : '–'}
              </text>
              {reported !== undefined && (
                <>
                  <rect
                    x={x(0)}
                    y={y + BAR_HEIGHT}
                    width={x(reported) - x(0)}
                    height={BAR_HEIGHT}
                    className="bar paper"
                  />
                  <text x={x(reported) + 4} y={y + 2 * BAR_HEIGHT - 2} className="bar-value">
                    {reported.toFixed(1)} paper
                  </text>
                </>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="hint">
        <span className="swatch bar-swatch ours" aria-hidden="true" /> this comparison (dev, × 100; with more than one
        seed the mean, the line across it min–max){' '}
        {paper && (
          <>
            <span className="swatch bar-swatch paper" aria-hidden="true" /> the paper, {paper.source}
          </>
        )}
      </figcaption>
    </figure>
  );
}
