// What a page sends and what its Content-Security-Policy refuses, recorded from before the first navigation:
// every request of the browser context (the page, its engine worker, downloads) and every
// securitypolicyviolation event in the page and in its workers. The privacy tests read it after a journey.
import type { BrowserContext, Page, Worker } from '@playwright/test';

export interface Violation {
  directive: string;
  blocked: string;
  source: string;
}

interface Recorded {
  __cspViolations?: Violation[];
}

/** Runs in the page (before its scripts) and in each worker: keeps every CSP violation reported there. */
function recordViolations(): void {
  const scope = globalThis as unknown as Recorded & typeof globalThis;
  if (scope.__cspViolations) return;
  const list: Violation[] = [];
  scope.__cspViolations = list;
  scope.addEventListener('securitypolicyviolation', (event) => {
    const e = event as SecurityPolicyViolationEvent;
    list.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile || String(location) });
  });
}

export class Traffic {
  /** Every URL requested in the context, in order. */
  readonly requests: string[] = [];
  private readonly workers: Worker[] = [];

  private constructor(
    private readonly page: Page,
    readonly origin: string,
  ) {}

  /** Starts recording; call before the page's first navigation. */
  static async record(context: BrowserContext, page: Page, origin: string): Promise<Traffic> {
    const traffic = new Traffic(page, origin);
    context.on('request', (request) => traffic.requests.push(request.url()));
    await context.addInitScript(recordViolations);
    page.on('worker', (worker) => {
      traffic.workers.push(worker);
      void worker.evaluate(recordViolations).catch(() => {}); // a worker that already ended has nothing to say
    });
    return traffic;
  }

  /** Requests that went anywhere but this origin (blob: URLs of this origin count as this origin). */
  offOrigin(): string[] {
    return this.requests.filter((url) => new URL(url).origin !== this.origin);
  }

  /** The violations reported so far in the page and in its live workers. */
  async violations(): Promise<Violation[]> {
    const read = () => (globalThis as unknown as Recorded).__cspViolations ?? [];
    const inPage = await this.page.evaluate(read);
    const inWorkers = await Promise.all(this.workers.map((w) => w.evaluate(read).catch(() => [] as Violation[])));
    return [...inPage, ...inWorkers.flat()];
  }
}
