// Shown instead of the tabs when the browser has no usable WebGPU, with what to do about it.
export function NoWebGpu({ headline, advice }: { headline: string; advice: string[] }) {
  return (
    <section className="panel no-webgpu" role="alert" aria-label="WebGPU unavailable">
      <h2>WebGPU is not available</h2>
      <p>{headline}</p>
      <ul>
        {advice.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p>gpt1-lab trains on your own GPU inside this tab; nothing is uploaded. It needs WebGPU to run.</p>
    </section>
  );
}
