// The engine worker's side of the Content-Security-Policy (csp.config.ts): imported first by worker.ts, so it
// listens before any other module of the worker runs, and every request the policy refuses in the worker is
// told to the page as an 'error' event (the alert region shows it). The policy already stopped the request;
// this makes the refusal visible to the person and to the privacy e2e test instead of only to the console.
import type { EngineEvent } from './protocol.ts';

const scope = globalThis as unknown as {
  addEventListener(type: 'securitypolicyviolation', listener: (event: SecurityPolicyViolationEvent) => void): void;
  postMessage(message: EngineEvent): void;
};

scope.addEventListener('securitypolicyviolation', (event) => {
  const from = event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : '';
  scope.postMessage({
    type: 'error',
    where: 'security policy',
    message:
      `The page's security policy stopped the engine from loading ${event.blockedURI || 'a resource'} ` +
      `(${event.effectiveDirective})${from}: nothing was sent. gpt1-lab never sends data anywhere; this is a bug.`,
  });
});
