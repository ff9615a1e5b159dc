// One tab trains a run at a time: a Web Lock named after the run, held while its loop runs, and taken
// for a moment to delete its saved folder. Web Locks are shared by every tab and worker of the origin, so a
// lock this worker cannot get is held elsewhere. Where the API is missing (Node, old browsers) every request
// succeeds.

export interface RunLock {
  /** Frees the lock; resolves once another tab can take it (Web Locks let go only after the holder's callback). */
  release(): Promise<void>;
}

const NO_LOCK: RunLock = { release: async () => {} };

/** The run's lock, or undefined when another tab (or worker) holds it. */
export function acquireRunLock(
  runId: string,
  locks: LockManager | undefined = globalThis.navigator?.locks,
): Promise<RunLock | undefined> {
  if (!locks) return Promise.resolve(NO_LOCK);
  return new Promise((resolve, reject) => {
    let letGo = () => {};
    const held = new Promise<void>((done) => {
      letGo = done;
    });
    // Settles after the lock is released, which is when another request for it can succeed.
    const request = locks.request(`gpt1-lab:run:${runId}`, { ifAvailable: true }, async (lock) => {
      if (!lock) {
        resolve(undefined);
        return;
      }
      resolve({
        release: async () => {
          letGo();
          await request;
        },
      });
      await held; // the lock is held until release()
    });
    request.catch(reject);
  });
}

/** Why a run cannot be used here: another tab holds its lock; `then` says what to do. */
export function runInUseElsewhere(runId: string, then: string): string {
  return `Run ${runId} is training (or paused) in another tab of gpt1-lab. ${then}`;
}
