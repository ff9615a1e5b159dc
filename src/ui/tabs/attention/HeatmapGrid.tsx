// bertviz's model view: a layers × heads grid of attention thumbnails; click one to enlarge it.
import { useEffect, useRef } from 'react';
import type { AttentionMaps } from '../../store/attention-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { drawHeatmap, headMatrix, maxOf } from './attention-data.ts';
import { enqueueDraw } from './draw-queue.ts';
import { LayerHeadTable } from './LayerHeadTable.tsx';

const THUMB_PX = 72;

function Thumbnail({
  maps,
  layer,
  head,
  selected,
}: {
  maps: AttentionMaps;
  layer: number;
  head: number;
  selected: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const focusHead = useAppStore((s) => s.focusHead);
  const colourScale = useAppStore((s) => s.attention.scale);
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    element.width = Math.round(THUMB_PX * dpr);
    element.height = Math.round(THUMB_PX * dpr);
    return enqueueDraw(() => {
      const matrix = headMatrix(maps, layer, head);
      const ctx = element.getContext('2d');
      if (ctx) drawHeatmap(ctx, matrix, maps.tokens.length, maxOf(matrix), colourScale);
    });
  }, [maps, layer, head, colourScale]);
  return (
    <button
      type="button"
      className={`thumb${selected ? ' selected' : ''}`}
      aria-label={`Layer ${layer + 1}, head ${head + 1} attention`}
      aria-pressed={selected}
      onClick={() => focusHead(layer, head)}
    >
      <canvas ref={canvas} style={{ width: THUMB_PX, height: THUMB_PX }} data-heatmap="" />
    </button>
  );
}

export function HeatmapGrid({ maps }: { maps: AttentionMaps }) {
  const focus = useAppStore((s) => s.attention.focus);
  return (
    <div className="heatmap-grid-wrap">
      <LayerHeadTable
        layers={maps.layers}
        heads={maps.heads}
        className="heatmap-grid"
        label="Attention heads, layers by heads"
        cell={(l, h) => <Thumbnail maps={maps} layer={l} head={h} selected={focus.layer === l && focus.head === h} />}
      />
    </div>
  );
}
