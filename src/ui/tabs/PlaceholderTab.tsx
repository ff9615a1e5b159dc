// A tab whose feature lands in a later milestone; says what it will hold.
export function PlaceholderTab({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="placeholder">
      <h2>{title}</h2>
      <p>{children}</p>
    </div>
  );
}
