// The peer comparison in one Chromium page: the same model sizes, batch, context and step count trained by
// gpt1-lab and by @genai-fi/nanogpt, alternating round by round on the same adapter (each library opens its
// own GPUDevice on it), so drift in clocks or thermals hits both alike. Medians over rounds are compared.
import { loadPeer, peerVersion } from 'virtual:nanogpt-peer';
import { browserGpu } from '../../src/gpu/browser-gpu.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { median } from '../harness.ts';
import { type StepStats, TrainBench, type TrainBenchSpec, trainNeeds } from '../train-measure.ts';
import { type NanoGptModule, type PeerRound, PeerTrainer } from './nanogpt.ts';

/** How the two models differ although their sizes match (from the peer's 1.3.0 sources). */
export const ARCHITECTURE_DIFFERENCES = [
  'gpt1-lab: GPT-1 (post-LayerNorm blocks with biases, no final norm); peer: NanoGPT v1 with learned positions ' +
    '(useRope false): pre-RMSNorm blocks, a final RMSNorm, no biases in its linear layers',
  'both: tied LM head, GELU MLP of 4 x width, fp32 (peer mixedPrecision off), AdamW (0.9, 0.999), weight ' +
    'decay 0.01, gradient clipping at norm 1, learning rate 1e-4 (peer: its scheduler with 100 warm-up steps)',
  'dropout: gpt1-lab at embeddings, attention probabilities, attention and MLP outputs; peer (its `dropout` ' +
    'option) at attention and MLP outputs only',
  'attention: gpt1-lab fused (online softmax, scores never stored); peer: scores materialized, then softmax',
  'loss readback: gpt1-lab reads loss and gradient norm every step through an async ring; peer reads the loss ' +
    'at its last step of a round (logInterval set past the round)',
  'peer tokens/s come from its own training log (its data pipeline included, its per-job dummy forward pass ' +
    'excluded); wall-clock tokens/s including job set-up are reported beside them',
];

export async function runPeerComparison(spec: TrainBenchSpec, rounds: number, log: (line: string) => void) {
  if (!loadPeer) throw new Error('@genai-fi/nanogpt was not found when the bench page was built');
  const mod = (await loadPeer()) as NanoGptModule;
  const ctx = await openGpu(browserGpu(), { purpose: 'peer comparison', needs: trainNeeds(spec), debug: false });
  const ours = await TrainBench.create(ctx, { ...spec, profile: 'none' }, log);
  const { config, B, T } = ours.options;
  const peer = await PeerTrainer.create(mod, config, B, T, config.residPdrop);
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  try {
    log(`peer warm-up: ${spec.warmup} steps`);
    await peer.round(spec.warmup);
    const oursRounds: StepStats[] = [];
    const peerRounds: PeerRound[] = [];
    for (let r = 0; r < rounds; r++) {
      oursRounds.push(await ours.run(r === 0 ? spec.warmup : 1, spec.steps));
      const p = await peer.round(spec.steps);
      log(`peer round ${r + 1}: ${p.tokensPerSecond.toFixed(0)} tokens/s, ${p.msPerStep.toFixed(2)} ms/step`);
      peerRounds.push(p);
    }
    const oursTps = median(oursRounds.map((s) => s.tokensPerSecond));
    const peerTps = median(peerRounds.map((s) => s.tokensPerSecond));
    return {
      ours: oursTps,
      peer: peerTps,
      ratio: oursTps / peerTps,
      config: {
        nLayer: config.nLayer,
        nEmbd: config.nEmbd,
        nHead: config.nHead,
        nInner: config.nInner,
        vocabSize: config.vocabSize,
        B,
        T,
        stepsPerRound: spec.steps,
        rounds,
        warmup: spec.warmup,
        dropout: config.residPdrop,
        params: { ours: ours.describe().model.params, peer: peer.params },
        differences: ARCHITECTURE_DIFFERENCES,
      },
      adapter: {
        ours: ctx.adapter.name,
        browser: adapter ? `${adapter.info.vendor} / ${adapter.info.architecture} / ${adapter.info.description}` : '',
      },
      peerVersion,
      memory: { oursPlannedBytes: ours.describe().plannedBytes, peerEstimatedBytes: peer.estimatedTrainingBytes() },
      rounds: {
        ours: oursRounds.map((s) => ({
          tokensPerSecond: s.tokensPerSecond,
          msPerStep: s.msPerStepMean,
          loss: s.finalLoss,
        })),
        peer: peerRounds,
      },
      oursChecks: oursRounds.every((s) => Object.values(s.checks).every(Boolean)),
      userAgent: navigator.userAgent,
    };
  } finally {
    peer.dispose();
    ours.destroy();
    ctx.destroy();
  }
}
