// The layers-transferred sweep (Figure 2 left): the dev metric against the number of blocks transferred,
// n = 0 (embeddings only) … L, the mean over seeds with min–max error bars (and the tuned rate's, dashed), and
// the paper's MultiNLI and RACE values for their shape. The paper's figure is given to us only at its ends
// (Radford et al. 2018, Fig. 2 left, read off the figure: MNLI dev ≈ 72 with 0 and ≈ 82 with all 12 layers,
// RACE ≈ 40 → ≈ 60), so only those two points per dataset are drawn, at n = 0 and n = L: no line between them.

import type { TaskMetricName } from '../../../train/task-metrics.ts';
import type { CompareRowSummary } from './compare-summary.ts';
import { formatMetricValue } from './metric-format.ts';

/** The paper's Figure 2 (left) ends, in percent: 0 layers and all 12. */
const PAPER_ENDS = [
  { dataset: 'MNLI', none: 72, all: 82 },
  { dataset: 'RACE', none: 40, all: 60 },
] as const;

const WIDTH = 560;
const HEIGHT = 260;
const LEFT = 44;
const RIGHT = 130;
const TOP = 16;
const BOTTOM = 36;

const layersOf = (variant: string) => Number(/^transfer-(\d+)$/.exec(variant)?.[1] ?? Number.NaN);

export function CompareLayersChart({
  rows,
  layers,
  metric,
}: {
  rows: CompareRowSummary[];
  layers: number;
  metric: TaskMetricName;
}) {
  const points = rows.filter((r) => Number.isFinite(layersOf(r.variant)));
  const x = (n: number) => LEFT + (layers ? n / layers : 0) * (WIDTH - LEFT - RIGHT);
  const y = (v: number) => TOP + (1 - Math.max(0, Math.min(100, v)) / 100) * (HEIGHT - TOP - BOTTOM);
  const line = (pick: (r: CompareRowSummary) => number | undefined) =>
    points
      .flatMap((r) => {
        const v = pick(r);
        return v === undefined || !Number.isFinite(v) ? [] : [`${x(layersOf(r.variant))},${y(v * 100)}`];
      })
      .join(' ');
  const summary = points
    .map((r) => {
      const range =
        r.recipe.n > 1
          ? ` (${formatMetricValue(metric, r.recipe.min)} – ${formatMetricValue(metric, r.recipe.max)})`
          : '';
      const tuned = r.tuned ? `, tuned ${formatMetricValue(metric, r.tuned.spread.mean)}` : '';
      return `${layersOf(r.variant)} layers: ${formatMetricValue(metric, r.recipe.mean)}${range}${tuned}`;
    })
    .join('; ');
  const ticks = Array.from({ length: layers + 1 }, (_, n) => n);
  return (
    <figure className="compare-layers">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={`Layers transferred chart, dev ${metric} × 100 against the blocks transferred: ${summary}`}
      >
        {[0, 25, 50, 75, 100].map((t) => (
          <g key={t}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(t)} y2={y(t)} className="bar-grid" />
            <text x={LEFT - 6} y={y(t) + 4} className="bar-tick" textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        {ticks.map((n) => (
          <text key={n} x={x(n)} y={HEIGHT - BOTTOM + 16} className="bar-tick" textAnchor="middle">
            {n}
          </text>
        ))}
        <text x={LEFT + 4} y={TOP - 2} className="bar-tick">
          dev {metric} × 100
        </text>
        <text x={(LEFT + WIDTH - RIGHT) / 2} y={HEIGHT - 4} className="bar-tick" textAnchor="middle">
          blocks transferred (0 = embeddings only)
        </text>
        {PAPER_ENDS.map((p) => (
          <g key={p.dataset} className="paper-ends">
            <circle cx={x(0)} cy={y(p.none)} r={4} className="paper-point" />
            <circle cx={x(layers)} cy={y(p.all)} r={4} className="paper-point" />
            <text x={x(layers) + 8} y={y(p.all) + 4} className="bar-value">
              {p.dataset} (paper) {p.none}→{p.all}
            </text>
          </g>
        ))}
        {points.map((r) => {
          const cx = x(layersOf(r.variant));
          return (
            <g key={r.variant}>
              {r.recipe.n > 1 && (
                <line x1={cx} x2={cx} y1={y(r.recipe.min * 100)} y2={y(r.recipe.max * 100)} className="error-bar" />
              )}
              <circle cx={cx} cy={y(r.recipe.mean * 100)} r={3.5} className="ours-point" />
            </g>
          );
        })}
        <polyline points={line((r) => r.recipe.mean)} className="ours-line" fill="none" />
        <polyline points={line((r) => r.tuned?.spread.mean)} className="ours-line tuned" fill="none" />
      </svg>
      <figcaption className="hint">
        <span className="swatch bar-swatch ours" aria-hidden="true" /> this sweep: mean over seeds, bars min–max
        (dashed: the tuned learning rate). <span className="swatch paper-swatch" aria-hidden="true" /> the paper's
        MultiNLI and RACE at 0 and all 12 layers (Figure 2, read off the figure): its per-layer values are not given
        here, so only the ends are drawn, at n = 0 and n = L, for their shape.
      </figcaption>
    </figure>
  );
}
