// Error scopes around GPU object creation. WebGPU reports validation and out-of-memory errors
// asynchronously; in debug builds we capture them where they happen, with the label of the work,
// instead of letting them surface later as an anonymous "uncapturederror".

export class GpuOperationError extends Error {
  constructor(
    readonly kind: 'validation' | 'out-of-memory' | 'internal',
    readonly what: string,
    detail: string,
  ) {
    super(
      kind === 'out-of-memory'
        ? `The GPU ran out of memory while ${what}. Try a smaller model, batch or context. (${detail})`
        : `GPU ${kind} error while ${what}: ${detail}`,
    );
    this.name = 'GpuOperationError';
  }
}

/**
 * Runs `create` inside validation + out-of-memory (+ internal) scopes and throws the first error.
 * Used always for allocations (OOM must be caught) and, in debug builds, for pipelines and dispatches.
 */
export async function withErrorScopes<T>(device: GPUDevice, what: string, create: () => T): Promise<T> {
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined;
  let thrown: unknown;
  try {
    result = create();
  } catch (error) {
    thrown = error;
  }
  // Scopes must be popped even when `create` throws, or later errors land in the wrong scope.
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const internal = await device.popErrorScope();
  if (thrown !== undefined) throw thrown;
  if (oom) throw new GpuOperationError('out-of-memory', what, oom.message);
  if (validation) throw new GpuOperationError('validation', what, validation.message);
  if (internal) throw new GpuOperationError('internal', what, internal.message);
  return result as T;
}
