// The built app's Content-Security-Policy: everything the page and its worker load comes from the app's own
// origin, and nothing may be sent anywhere else. vite.config.ts puts it in dist/index.html as a <meta> (so any
// static host serves it) and in `vite preview`'s headers; e2e/privacy.spec.ts proves the whole journey runs
// under it without a violation. The dev server gets none: it injects inline scripts (React refresh).
import type { Plugin } from 'vite';

/** Each directive with why the app needs exactly this much. */
const DIRECTIVES: [string, string][] = [
  // Anything not named below: only the app's own files.
  ['default-src', "'self'"],
  // Vite emits external module scripts only; no inline script, no eval, no WebAssembly.
  ['script-src', "'self'"],
  // The engine's module worker is a bundled file of this origin (never a blob: URL).
  ['worker-src', "'self'"],
  // No fetch, XHR, WebSocket or beacon leaves the origin; files come in through <input type=file>.
  ['connect-src', "'self'"],
  // The favicon. Charts and heatmaps draw on canvases; downloads are <a download> links to blob: URLs,
  // which are navigations, not image loads, so no blob: or data: is needed here.
  ['img-src', "'self'"],
  // One bundled stylesheet. React and uPlot set styles through the CSSOM (element.style), which CSP allows.
  ['style-src', "'self'"],
  ['font-src', "'self'"],
  // No plugins, no <base> rewriting, no form posts.
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

/** The policy as a <meta http-equiv> carries it. */
export const CONTENT_SECURITY_POLICY = DIRECTIVES.map(([name, value]) => `${name} ${value}`).join('; ');

/** The policy as a response header: a <meta> policy cannot forbid framing, a header can. */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

const CHARSET = '<meta charset="UTF-8" />';

/** Puts the policy in the built index.html's <head>, right after the charset and before any script or stylesheet. */
export function contentSecurityPolicy(): Plugin {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`;
  return {
    name: 'gpt1-lab:content-security-policy',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html, { filename }) => {
        if (!html.includes(CHARSET))
          throw new Error(`${filename}: no ${CHARSET} to put the Content-Security-Policy after`);
        return html.replace(CHARSET, `${CHARSET}\n    ${meta}`);
      },
    },
  };
}
