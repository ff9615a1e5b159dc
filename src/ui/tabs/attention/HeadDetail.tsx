// One attention head enlarged: token labels on both axes (queries down, keys across), a colour bar, and a
// readout of the weight under the pointer (or the keyboard cursor: arrow keys move it).
import { useEffect, useMemo, useRef, useState } from 'react';
import { useThemeVersion } from '../../charts/theme-watch.ts';
import type { AttentionMaps } from '../../store/attention-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { drawHeatmap, headMatrix, maxOf, type Rect, tokenLabel } from './attention-data.ts';
import { viridisCss } from './colormap.ts';

const SIZE = 420;
const MARGIN = 76;
const FONT = 'system-ui, sans-serif';

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function HeadDetail({ maps, layer, head }: { maps: AttentionMaps; layer: number; head: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const T = maps.tokens.length;
  const matrix = useMemo(() => headMatrix(maps, layer, head), [maps, layer, head]);
  const max = useMemo(() => maxOf(matrix), [matrix]);
  const [cell, setCell] = useState<{ q: number; k: number } | null>(null);
  const theme = useThemeVersion();
  const colourScale = useAppStore((s) => s.attention.scale);

  // biome-ignore lint/correctness/useExhaustiveDependencies: theme re-reads the CSS colours.
  useEffect(() => {
    const element = canvas.current;
    const ctx = element?.getContext('2d');
    if (!element || !ctx) return;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const full = SIZE + MARGIN;
    element.width = Math.round(full * dpr);
    element.height = Math.round(full * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, full, full);
    const rect: Rect = { x: MARGIN, y: MARGIN, w: SIZE, h: SIZE };
    // drawHeatmap works in canvas pixels, so undo the DPR transform for it.
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    drawHeatmap(ctx, matrix, T, max, colourScale, {
      x: rect.x * dpr,
      y: rect.y * dpr,
      w: rect.w * dpr,
      h: rect.h * dpr,
    });
    ctx.restore();

    const size = SIZE / T;
    const every = Math.max(1, Math.ceil(9 / size));
    const fontPx = Math.max(8, Math.min(12, size - 1));
    ctx.fillStyle = cssVar('--fg', '#1b1d22');
    ctx.font = `${fontPx}px ${FONT}`;
    ctx.textBaseline = 'middle';
    for (let i = 0; i < T; i += every) {
      const label = tokenLabel(maps.tokens[i] ?? '').slice(0, 10);
      const centre = MARGIN + (i + 0.5) * size;
      ctx.textAlign = 'right';
      ctx.fillText(label, MARGIN - 4, centre);
      ctx.save();
      ctx.translate(centre, MARGIN - 4);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      ctx.fillText(label, 0, 0);
      ctx.restore();
    }
    if (cell) {
      ctx.strokeStyle = cssVar('--accent', '#2458d6');
      ctx.lineWidth = 2;
      ctx.strokeRect(MARGIN + cell.k * size, MARGIN + cell.q * size, size, size);
      ctx.globalAlpha = 0.35;
      ctx.strokeRect(MARGIN, MARGIN + cell.q * size, SIZE, size);
      ctx.strokeRect(MARGIN + cell.k * size, MARGIN, size, SIZE);
      ctx.globalAlpha = 1;
    }
  }, [matrix, max, T, maps.tokens, cell, theme, colourScale]);

  const cellAt = (event: React.MouseEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const scale = (SIZE + MARGIN) / box.width;
    const x = (event.clientX - box.left) * scale - MARGIN;
    const y = (event.clientY - box.top) * scale - MARGIN;
    if (x < 0 || y < 0 || x >= SIZE || y >= SIZE) return null;
    return { q: Math.floor((y / SIZE) * T), k: Math.floor((x / SIZE) * T) };
  };

  const onKey = (event: React.KeyboardEvent) => {
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const from = cell ?? { q: 0, k: 0 };
    setCell({
      q: Math.min(T - 1, Math.max(0, from.q + move[0])),
      k: Math.min(T - 1, Math.max(0, from.k + move[1])),
    });
  };

  const value = cell ? matrix[cell.q * T + cell.k] : undefined;
  const name = `Layer ${layer + 1}, head ${head + 1} attention, enlarged`;
  return (
    <figure className="head-detail">
      <figcaption>
        Layer {layer + 1}, head {head + 1} <span className="hint">rows: query token · columns: key token</span>
      </figcaption>
      <canvas
        ref={canvas}
        role="img"
        aria-label={name}
        tabIndex={0}
        aria-describedby="head-readout"
        style={{ width: '100%', maxWidth: SIZE + MARGIN, aspectRatio: '1 / 1' }}
        onMouseMove={(e) => setCell(cellAt(e))}
        onMouseLeave={() => setCell(null)}
        onKeyDown={onKey}
      />
      <div className="colour-bar" aria-hidden="true">
        <span>0</span>
        <span
          className="colour-bar-ramp"
          style={{
            background: `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => viridisCss(t)).join(', ')})`,
          }}
        />
        <span>{max.toFixed(3)}</span>
      </div>
      <p className="hint colour-bar-note">
        {colourScale === 'sqrt'
          ? 'square-root colour scale: the middle colour is ¼ of the largest weight'
          : 'linear colour scale'}
      </p>
      <p id="head-readout" className="readout" aria-live="polite">
        {cell && value !== undefined
          ? describeCell(maps.tokens, cell.q, cell.k, value)
          : 'Point at a cell (or focus the map and use the arrow keys) to read its weight.'}
      </p>
    </figure>
  );
}

/** The readout: "h (query 2) → T (key 1): 0.4321", noting masked future keys. */
function describeCell(tokens: string[], q: number, k: number, value: number): string {
  const query = `${tokenLabel(tokens[q] ?? '')} (query ${q + 1})`;
  const key = `${tokenLabel(tokens[k] ?? '')} (key ${k + 1})`;
  return `${query} → ${key}: ${value.toFixed(4)}${k > q ? ' (masked: future token)' : ''}`;
}
