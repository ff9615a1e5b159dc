// A fine-tuned model's extract token: its attention row (the last query row, which tokens the position the
// task heads read attends to) for every layer and head, each a strip of token cells in viridis.
import { useEffect, useId, useRef } from 'react';
import type { AttentionMaps, ColourScale } from '../../store/attention-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { headMatrix, maxOf, tokenLabel } from './attention-data.ts';
import { VIRIDIS } from './colormap.ts';
import { enqueueDraw } from './draw-queue.ts';
import { LayerHeadTable } from './LayerHeadTable.tsx';

const CELL_PX = 12;

/** The extract token's attention row of one head: T weights over the keys. */
export function extractRow(maps: AttentionMaps, layer: number, head: number, extract: number): Float32Array {
  const T = maps.tokens.length;
  return headMatrix(maps, layer, head).subarray(extract * T, extract * T + T);
}

/** Draws one attention row as cells of `cell` pixels in viridis, scaled to its largest weight. */
function drawStrip(ctx: CanvasRenderingContext2D, row: Float32Array, cell: number, colourScale: ColourScale): void {
  const scale = maxOf(row);
  const inverse = scale > 0 ? 1 / scale : 0;
  const shape = colourScale === 'sqrt' ? Math.sqrt : (t: number) => t;
  for (let k = 0; k < row.length; k++) {
    const i = Math.min(255, Math.max(0, Math.round(255 * shape(row[k]! * inverse)))) * 3;
    ctx.fillStyle = `rgb(${VIRIDIS[i]}, ${VIRIDIS[i + 1]}, ${VIRIDIS[i + 2]})`;
    ctx.fillRect(k * cell, 0, cell, cell);
  }
}

function Strip({ maps, layer, head, extract }: { maps: AttentionMaps; layer: number; head: number; extract: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const colourScale = useAppStore((s) => s.attention.scale);
  const row = extractRow(maps, layer, head, extract);
  const T = maps.tokens.length;
  let top = 0;
  for (let k = 1; k < T; k++) if (row[k]! > row[top]!) top = k;
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    element.width = T * CELL_PX;
    element.height = CELL_PX;
    return enqueueDraw(() => {
      const ctx = element.getContext('2d');
      if (ctx) drawStrip(ctx, extractRow(maps, layer, head, extract), CELL_PX, colourScale);
    });
  }, [maps, layer, head, extract, T, colourScale]);
  const label =
    `Layer ${layer + 1}, head ${head + 1}: the extract token attends most to ` +
    `“${tokenLabel(maps.tokens[top] ?? '')}” (token ${top + 1}, ${(row[top]! * 100).toFixed(1)} %)`;
  return (
    <canvas
      ref={canvas}
      role="img"
      aria-label={label}
      title={label}
      className="extract-strip"
      style={{ width: T * CELL_PX, height: CELL_PX }}
      data-extract-strip=""
    />
  );
}

export function ExtractView({ maps }: { maps: AttentionMaps }) {
  const id = useId(); // a task tab's Try it shows one too, and every tab stays mounted
  const extract = maps.extractIndex;
  if (extract === undefined) return null;
  return (
    <section className="panel" aria-labelledby={id}>
      <h3 id={id}>Extract token attention</h3>
      <p className="hint">
        The row of the extract token (token {extract + 1}, the position the task head reads): which tokens it attends
        to, per layer and head, each strip scaled to its largest weight.
      </p>
      <div className="heatmap-grid-wrap">
        <LayerHeadTable
          layers={maps.layers}
          heads={maps.heads}
          className="extract-grid"
          label="Extract token attention, layers by heads"
          cell={(l, h) => <Strip maps={maps} layer={l} head={h} extract={extract} />}
        />
      </div>
      <p className="hint extract-tokens">Tokens: {maps.tokens.map((t) => tokenLabel(t)).join(' | ')}</p>
    </section>
  );
}
