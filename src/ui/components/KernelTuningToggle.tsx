// The matmul kernel tuning switch in the device panel, with what the engine last reported: how many matrix
// shapes have a kernel chosen for this GPU, and whether they were timed now or read from the cache.
import { useId } from 'react';
import type { KernelTuningState } from '../store/device-slice.ts';
import { useAppStore } from '../store/index.ts';

const shapes = (n: number) => `${n} ${n === 1 ? 'shape' : 'shapes'}`;
const seconds = (s: number) => `${s < 1 ? s.toFixed(2) : s.toFixed(1)} s`;

/** The status line's text. */
export function kernelTuningText({ enabled, status }: KernelTuningState): string {
  if (!enabled) return 'Matmul kernels: the default kernel for each shape (tuning off).';
  if (!status || status.shapes === 0) return 'Matmul kernels: tuned when a model is first compiled.';
  const { shapes: total, timedShapes: timed } = status;
  if (timed === 0) return `Matmul kernels: ${shapes(total)}, choices reused from cache.`;
  const timing = `timed on this GPU in ${seconds(status.seconds)}`;
  if (timed === total) return `Matmul kernels: ${shapes(total)} ${timing}.`;
  return `Matmul kernels: ${shapes(total)}, ${timed} ${timing}, ${total - timed} reused from cache.`;
}

export function KernelTuningToggle() {
  const tuning = useAppStore((s) => s.kernelTuning);
  const setKernelTuning = useAppStore((s) => s.setKernelTuning);
  const id = useId();
  return (
    <div className="kernel-tuning">
      <label className="check">
        <input
          type="checkbox"
          checked={tuning.enabled}
          onChange={(e) => setKernelTuning(e.target.checked)}
          aria-describedby={`${id}-about`}
        />{' '}
        Tune matmul kernels for this GPU
      </label>
      <span id={`${id}-about`} className="hint">
        Times each matrix shape once per GPU and caches the choice; results are identical either way.
      </span>
      <output
        className="kernel-tuning-status"
        aria-label="Matmul kernel tuning"
        data-shapes={tuning.status?.shapes}
        data-timed-shapes={tuning.status?.timedShapes}
      >
        {kernelTuningText(tuning)}
      </output>
    </div>
  );
}
