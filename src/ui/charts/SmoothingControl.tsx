// The smoothing slider (0–0.99, TensorBoard's debiased EMA) shared by every chart.
import { useId } from 'react';
import { useAppStore } from '../store/index.ts';

export function SmoothingControl() {
  const smoothing = useAppStore((s) => s.smoothing);
  const setSmoothing = useAppStore((s) => s.setSmoothing);
  const id = useId();
  return (
    <div className="smoothing">
      <label htmlFor={id}>Smoothing</label>
      <input
        id={id}
        type="range"
        min={0}
        max={0.99}
        step={0.01}
        value={smoothing}
        onChange={(e) => setSmoothing(Number(e.target.value))}
        aria-valuetext={smoothing.toFixed(2)}
      />
      <output htmlFor={id}>{smoothing.toFixed(2)}</output>
    </div>
  );
}
