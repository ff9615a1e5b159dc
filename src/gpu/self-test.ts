// A one-dispatch check that the device computes correctly: runs shaders/self_test.wgsl and compares
// with the same arithmetic on the CPU. Exact integer inputs make the expected output exact in f32.
import { entryWorkgroupSize } from './shader-constants.ts';
import { shaderSource } from './shader-library.ts';

export interface SelfTestResult {
  n: number;
  ok: boolean;
  /** Index of the first mismatch, or -1. */
  firstMismatch: number;
  ms: number;
}

export function selfTestInputs(n: number): { x: Float32Array<ArrayBuffer>; y: Float32Array<ArrayBuffer>; a: number } {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (i % 13) - 6;
    y[i] = (i % 7) * 3 - 9;
  }
  return { x, y, a: 3 };
}

export function selfTestReference(x: Float32Array, y: Float32Array, a: number): Float64Array {
  return Float64Array.from(x, (xi, i) => a * xi + (y[i] ?? 0));
}

/** Runs a*x+y on the GPU and returns the output. */
export async function runAxpy(
  device: GPUDevice,
  x: Float32Array<ArrayBuffer>,
  y: Float32Array<ArrayBuffer>,
  a: number,
): Promise<Float32Array> {
  const n = x.length;
  const bytes = n * 4;
  const module = device.createShaderModule({ label: 'self_test', code: shaderSource('self_test.wgsl') });
  const pipeline = await device.createComputePipelineAsync({
    label: 'self_test_axpy',
    layout: 'auto',
    compute: { module, entryPoint: 'self_test_axpy' },
  });
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const bx = device.createBuffer({ label: 'self_test.x', size: bytes, usage: storage });
  const by = device.createBuffer({ label: 'self_test.y', size: bytes, usage: storage });
  const bout = device.createBuffer({ label: 'self_test.out', size: bytes, usage: storage });
  const bparams = device.createBuffer({
    label: 'self_test.params',
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const readback = device.createBuffer({
    label: 'self_test.readback',
    size: bytes,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    device.queue.writeBuffer(bx, 0, x);
    device.queue.writeBuffer(by, 0, y);
    const params = new ArrayBuffer(16);
    new Uint32Array(params, 0, 1)[0] = n;
    new Float32Array(params, 4, 1)[0] = a;
    device.queue.writeBuffer(bparams, 0, params);
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [bx, by, bout, bparams].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = device.createCommandEncoder({ label: 'self_test' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(n / entryWorkgroupSize('self_test.wgsl', 'self_test_axpy')[0]));
    pass.end();
    encoder.copyBufferToBuffer(bout, 0, readback, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ); // sync point: the result is needed now
    return new Float32Array(readback.getMappedRange().slice(0));
  } finally {
    readback.unmap();
    for (const b of [bx, by, bout, bparams, readback]) b.destroy();
  }
}

export async function runSelfTest(device: GPUDevice, n = 1000): Promise<SelfTestResult> {
  const { x, y, a } = selfTestInputs(n);
  const start = performance.now();
  const out = await runAxpy(device, x, y, a);
  const ms = performance.now() - start;
  const expected = selfTestReference(x, y, a);
  const firstMismatch = expected.findIndex((e, i) => out[i] !== e);
  return { n, ok: firstMismatch === -1, firstMismatch, ms };
}
