// The step driver's contract on a scripted trainer (CPU only; the GPU trainers go through it in the session,
// fine-tuning and CLI tests): bounded steps in flight, results settled in order, work only at step
// boundaries (and once at the end), points batched and flushed before work, pause / step once / resume /
// stop at boundaries, and failures that end the run after the steps in flight settle.
import { describe, expect, it } from 'vitest';
import { type BoundaryWork, StepDriver, type StepDriverOptions, type SteppingTrainer } from './step-driver.ts';

interface Result {
  step: number;
}

/** A trainer whose step results resolve on a later macrotask (as a GPU readback would); `fail` rejects one. */
class ScriptedTrainer implements SteppingTrainer<Result> {
  step = 0;
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly fail: (step: number) => boolean = () => false) {}

  async submitStep(): Promise<{ result: Promise<Result> }> {
    const step = ++this.step;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const result = new Promise<Result>((resolve, reject) =>
      setTimeout(() => {
        this.inFlight--;
        if (this.fail(step)) reject(new Error(`step ${step} failed`));
        else resolve({ step });
      }, 0),
    );
    return { result };
  }
}

function drive(trainer: ScriptedTrainer, options: Partial<StepDriverOptions<Result, number>> & { log: string[] }) {
  const { log, ...rest } = options;
  return new StepDriver<Result, number>(trainer, {
    totalSteps: 10,
    point: (r) => {
      log.push(`settled ${r.step}`);
      return r.step;
    },
    report: (points) => log.push(`batch ${points.join(',')}`),
    batching: { intervalMs: 1e9, maxPoints: 100 },
    ...rest,
  });
}

/** Work that logs when it runs and whether every submitted step had settled then. */
function work(name: string, log: string[], trainer: ScriptedTrainer, due: BoundaryWork['due']): BoundaryWork {
  return {
    due,
    run: async (step) => {
      log.push(`${name} ${step}${trainer.inFlight === 0 ? '' : ' (steps in flight!)'}`);
    },
  };
}

describe('StepDriver', () => {
  it('keeps at most maxInFlight steps submitted, settles them in order, and batches their points', async () => {
    const trainer = new ScriptedTrainer();
    const log: string[] = [];
    const driver = drive(trainer, { log, maxInFlight: 3 });
    expect(await driver.run()).toBe('done');
    expect(trainer.maxInFlight).toBe(3);
    expect(log.filter((l) => l.startsWith('settled'))).toEqual(
      Array.from({ length: 10 }, (_, i) => `settled ${i + 1}`),
    );
    expect(log.at(-1)).toBe('batch 1,2,3,4,5,6,7,8,9,10'); // one batch: no boundary, no interval, no cap reached
    expect(driver.step).toBe(10);
  });

  it('runs due work at step boundaries, after flushing the points, and once more at the end', async () => {
    const trainer = new ScriptedTrainer();
    const log: string[] = [];
    const driver = drive(trainer, {
      log,
      work: [
        work('eval', log, trainer, (step, end) => end || step % 4 === 0),
        work('save', log, trainer, (_step, end) => end),
      ],
    });
    expect(await driver.run()).toBe('done');
    const events = log.filter((l) => !l.startsWith('settled'));
    expect(events).toEqual(['batch 1,2,3,4', 'eval 4', 'batch 5,6,7,8', 'eval 8', 'batch 9,10', 'eval 10', 'save 10']);
  });

  it("runs the last step's work once, at the end, in the order given", async () => {
    const trainer = new ScriptedTrainer();
    const log: string[] = [];
    const driver = drive(trainer, {
      log,
      totalSteps: 8,
      work: [
        work('eval', log, trainer, (_s, end) => end),
        // Due at step 8 by its interval too: it still runs after the end's evaluation (a checkpoint saved
        // there records the final validation loss), and only once.
        work('save', log, trainer, (s, end) => end || s % 4 === 0),
      ],
    });
    await driver.run();
    expect(log.filter((l) => /^(eval|save)/.test(l))).toEqual(['save 4', 'eval 8', 'save 8']);
  });

  it('pauses at a boundary, steps once, resumes, and gives the same sequence of steps', async () => {
    const trainer = new ScriptedTrainer();
    const log: string[] = [];
    let driver!: StepDriver<Result, number>;
    const paused: number[] = [];
    driver = drive(trainer, {
      log,
      point: (r) => {
        if (r.step === 3) driver.pause();
        return r.step;
      },
      onPausing: async (step) => {
        log.push(`pausing at ${step}${trainer.inFlight === 0 ? '' : ' (steps in flight!)'}`);
      },
      onPaused: (step) => {
        paused.push(step);
        if (paused.length === 1) driver.stepOnce();
        else driver.resume();
      },
    });
    expect(await driver.run()).toBe('done');
    // The pause asked at step 3's settle takes effect after the step already submitted (4) settles.
    expect(paused).toEqual([4, 5]);
    expect(log.filter((l) => l.startsWith('pausing'))).toEqual(['pausing at 4', 'pausing at 5']);
    expect(driver.step).toBe(10);
  });

  it('starts paused when asked, and waits for resume', async () => {
    const trainer = new ScriptedTrainer();
    let driver!: StepDriver<Result, number>;
    driver = drive(trainer, { log: [], paused: true, onPaused: () => setTimeout(() => driver.resume(), 5) });
    expect(driver.paused).toBe(true);
    expect(await driver.run()).toBe('done');
    expect(trainer.step).toBe(10);
  });

  it('runs beforeFirstStep once, after the pause a run opened in, before its first step', async () => {
    const trainer = new ScriptedTrainer();
    const log: string[] = [];
    let driver!: StepDriver<Result, number>;
    driver = drive(trainer, {
      log,
      totalSteps: 2,
      paused: true,
      onPaused: (step) => {
        log.push(`paused ${step}`);
        setTimeout(() => driver.resume(), 5);
      },
      beforeFirstStep: async (step) => {
        log.push(`before ${step} (submitted ${trainer.step})`);
      },
    });
    expect(await driver.run()).toBe('done');
    expect(log).toEqual(['paused 0', 'before 0 (submitted 0)', 'settled 1', 'settled 2', 'batch 1,2']);
  });

  it('stops at the next boundary without the work due there', async () => {
    const trainer = new ScriptedTrainer();
    const log: string[] = [];
    let driver!: StepDriver<Result, number>;
    driver = drive(trainer, {
      log,
      point: (r) => {
        if (r.step === 2) driver.stop();
        return r.step;
      },
      work: [work('eval', log, trainer, (_step, end) => end)],
    });
    expect(await driver.run()).toBe('stopped');
    expect(driver.step).toBe(trainer.step); // every submitted step settled
    expect(trainer.step).toBeLessThan(5);
    expect(log.some((l) => l.startsWith('eval'))).toBe(false);
  });

  it("rejects with a failed step's error once the steps in flight settled, reporting the good points", async () => {
    const trainer = new ScriptedTrainer((step) => step === 5);
    const log: string[] = [];
    const driver = drive(trainer, { log, maxInFlight: 2 });
    await expect(driver.run()).rejects.toThrow('step 5 failed');
    expect(trainer.inFlight).toBe(0);
    expect(trainer.step).toBeLessThanOrEqual(6); // nothing submitted past the in-flight window
    expect(log.at(-1)).toBe('batch 1,2,3,4');
    expect(driver.step).toBe(4);
  });

  it('fail() ends a run waiting at a pause with that message', async () => {
    const trainer = new ScriptedTrainer();
    let driver!: StepDriver<Result, number>;
    driver = drive(trainer, { log: [], paused: true, onPaused: () => driver.fail('The GPU device was lost.') });
    await expect(driver.run()).rejects.toThrow('The GPU device was lost.');
  });

  it('measures step time without boundary work or pauses, and active time without pauses', async () => {
    let now = 0;
    const trainer = new ScriptedTrainer();
    const submit = trainer.submitStep.bind(trainer);
    trainer.submitStep = () => {
      now += 10; // each step takes 10 ms
      return submit();
    };
    const timings: { msPerStep: number; elapsedMs: number }[] = [];
    let driver!: StepDriver<Result, number>;
    driver = drive(trainer, {
      log: [],
      totalSteps: 4,
      maxInFlight: 1,
      now: () => now,
      point: (r, timing) => {
        timings.push(timing);
        if (r.step === 2) driver.pause();
        return r.step;
      },
      onPaused: () =>
        setTimeout(() => {
          now += 1000; // a long pause
          driver.resume();
        }, 0),
      work: [
        {
          due: (step) => step === 1,
          run: async () => {
            now += 500; // slow boundary work
          },
        },
      ],
    });
    await driver.run();
    expect(timings.map((t) => t.msPerStep)).toEqual([10, 10, 10, 10]);
    // Active time counts the steps and the work (500 ms), not the 1000 ms pause.
    expect(timings.map((t) => t.elapsedMs)).toEqual([10, 520, 530, 540]);
  });
});
