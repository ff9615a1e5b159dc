// One tab trains a run at a time (C8): a Web Lock named after the run, held while its loop runs. Where
// the Web Locks API is missing (Node, old browsers) every request succeeds.

export interface RunLock {
  release(): void;
}

const NO_LOCK: RunLock = { release() {} };

/** The run's lock, or undefined when another tab (or worker) holds it. */
export function acquireRunLock(
  runId: string,
  locks: LockManager | undefined = globalThis.navigator?.locks,
): Promise<RunLock | undefined> {
  if (!locks) return Promise.resolve(NO_LOCK);
  return new Promise((resolve, reject) => {
    let release = () => {};
    const held = new Promise<void>((done) => {
      release = done;
    });
    locks
      .request(`gpt1-lab:run:${runId}`, { ifAvailable: true }, async (lock) => {
        if (!lock) {
          resolve(undefined);
          return;
        }
        resolve({ release });
        await held; // the lock is held until release()
      })
      .catch(reject);
  });
}
