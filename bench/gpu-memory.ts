// Measured GPU memory, beside the planned figure: `nvidia-smi` sampled in the background (memory.used of one
// GPU every 100 ms) while a suite runs, with the peak of any time window (our training, then PyTorch's).
// nvidia-smi counts everything on the GPU (driver context, Dawn's or CUDA's allocator slack), so the idle
// reading before our device opens is reported too. Without nvidia-smi (any machine but the NVIDIA one) the
// sampler says why it has no figures instead of failing the suite.
import { type ChildProcess, spawn } from 'node:child_process';

export interface MemoryWindow {
  /** Highest memory.used in the window, MiB; null when no sample fell in it. */
  peakMiB: number | null;
  samples: number;
  /** Epoch milliseconds of the window. */
  from: number;
  to: number;
}

export interface SamplerOptions {
  /** The program to run (default nvidia-smi); tests pass a script printing numbers. */
  command?: string;
  args?: readonly string[];
  intervalMs?: number;
  /** GPU index (default 0). */
  gpu?: number;
}

interface Sample {
  at: number;
  mib: number;
}

export class GpuMemorySampler {
  private readonly samples: Sample[] = [];
  private partial = '';
  private failure: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly description: string,
  ) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.take(chunk));
    this.exited = new Promise((done) => {
      child.on('close', () => done());
      child.on('error', (error) => {
        this.failure = error.message;
        done(); // a command that cannot start emits no 'close'
      });
    });
  }

  /** Starts sampling; call stop() when done. */
  static start(options: SamplerOptions = {}): GpuMemorySampler {
    const command = options.command ?? 'nvidia-smi';
    const interval = options.intervalMs ?? 100;
    const args = options.args ?? [
      `--id=${options.gpu ?? 0}`,
      '--query-gpu=memory.used',
      '--format=csv,noheader,nounits',
      `-lms`,
      String(interval),
    ];
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    return new GpuMemorySampler(child, `${command} memory.used every ${interval} ms`);
  }

  private take(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const at = Date.now();
    for (const line of lines) {
      const mib = Number(line.trim());
      if (line.trim() !== '' && Number.isFinite(mib)) this.samples.push({ at, mib });
    }
  }

  /** Why there are no samples (the command could not run or printed none), or undefined when there are. */
  get unavailable(): string | undefined {
    if (this.samples.length > 0) return undefined;
    return this.failure ?? `${this.description}: no samples`;
  }

  /** The peak over [from, to] (epoch ms; default: everything so far). */
  window(from = 0, to = Number.POSITIVE_INFINITY): MemoryWindow {
    const inside = this.samples.filter((s) => s.at >= from && s.at <= to);
    const peakMiB = inside.length ? Math.max(...inside.map((s) => s.mib)) : null;
    const first = this.samples[0]?.at ?? 0;
    return { peakMiB, samples: inside.length, from: Math.max(from, first), to: Number.isFinite(to) ? to : Date.now() };
  }

  /** The first sample: the GPU before this process opened a device on it. */
  get idleMiB(): number | null {
    return this.samples[0]?.mib ?? null;
  }

  /** Waits until at least `count` samples exist (or `timeoutMs` passes): a baseline before work starts. */
  async waitForSamples(count = 1, timeoutMs = 3000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.samples.length < count && !this.failure && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Measured memory of one run beside its plan (MiB), for the suites' JSON. */
export interface MeasuredMemory {
  sampler: string;
  /** Why nothing was measured (no nvidia-smi here), when so. */
  unavailable?: string;
  idleMiB: number | null;
  peakMiB: number | null;
  /** peak - idle: what the run added to the GPU. */
  peakAboveIdleMiB: number | null;
  samples: number;
}

export function measuredMemory(sampler: GpuMemorySampler, from: number, to: number): MeasuredMemory {
  const w = sampler.window(from, to);
  const idle = sampler.idleMiB;
  const above = w.peakMiB !== null && idle !== null ? w.peakMiB - idle : null;
  const unavailable = sampler.unavailable;
  return {
    sampler: sampler.description,
    ...(unavailable ? { unavailable } : {}),
    idleMiB: idle,
    peakMiB: w.peakMiB,
    peakAboveIdleMiB: above,
    samples: w.samples,
  };
}

/** One log line: the planned figure and what nvidia-smi saw. */
export function describeMemory(what: string, plannedMiB: number | null, m: MeasuredMemory): string {
  const planned = plannedMiB === null ? '' : `planned ${plannedMiB.toFixed(0)} MiB, `;
  if (m.peakMiB === null) return `${what}: ${planned}not measured (${m.unavailable ?? 'no samples in the window'})`;
  return `${what}: ${planned}measured peak ${m.peakMiB} MiB (${m.peakAboveIdleMiB} MiB above the idle ${m.idleMiB} MiB; ${m.samples} samples)`;
}
