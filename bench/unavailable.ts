// A suite that cannot run on this machine (no CUDA GPU, no peer package): main.ts prints the message
// alone, without a stack, and exits with status 3, so scripts can tell "not here" from a failure.
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}
