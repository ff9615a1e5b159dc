// The paper's comparison for this task (Table 5, Figure 2 left): the same data, schedule and seed fine-tuned
// from the pretrained model with and without the auxiliary LM, from scratch, and with only the first n blocks
// transferred; a table and a bar chart beside the paper's reported numbers when the training file is
// recognisably one of the paper's datasets (and how it was recognised is said).
import { useId } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { CompareRow } from '../../../engine/protocol.ts';
import { RunHeader } from '../../components/RunHeader.tsx';
import { finetuneControls, latestRun } from '../../controls/finetune-controls.ts';
import { formatDuration } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
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
  /** The variant training now. */
  const running = run && ACTIVE_FINETUNE_STATES.has(run.state) ? run.variant : undefined;

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <RunHeader
        headingId={`${id}-h`}
        heading="Compare (paper Table 5)"
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
            Four runs on the same data, schedule and seed: the pretrained model with the auxiliary LM and without it,
            the same model from scratch, and only the embeddings and the first blocks transferred.
          </p>
        }
      />
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
      {run && run.rows.length > 0 && metric && (
        <>
          <CompareTable rows={run.rows} paper={paper} />
          <CompareBars rows={run.rows} paper={paper} />
        </>
      )}
      {paper && (
        <p className="note">
          The paper's numbers come from a 117 M-parameter model pretrained for a month on 8 GPUs over BooksCorpus and
          fine-tuned on the full training set. A browser-sized model trained here will not reach them; the comparison to
          look at is the order of the rows.
        </p>
      )}
    </section>
  );
}

function CompareTable({ rows, paper }: { rows: CompareRow[]; paper: PaperResult | undefined }) {
  const metric = rows[0]!.metric;
  const withAccuracy = metric !== 'accuracy';
  return (
    <div className="table-wrap">
      <table className="runs-table compare-table">
        <caption className="visually-hidden">Comparison</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">λ</th>
            <th scope="col">Dev {METRIC_LABELS[metric]}</th>
            {withAccuracy && <th scope="col">Accuracy</th>}
            <th scope="col">Final L2</th>
            <th scope="col">Steps</th>
            <th scope="col">Time</th>
            <th scope="col">Paper{paper ? ` (${paper.dataset})` : ''}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const reported = paperValue(paper, r.variant);
            return (
              <tr key={r.variant}>
                <th scope="row" title={r.description}>
                  {variantName(r.variant)}
                </th>
                <td>{r.auxLm}</td>
                <td data-value={r.value}>{formatMetricValue(r.metric, r.value)}</td>
                {withAccuracy && <td>{r.accuracy === null ? '–' : formatMetricValue('accuracy', r.accuracy)}</td>}
                <td>{Number.isFinite(r.finalTaskLoss) ? r.finalTaskLoss.toFixed(4) : '–'}</td>
                <td>{r.steps}</td>
                <td>{formatDuration(r.seconds * 1000)}</td>
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

/** Horizontal bars, 0–100: this run (solid) and the paper (hatched) per variant. */
function CompareBars({ rows, paper }: { rows: CompareRow[]; paper: PaperResult | undefined }) {
  const plot = CHART_WIDTH - LABEL_WIDTH - 50;
  const rowHeight = BAR_HEIGHT * 2 + ROW_GAP;
  const height = rows.length * rowHeight + 24;
  const x = (v: number) => LABEL_WIDTH + (Math.max(0, Math.min(100, v)) / 100) * plot;
  const summary = rows
    .map((r) => {
      const reported = paperValue(paper, r.variant);
      return `${variantName(r.variant)} ${formatMetricValue(r.metric, r.value)}${reported === undefined ? '' : ` (paper ${reported})`}`;
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
          const ours = r.value * 100;
          const reported = paperValue(paper, r.variant);
          return (
            <g key={r.variant}>
              <text x={LABEL_WIDTH - 8} y={y + BAR_HEIGHT + 3} className="bar-label" textAnchor="end">
                {variantName(r.variant)}
              </text>
              <rect x={x(0)} y={y} width={Math.max(0, x(ours) - x(0))} height={BAR_HEIGHT} className="bar ours" />
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
        <span className="swatch bar-swatch ours" aria-hidden="true" /> this comparison (dev, × 100){' '}
        {paper && (
          <>
            <span className="swatch bar-swatch paper" aria-hidden="true" /> the paper, {paper.source}
          </>
        )}
      </figcaption>
    </figure>
  );
}
