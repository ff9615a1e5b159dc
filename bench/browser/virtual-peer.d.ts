// The module the bench page's Vite build provides (browser-driver.ts, peerPlugin): the peer library's
// entry when @genai-fi/nanogpt was found at build time, else undefined.
declare module 'virtual:nanogpt-peer' {
  export const peerVersion: string | undefined;
  export const loadPeer: (() => Promise<unknown>) | undefined;
}
