// An imported model the GPU cannot hold is refused before any of it is uploaded, naming the device limit: a
// real Dawn adapter that reports WebGPU's guaranteed maxStorageBufferBindingSize (128 MiB) and no more, and a
// Hugging Face folder whose token embedding (40,478 × 832 floats, 128.5 MiB) needs more. The model imported
// before stays.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testGpu } from '../../../test-support/test-gpu.ts';
import { type Gpt1Config, PRESETS } from '../../model/config.ts';
import { exportHfCheckpoint } from '../../model/hf-format.ts';
import { initParams } from '../../model/weights.ts';
import { Engine } from '../engine.ts';
import { recorder } from '../engine-test-kit.ts';

/** The test GPU, whose adapter reports these limits instead of its own (everything else is the real one). */
function gpuReporting(overrides: Record<string, number>): GPU {
  const real = testGpu();
  const requestAdapter = async (options?: GPURequestAdapterOptions) => {
    const adapter = await real.requestAdapter(options);
    if (!adapter) return adapter;
    const limits = new Proxy(adapter.limits, {
      get: (target, key) => (typeof key === 'string' && key in overrides ? overrides[key] : Reflect.get(target, key)),
    });
    return new Proxy(adapter, {
      get(target, key) {
        if (key === 'limits') return limits;
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return new Proxy(real, {
    get: (target, key) => (key === 'requestAdapter' ? requestAdapter : Reflect.get(target, key)),
  });
}

const engines: Engine[] = [];
const tokenizerFiles = ['encoder_bpe_40000.json', 'vocab_40000.bpe'].map((name) => ({
  name,
  bytes: new TextEncoder().encode(readFileSync(resolve('../shared/data/gpt1-tokenizer', name), 'utf8')).buffer,
}));

function folder(config: Gpt1Config) {
  const { files } = exportHfCheckpoint(config, initParams(config, 3));
  return [
    ...[...files].map(([name, data]) => ({ name, bytes: data.slice().buffer as ArrayBuffer })),
    ...tokenizerFiles,
  ];
}

describe('importing a model the GPU cannot hold', () => {
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
  });

  it('is refused naming the limit, and the model imported before stays', async () => {
    const rec = recorder();
    const spec = 128 * 2 ** 20; // the least every WebGPU device offers
    const engine = new Engine({ emit: rec.emit, gpu: () => gpuReporting({ maxStorageBufferBindingSize: spec }) });
    engines.push(engine);
    const base = { ...PRESETS.tiny, vocabSize: 40478, nLayer: 1, nHead: 2 };
    // 40,478 × 4 floats: 0.6 MiB, under the limit.
    await engine.handle({
      type: 'import-checkpoint',
      name: 'narrow',
      files: folder({ ...base, nEmbd: 4, nInner: 16 }),
    });
    expect(rec.of('checkpoint-imported').map((e) => e.info.name)).toEqual(['narrow']);

    const wide = folder({ ...base, nEmbd: 832, nHead: 13, nInner: 4 * 832 }); // heads of 64, the kernels' largest
    await engine.handle({ type: 'import-checkpoint', name: 'wide', files: wide });
    const error = rec.of('error').at(-1)!;
    expect(error.where).toBe('checkpoint');
    expect(error.message).toMatch(
      /^wide: the model \(1 × 832, 40,478 tokens\) cannot train on this GPU even at batch 1 × 64: .*maxStorageBufferBindingSize >= 128\.5 MiB .* at most 128 MiB/,
    );
    expect(rec.of('checkpoint-imported')).toHaveLength(1); // "narrow" is still the imported model

    await engine.handle({ type: 'load-demo-corpus' });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'model' } });
    expect(rec.of('tokenizer-ready').at(-1)!.stats.model?.name).toBe('narrow');
  });
});
