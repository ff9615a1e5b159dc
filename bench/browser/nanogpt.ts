// Training @genai-fi/nanogpt (TF.js with its WebGPU backend) through its documented API: TeachableLLM.create,
// TeachableLLM.selectBackend('webgpu'), model.training.job(options, data, datasets) and the job's log.
// The package is optional (loaded by the bench page only when the build found it), so the few members used
// here are typed by hand from its 1.3.0 declarations (dist/TeachableLLM.d.ts, dist/api/training.d.ts).
//
// How a run is bounded: the trainer stops at maxEpochs * epochSteps steps, and the first job sets
// epochSteps to floor(tokens / (batch * blockSize)); we give it K windows' worth of tokens, so a job that
// must end at step S gets maxEpochs = (S - 0.5) / K. Later rounds continue the job (previous_job_id).
// logInterval is milliseconds: set far out, the job logs (and waits on the GPU) only at its last step.
import type { Gpt1Config } from '../../src/model/config.ts';

interface LogEntry {
  step: number;
  totalTokens: number;
  /** Cumulative training time in ms (excludes the forward-only dummy pass at the start of each job). */
  duration: number;
  trainingMetrics: { loss: number };
}

interface Job {
  id: string;
  state: string;
  history: LogEntry[] | null;
}

interface TeachableLLM {
  readonly status: string;
  on(event: 'status', listener: (status: string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  getNumParams(): number;
  estimateTrainingMemoryUsage(batchSize: number): number;
  readonly training: {
    job(options: Record<string, unknown>, data: Uint16Array[], datasets: object[]): Promise<Job>;
    on(event: 'completed', listener: (id: string) => void): void;
    on(event: 'error', listener: (id: string, error: Error) => void): void;
  };
  dispose(): void;
}

export interface NanoGptModule {
  TeachableLLM: {
    selectBackend(backend: 'webgpu', options?: { powerPreference?: 'high-performance' }): Promise<void>;
    create(tokeniser: unknown, config: Record<string, unknown>): TeachableLLM;
  };
  tokenise: { CharTokeniser: new (vocab: string[]) => unknown };
}

/** Windows of B x T tokens in the peer's data: epochSteps, the unit of its step limit. */
const K = 1000;

export interface PeerRound {
  steps: number;
  /** From the peer's own log: tokens over training time (no job set-up, no dummy pass). */
  tokensPerSecond: number;
  msPerStep: number;
  /** Wall clock from job() to its 'completed' event (set-up and the dummy forward pass included). */
  wallTokensPerSecond: number;
  loss: number;
}

export class PeerTrainer {
  private jobId: string | undefined;
  private last: LogEntry | undefined;
  private waiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  private constructor(
    private readonly llm: TeachableLLM,
    private readonly options: Record<string, unknown>,
    private readonly data: Uint16Array[],
    readonly B: number,
    readonly T: number,
  ) {
    llm.training.on('completed', () => this.waiter?.resolve());
    llm.training.on('error', (_id, error) => this.waiter?.reject(error));
  }

  /** A model with our config's sizes; see peer.ts for how its architecture differs from GPT-1. */
  static async create(mod: NanoGptModule, config: Gpt1Config, B: number, T: number, dropout: number) {
    await mod.TeachableLLM.selectBackend('webgpu', { powerPreference: 'high-performance' });
    const V = config.vocabSize;
    const vocab = ['<eos>', '<unk>', ...Array.from({ length: V - 2 }, (_, i) => String.fromCodePoint(0x4e00 + i))];
    const llm = mod.TeachableLLM.create(new mod.tokenise.CharTokeniser(vocab), {
      modelType: 'GenAI_NanoGPT_v1',
      vocabSize: V,
      blockSize: T,
      nLayer: config.nLayer,
      nHead: config.nHead,
      nEmbed: config.nEmbd,
      mlpFactor: config.nInner / config.nEmbd,
      useRope: false, // learned positions, as GPT-1
    });
    await new Promise<void>((resolve, reject) => {
      if (llm.status === 'ready') resolve();
      llm.on('status', (s) => (s === 'ready' ? resolve() : s === 'error' && reject(new Error('peer model failed'))));
      llm.on('error', reject);
    });
    const tokens = new Uint16Array(K * B * T + T + 1);
    let state = 12345;
    for (let i = 0; i < tokens.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      tokens[i] = (state >>> 8) % V;
    }
    const options = {
      method: { type: 'pretraining' },
      batchSize: B,
      logInterval: 1e12,
      learningRate: 1e-4,
      beta1: 0.9,
      beta2: 0.999,
      weightDecay: 0.01,
      clipNorm: 1,
      dropout,
      mixedPrecision: false,
      gradientCheckpointing: false,
      metrics: [],
    };
    return new PeerTrainer(llm, options, [tokens], B, T);
  }

  get params(): number {
    return this.llm.getNumParams();
  }

  estimatedTrainingBytes(): number {
    return this.llm.estimateTrainingMemoryUsage(this.B);
  }

  /** Trains up to `steps` more steps in one job; returns the round's numbers. */
  async round(steps: number): Promise<PeerRound> {
    const target = (this.last?.step ?? 0) + steps;
    const options = {
      ...this.options,
      maxEpochs: (target - 0.5) / K,
      ...(this.jobId ? { previous_job_id: this.jobId, epochSteps: K } : {}),
    };
    const done = new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    const start = performance.now();
    const job = await this.llm.training.job(options, this.data, [
      { id: 'bench', name: 'random tokens', conversational: false },
    ]);
    this.jobId = job.id;
    await done;
    const wallMs = performance.now() - start;
    const entry = job.history?.at(-1);
    if (!entry || entry.step !== target) throw new Error(`peer stopped at step ${entry?.step}, expected ${target}`);
    const tokens = entry.totalTokens - (this.last?.totalTokens ?? 0);
    const ms = entry.duration - (this.last?.duration ?? 0);
    this.last = entry;
    return {
      steps,
      tokensPerSecond: tokens / (ms / 1000),
      msPerStep: ms / steps,
      wallTokensPerSecond: (steps * this.B * this.T) / (wallMs / 1000),
      loss: entry.trainingMetrics.loss,
    };
  }

  dispose(): void {
    this.llm.dispose();
  }
}
