// A uPlot line chart as a React component. uPlot is created once (again only when the theme, the log
// scale or the series list change) and data is pushed imperatively: the chart listens to the store with
// zustand's subscribe, so new points never re-render React. Smoothed series get a faint raw copy behind them.
// The caption shows each series' latest value, and carries it for scripts: data-step (the last x) and
// data-latest-<series> (e.g. data-latest-train, data-latest-l2-task), raw values. The log option applies to
// the y axis, or to the step axis (logAxis 'x': step 0 is drawn at step 1, and hover still says 0);
// reference lines (a chance level) are drawn across the plot with their label.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useAppStore } from '../store/index.ts';
import { type ChartTheme, readChartTheme, seriesColour, withAlpha } from './palette.ts';
import { emaSmooth } from './smoothing.ts';
import { watchTheme } from './theme-watch.ts';

export interface ChartSeries {
  label: string;
  /** Index into the colour-blind-safe palette. */
  colour: number;
  /** Draw a smoothed line (the store's smoothing weight) with the raw values faint behind it. */
  smooth?: boolean;
  /** Mark each point (sparse series such as validation loss). */
  points?: boolean;
  dash?: number[];
}

export interface ChartData {
  /** Ascending x values (steps). */
  x: ArrayLike<number>;
  /** One array per series, aligned with x; null where a series has no value at that x. */
  ys: ArrayLike<number | null>[];
}

/** A horizontal reference line across the plot, labelled (e.g. chance). */
export interface ChartRule {
  value: number;
  label: string;
}

export interface LineChartProps {
  /** Stable id: the key of the log-scale setting and the download's file name. */
  id: string;
  title: string;
  series: ChartSeries[];
  /** Reads the current data (from buffers outside React); null when there is none yet. */
  read: () => ChartData | null;
  xLabel?: string;
  height?: number;
  /** Charts with the same key share a crosshair. */
  syncKey?: string;
  allowLog?: boolean;
  /** Which axis the log option makes logarithmic (default y). */
  logAxis?: 'x' | 'y';
  /** Values the y axis always spans (e.g. 0 and 1 for normalised scores), when linear. */
  yInclude?: number[];
  rules?: ChartRule[];
  format?: (value: number) => string;
}

const EMPTY: ChartData = { x: [], ys: [] };
/** Whole-number tick spacings for the step axis (uPlot would otherwise label 2.5, 7.5, …). */
const STEP_INCREMENTS = [1, 2, 5]
  .flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6].map((p) => m * p))
  .sort((a, b) => a - b);
/** Minimum time between redraws while data streams in. */
const REDRAW_MS = 150;
/** Where a log step axis draws step 0 (log 0 is −∞): the first step, one update in. */
export const LOG_X_ZERO = 1;

export const formatMetric = (value: number): string =>
  value === 0
    ? '0'
    : Math.abs(value) >= 1e4 || Math.abs(value) < 1e-3
      ? value.toExponential(2)
      : value.toPrecision(4).replace(/\.?0+$/, '');

/** uPlot wants null for gaps; NaN/Infinity (and, on a log scale, values <= 0) become null. */
function gapless(values: ArrayLike<number | null>, logY: boolean): ArrayLike<number | null> {
  const ok = (v: number | null) => v != null && Number.isFinite(v) && (!logY || v > 0);
  for (let i = 0; i < values.length; i++) {
    if (!ok(values[i]!)) return Array.from(values, (v) => (ok(v) ? v : null));
  }
  return values;
}

/** The step axis as drawn: on a log axis, steps below 1 (step 0) at LOG_X_ZERO. */
function drawnX(x: ArrayLike<number>, logX: boolean): ArrayLike<number> {
  if (!logX || !(x.length && x[0]! < LOG_X_ZERO)) return x;
  return Array.from(x, (v) => Math.max(v, LOG_X_ZERO));
}

/** Expands the series into uPlot's aligned data: [x, (raw, smoothed)?, ...]. */
function expand(
  data: ChartData,
  series: ChartSeries[],
  smoothing: number,
  logY: boolean,
  logX = false,
): uPlot.AlignedData {
  const out: ArrayLike<number | null>[] = [drawnX(data.x, logX)];
  series.forEach((s, i) => {
    const ys = data.ys[i] ?? [];
    if (s.smooth) {
      const raw = ys instanceof Float64Array ? ys : Float64Array.from(ys, (v) => v ?? Number.NaN);
      out.push(gapless(raw, logY), gapless(emaSmooth(raw, smoothing), logY));
    } else out.push(gapless(ys, logY));
  });
  return out as unknown as uPlot.AlignedData;
}

function uplotSeries(
  series: ChartSeries[],
  theme: ChartTheme,
  format: (v: number) => string,
  /** The x values as read (not as drawn), for the hover readout. */
  trueX: () => ArrayLike<number>,
): uPlot.Series[] {
  const value = (_u: uPlot, v: number | null) => (v == null || Number.isNaN(v) ? '–' : format(v));
  const step = (_u: uPlot, v: number | null, _s: number, idx: number | null) =>
    v == null ? '–' : String(idx == null ? v : (trueX()[idx] ?? v));
  const out: uPlot.Series[] = [{ label: 'step', value: step }];
  for (const s of series) {
    const colour = seriesColour(theme, s.colour);
    if (s.smooth) {
      out.push({
        label: `${s.label} (raw)`,
        stroke: withAlpha(colour, 0.28),
        width: 1,
        value,
        points: { show: false },
      });
    }
    out.push({
      label: s.label,
      stroke: colour,
      width: 2,
      dash: s.dash,
      value,
      spanGaps: true,
      points: s.points ? { show: true, size: 6, fill: colour } : { show: false },
    });
  }
  return out;
}

export function LineChart({
  id,
  title,
  series,
  read,
  xLabel = 'step',
  height = 170,
  syncKey,
  allowLog = true,
  logAxis = 'y',
  yInclude,
  rules,
  format = formatMetric,
}: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const latest = useRef<HTMLSpanElement>(null);
  const logOn = useAppStore((s) => !!s.logY[id]);
  const logY = logOn && logAxis === 'y';
  const logX = logOn && logAxis === 'x';
  const setLogY = useAppStore((s) => s.setLogY);
  const [themeVersion, setThemeVersion] = useState(0);
  // Props used inside the long-lived chart, read through refs so a parent re-render does not re-create it.
  const readRef = useRef(read);
  readRef.current = read;
  const seriesKey = series.map((s) => `${s.label}:${s.colour}:${s.smooth ? 1 : 0}`).join('|');
  const seriesRef = useRef(series);
  seriesRef.current = series;
  const yIncludeKey = yInclude?.join(',') ?? '';
  const rulesKey = rules?.map((r) => `${r.value}:${r.label}`).join('|') ?? '';
  const extrasRef = useRef({ yInclude, rules });
  extrasRef.current = { yInclude, rules };

  useEffect(() => watchTheme(() => setThemeVersion((v) => v + 1)), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: seriesKey and themeVersion re-create the chart on purpose.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const theme = readChartTheme();
    const currentSeries = seriesRef.current;
    const axis = (label: string): uPlot.Axis => ({
      label,
      stroke: theme.muted,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 },
      labelSize: 18,
      labelFont: '12px system-ui, sans-serif',
      font: '11px system-ui, sans-serif',
    });
    const { yInclude: include, rules: lines } = extrasRef.current;
    let shownX: ArrayLike<number> = [];
    const yScale: uPlot.Scale = logY
      ? { distr: 3, log: 10 }
      : include?.length
        ? { range: (_u, lo, hi) => spanning(lo, hi, include) }
        : {};
    const opts: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      series: uplotSeries(currentSeries, theme, format, () => shownX),
      scales: { x: logX ? { time: false, distr: 3, log: 10 } : { time: false }, y: yScale },
      axes: [
        { ...axis(xLabel), incrs: STEP_INCREMENTS },
        { ...axis(''), size: 52, values: (_u, ticks) => ticks.map((t) => format(t)) },
      ],
      cursor: { sync: syncKey ? { key: syncKey } : undefined, focus: { prox: 16 } },
      focus: { alpha: 0.4 },
      legend: { live: true },
      // Away from the cursor the legend shows the latest values instead of dashes.
      hooks: {
        setCursor: [(u) => showLatestInLegend(u)],
        draw: lines?.length ? [(u) => drawRules(u, lines, theme)] : [],
      },
    };
    const chart = new uPlot(opts, expand(EMPTY, currentSeries, 0, logY, logX), element);

    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastDraw = 0;
    /** A draw skipped while the chart was hidden (an inactive tab); done when it shows again. */
    let stale = false;
    const draw = () => {
      timer = undefined;
      if (element.clientWidth === 0) {
        stale = true;
        return;
      }
      stale = false;
      lastDraw = performance.now();
      const data = readRef.current() ?? EMPTY;
      const smoothing = useAppStore.getState().smoothing;
      shownX = data.x;
      chart.setData(expand(data, seriesRef.current, smoothing, logY, logX));
      showLatestInLegend(chart);
      if (latest.current) showLatest(latest.current, data, seriesRef.current, format);
    };
    const schedule = () => {
      if (timer !== undefined) return;
      timer = setTimeout(draw, Math.max(0, REDRAW_MS - (performance.now() - lastDraw)));
    };
    draw();
    const unsubscribe = useAppStore.subscribe((state, previous) => {
      if (
        state.metricsTick !== previous.metricsTick ||
        state.smoothing !== previous.smoothing ||
        state.currentRunId !== previous.currentRunId
      ) {
        schedule();
      }
    });
    const resize = new ResizeObserver(() => {
      if (element.clientWidth === 0) return;
      const width = Math.max(200, element.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height });
      if (stale) schedule();
    });
    resize.observe(element);
    return () => {
      clearTimeout(timer);
      unsubscribe();
      resize.disconnect();
      chart.destroy();
    };
  }, [logY, logX, themeVersion, seriesKey, height, syncKey, xLabel, format, yIncludeKey, rulesKey]);

  const download = () => {
    const data = read() ?? EMPTY;
    const header = [xLabel, ...series.map((s) => s.label)].join(',');
    const lines = [header];
    for (let i = 0; i < data.x.length; i++) {
      lines.push([data.x[i], ...data.ys.map((ys) => ys[i] ?? '')].join(','));
    }
    const url = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${id}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <figure className="chart" aria-label={`${title} chart`}>
      <figcaption className="chart-head">
        <span className="chart-title">{title}</span>
        <span className="chart-latest" ref={latest} data-testid={`${id}-latest`}>
          no data yet
        </span>
        <span className="chart-tools">
          {allowLog && (
            <label title={logAxis === 'x' ? 'Logarithmic step axis (step 0 is drawn at step 1)' : 'Logarithmic y axis'}>
              <input type="checkbox" checked={logOn} onChange={(e) => setLogY(id, e.target.checked)} />
              <span className="visually-hidden">{title}: </span>
              {logAxis === 'x' ? 'log steps' : 'log'}
            </label>
          )}
          <button type="button" className="link-button" onClick={download} aria-label={`Download ${title} as CSV`}>
            CSV
          </button>
        </span>
      </figcaption>
      <div ref={host} className="chart-host" />
    </figure>
  );
}

/** A linear y range over the data and `include`, with a little room above and below. */
function spanning(lo: number | null, hi: number | null, include: number[]): uPlot.Range.MinMax {
  const low = Math.min(lo ?? include[0]!, ...include);
  const high = Math.max(hi ?? include[0]!, ...include);
  const pad = (high - low) * 0.05 || 0.5;
  return [low - pad, high + pad];
}

/** Dashed horizontal lines across the plot, each labelled at its left end. */
function drawRules(u: uPlot, rules: ChartRule[], theme: ChartTheme): void {
  const { ctx, bbox } = u;
  const ratio = uPlot.pxRatio; // bbox and canvas positions are in device pixels
  ctx.save();
  ctx.strokeStyle = theme.muted;
  ctx.fillStyle = theme.muted;
  ctx.lineWidth = ratio;
  ctx.setLineDash([5 * ratio, 4 * ratio]);
  ctx.font = `${11 * ratio}px system-ui, sans-serif`;
  ctx.textAlign = 'left'; // uPlot leaves the y axis's right alignment on the context
  ctx.textBaseline = 'bottom';
  for (const rule of rules) {
    const y = u.valToPos(rule.value, 'y', true);
    if (!Number.isFinite(y) || y < bbox.top || y > bbox.top + bbox.height) continue;
    ctx.beginPath();
    ctx.moveTo(bbox.left, y);
    ctx.lineTo(bbox.left + bbox.width, y);
    ctx.stroke();
    ctx.fillText(rule.label, bbox.left + 8 * ratio, y - 2 * ratio);
  }
  ctx.restore();
}

function showLatestInLegend(u: uPlot): void {
  const n = u.data[0]?.length ?? 0;
  if (u.cursor.idx == null && n > 0 && u.legend.idx !== n - 1) u.setLegend({ idx: n - 1 }, false);
}

/** A series label as an attribute name: "L2 task" -> "l2-task". */
const slug = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Each series' last finite value (undefined when it has none). */
function latestValues(data: ChartData, series: ChartSeries[]): (number | undefined)[] {
  return series.map((_, i) => {
    const ys = data.ys[i];
    for (let k = (ys ? data.x.length : 0) - 1; k >= 0; k--) {
      const v = ys![k];
      if (v != null && Number.isFinite(v)) return v;
    }
    return undefined;
  });
}

function showLatest(caption: HTMLElement, data: ChartData, series: ChartSeries[], format: (v: number) => string) {
  const n = data.x.length;
  const values = latestValues(data, series);
  const parts = series.flatMap((s, i) => (values[i] === undefined ? [] : [`${s.label} ${format(values[i])}`]));
  caption.textContent = n ? `${parts.join(' · ')} @ ${data.x[n - 1]}` : 'no data yet';
  const attributes: [string, number | undefined][] = [
    ['data-step', n ? data.x[n - 1] : undefined],
    ...series.map((s, i): [string, number | undefined] => [`data-latest-${slug(s.label)}`, values[i]]),
  ];
  for (const [name, value] of attributes) {
    if (value === undefined) caption.removeAttribute(name);
    else caption.setAttribute(name, String(value));
  }
}
