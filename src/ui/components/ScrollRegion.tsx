// A wide table's horizontal scroll region. When the table is wider than the page it says so above it,
// takes keyboard focus (arrow keys scroll it), and shades the edge that has more columns behind it (styles
// .scroll-x), so hidden columns are never cut off without a sign.
import { type ReactNode, useEffect, useRef, useState } from 'react';

export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const check = () => setOverflows(element.scrollWidth > element.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <>
      {overflows && (
        <p className="hint scroll-hint">
          <span aria-hidden="true">↔ </span>
          {label} is wider than the page: scroll it sideways (Shift + wheel, or focus it and use the arrow keys).
        </p>
      )}
      {/* A section with a name is a region; it takes focus only while there is something to scroll. */}
      <section ref={ref} className="table-wrap scroll-x" aria-label={label} tabIndex={overflows ? 0 : undefined}>
        {children}
      </section>
    </>
  );
}
