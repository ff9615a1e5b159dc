// Copies a link to the workspace's settings (the address, which always holds them: shared-settings.ts) and
// says whether the clipboard took it; where it does not (no permission), the address bar has the link.
import { useState } from 'react';
import { settingsHash } from '../shared-settings.ts';

export function ShareLinkButton() {
  const [status, setStatus] = useState('');
  const copy = async () => {
    const hash = settingsHash();
    const url = `${location.origin}${location.pathname}${location.search}${hash ? `#${hash}` : ''}`;
    history.replaceState(history.state, '', url);
    try {
      await navigator.clipboard.writeText(url);
      setStatus('Link copied.');
    } catch {
      setStatus('Copy the address: it holds these settings.');
    }
  };
  return (
    <span className="share-link">
      <button type="button" className="link-button" onClick={copy}>
        Copy settings link
      </button>
      <span className="hint" role="status">
        {status}
      </span>
    </span>
  );
}
