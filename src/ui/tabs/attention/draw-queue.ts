// Spreads many small canvas draws (a 12 × 12 grid of heatmaps) over several tasks of at most BUDGET_MS, so
// showing a big model's attention never blocks the main thread for long.
const BUDGET_MS = 8;
const queue = new Set<() => void>();
let scheduled = false;

function run(): void {
  scheduled = false;
  const end = performance.now() + BUDGET_MS;
  for (const draw of queue) {
    queue.delete(draw);
    draw();
    if (performance.now() > end) break;
  }
  if (queue.size) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(run, 0);
}

/** Queues `draw`; the returned function cancels it if it has not run yet. */
export function enqueueDraw(draw: () => void): () => void {
  queue.add(draw);
  schedule();
  return () => queue.delete(draw);
}
