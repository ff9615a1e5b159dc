// bertviz's head view: tokens in two columns (attending from, left; attended to, right), a line for each
// weight with opacity by weight (or its square root, following the colour-scale choice) and one colour per
// head. Hover or focus a token to see only its lines.
import { useEffect, useRef, useState } from 'react';
import { readChartTheme, seriesColour } from '../../charts/palette.ts';
import { useThemeVersion } from '../../charts/theme-watch.ts';
import type { AttentionMaps } from '../../store/attention-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { headMatrix, tokenLabel } from './attention-data.ts';

const ROW = 20;
const GAP = 220;
/** Weights below this are not drawn (they would be invisible anyway). */
const MIN_WEIGHT = 0.02;
/** Above this many tokens only a focused token's lines are drawn (all of them would be a blur and slow). */
const DRAW_ALL_MAX_TOKENS = 96;
/** With no token focused, each token's strongest links per head (all of them blur into a grey wash). */
const TOP_LINKS = 3;

/** Indices of the `n` largest of values[from..to) (inclusive of from, exclusive of to), unordered. */
function topIndices(values: Float32Array, from: number, to: number, n: number): number[] {
  const best: number[] = [];
  for (let i = from; i < to; i++) {
    if (best.length < n) best.push(i);
    else {
      let weakest = 0;
      for (let b = 1; b < best.length; b++) if (values[best[b]!]! < values[best[weakest]!]!) weakest = b;
      if (values[i]! > values[best[weakest]!]!) best[weakest] = i;
    }
  }
  return best;
}

type Focus = { side: 'from' | 'to'; index: number } | null;

export function HeadView({ maps }: { maps: AttentionMaps }) {
  const layer = useAppStore((s) => s.attention.headViewLayer);
  const hidden = useAppStore((s) => s.attention.hiddenHeads);
  const colourScale = useAppStore((s) => s.attention.scale);
  const setLayer = useAppStore((s) => s.setHeadViewLayer);
  const toggleHead = useAppStore((s) => s.toggleHead);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [focus, setFocus] = useState<Focus>(null);
  const T = maps.tokens.length;
  const themeVersion = useThemeVersion();
  const theme = readChartTheme();

  // biome-ignore lint/correctness/useExhaustiveDependencies: themeVersion redraws with the new colours.
  useEffect(() => {
    const element = canvas.current;
    const ctx = element?.getContext('2d');
    if (!element || !ctx) return;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    element.width = Math.round(GAP * dpr);
    element.height = Math.round(T * ROW * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, GAP, T * ROW);
    if (!focus && T > DRAW_ALL_MAX_TOKENS) return;
    const colours = readChartTheme();
    ctx.lineWidth = 2;
    // Each head's lines are shifted a little so heads that agree stay distinguishable, not blended.
    const spread = Math.min(3, 12 / maps.heads);
    for (let h = 0; h < maps.heads; h++) {
      if (hidden.includes(h)) continue;
      const matrix = headMatrix(maps, layer, h);
      const dy = (h - (maps.heads - 1) / 2) * spread;
      ctx.strokeStyle = seriesColour(colours, h);
      const line = (q: number, k: number) => {
        const w = matrix[q * T + k]!;
        if (w < MIN_WEIGHT) return;
        ctx.globalAlpha = Math.min(1, colourScale === 'sqrt' ? Math.sqrt(w) : w);
        ctx.beginPath();
        ctx.moveTo(0, (q + 0.5) * ROW + dy);
        ctx.lineTo(GAP, (k + 0.5) * ROW + dy);
        ctx.stroke();
      };
      for (let q = 0; q < T; q++) {
        if (focus?.side === 'from' && focus.index !== q) continue;
        if (!focus) {
          for (const k of topIndices(matrix, q * T, q * T + q + 1, TOP_LINKS)) line(q, k - q * T);
          continue;
        }
        for (let k = 0; k <= q; k++) if (focus.side === 'from' || focus.index === k) line(q, k);
      }
    }
    ctx.globalAlpha = 1;
  }, [maps, layer, hidden, focus, T, themeVersion, colourScale]);

  const tokenButton = (side: 'from' | 'to', i: number) => (
    <li key={i} style={{ height: ROW }}>
      <button
        type="button"
        className={`hv-token${focus?.side === side && focus.index === i ? ' active' : ''}`}
        onMouseEnter={() => setFocus({ side, index: i })}
        onFocus={() => setFocus({ side, index: i })}
        onMouseLeave={() => setFocus(null)}
        onBlur={() => setFocus(null)}
        aria-label={`${side === 'from' ? 'Attention from' : 'Attention to'} token ${i + 1}: ${maps.tokens[i]}`}
      >
        {tokenLabel(maps.tokens[i] ?? '')}
      </button>
    </li>
  );

  return (
    <section className="panel head-view" aria-labelledby="head-view-h">
      <h3 id="head-view-h">Head view</h3>
      <div className="row">
        <label>
          Layer{' '}
          <select value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
            {Array.from({ length: maps.layers }, (_, l) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: layers are positional.
              <option key={l} value={l}>
                {l + 1}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="head-toggles">
          <legend>Heads</legend>
          {Array.from({ length: maps.heads }, (_, h) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: heads are positional.
            <label key={h} className="head-toggle">
              <input type="checkbox" checked={!hidden.includes(h)} onChange={() => toggleHead(h)} />
              <span className="swatch" style={{ background: seriesColour(theme, h) }} aria-hidden="true" />
              {h + 1}
            </label>
          ))}
        </fieldset>
        <span className="hint">
          {T > DRAW_ALL_MAX_TOKENS
            ? `${T} tokens: hover or focus a token to draw its lines`
            : `each token's ${TOP_LINKS} strongest links per head; hover or focus a token for all of its lines`}
        </span>
      </div>
      <div className="hv-body">
        <ol className="hv-column from" aria-label="Attending tokens">
          {maps.tokens.map((_, i) => tokenButton('from', i))}
        </ol>
        <canvas
          ref={canvas}
          style={{ width: GAP, height: T * ROW }}
          role="img"
          aria-label={`Layer ${layer + 1} head view: lines from each token to the tokens it attends to`}
        />
        <ol className="hv-column to" aria-label="Attended tokens">
          {maps.tokens.map((_, i) => tokenButton('to', i))}
        </ol>
      </div>
    </section>
  );
}
