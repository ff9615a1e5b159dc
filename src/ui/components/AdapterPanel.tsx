// The device panel: which GPU the engine runs on, its key limits, whether it computes correctly, and the
// matmul kernel tuning switch with its status. After a device loss it says so and offers to reconnect.
import { formatBytes } from '../../gpu/adapter-report.ts';
import { reconnectGpu } from '../actions.ts';
import { useAppStore } from '../store/index.ts';
import { KernelTuningToggle } from './KernelTuningToggle.tsx';

/** Features the engine can use for speed; each has a fallback. */
const KEY_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'];

export function AdapterPanel() {
  const device = useAppStore((s) => s.device);
  return (
    <section className="panel adapter-panel" aria-label="GPU adapter">
      {/* Live for the device's state only: the tuning line below is a status of its own. */}
      <div aria-live="polite">
        {device.status === 'probing' && <p>Looking for a WebGPU adapter…</p>}
        {device.status === 'ready' && (
          <dl className="facts">
            <dt>Adapter</dt>
            <dd>
              {device.adapter.name}
              {device.adapter.isFallbackAdapter && <span className="badge"> software (slow)</span>}
            </dd>
            <dt>Max storage binding</dt>
            <dd>{formatBytes(device.adapter.limits.maxStorageBufferBindingSize)}</dd>
            <dt>Max buffer</dt>
            <dd>{formatBytes(device.adapter.limits.maxBufferSize)}</dd>
            <dt>Workgroup storage</dt>
            <dd>{formatBytes(device.adapter.limits.maxComputeWorkgroupStorageSize)}</dd>
            <dt>Compute features</dt>
            <dd>
              {KEY_FEATURES.map((f) => `${f} ${device.adapter.features.includes(f) ? '✓' : '✗'}`).join(' · ')}
              <details>
                <summary>All {device.adapter.features.length} features</summary>
                {device.adapter.features.join(', ') || 'none'}
              </details>
            </dd>
            <dt>Self-test</dt>
            <dd data-value={device.selfTest.ok ? 'passed' : 'failed'}>
              {device.selfTest.ok
                ? `passed (${device.selfTest.n} values, ${device.selfTest.ms.toFixed(1)} ms)`
                : `FAILED at index ${device.selfTest.firstMismatch}`}
            </dd>
          </dl>
        )}
        {device.status === 'lost' && (
          <>
            <p role="alert">
              The GPU device was lost ({device.reason}): {device.message || 'no details'}. The runs on it ended; saved
              checkpoints and finished fine-tuning runs are kept.
            </p>
            <button type="button" onClick={reconnectGpu}>
              Reconnect to the GPU
            </button>
          </>
        )}
      </div>
      <KernelTuningToggle />
    </section>
  );
}
