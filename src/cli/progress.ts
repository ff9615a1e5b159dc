// Progress lines on stderr (stdout is reserved for the final JSON line).
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}
