/**
 * flux's table output (`pkg/printers/table_printer.go`): olekukonko/tablewriter v0.0.5 with no borders, no
 * separators, left alignment, auto-formatted headers and a tab as padding. Hand-written: the layout is
 * tablewriter's byte for byte (header cells padded with `\t` between them and a trailing space, every row cell
 * padded and followed by `\t`), which no JS table library reproduces.
 */

/** tablewriter's `Title`: `_` and (non-numeric) `.` become spaces, trimmed, upper-cased. */
export function tableTitle(name: string): string {
  const rs = [...name];
  const isNumOrSpace = (r: string | undefined): boolean => r !== undefined && /[0-9 ]/.test(r);
  for (let i = 0; i < rs.length; i++) {
    if (rs[i] === '_') rs[i] = ' ';
    else if (rs[i] === '.') {
      if ((i !== 0 && !isNumOrSpace(rs[i - 1])) || (i !== rs.length - 1 && !isNumOrSpace(rs[i + 1]))) rs[i] = ' ';
    }
  }
  const out = rs.join('').trim();
  return (out === '' && name.length > 0 ? ' ' : out).toUpperCase();
}

// Display width in terminal cells: code points (wide East Asian glyphs count one here; flux's go-runewidth would count two).
const width = (s: string): number => [...s].length;
const padRight = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)));

/**
 * Renders `rows` under `header` as flux prints tables. An empty `header` prints no header line (flux's
 * `--no-header`, and the rows that `--watch` prints after the first event).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const heads = header.map(tableTitle);
  const cols = Math.max(heads.length, ...rows.map((r) => r.length));
  const widths: number[] = new Array<number>(cols).fill(0);
  const measure = (cells: readonly string[]): void => {
    cells.forEach((c, i) => {
      for (const line of c.split('\n')) widths[i] = Math.max(widths[i] ?? 0, width(line));
    });
  };
  measure(heads);
  rows.forEach(measure);
  let out = '';
  if (heads.length > 0) {
    for (let y = 0; y < cols; y++) out += padRight(heads[y] ?? '', widths[y] ?? 0) + (y === cols - 1 ? ' ' : '\t');
    out += '\n';
  }
  for (const row of rows) {
    const lines = Array.from({ length: cols }, (_, y) => (row[y] ?? '').split('\n'));
    const height = Math.max(1, ...lines.map((l) => l.length));
    for (let x = 0; x < height; x++) {
      for (let y = 0; y < cols; y++) out += padRight(lines[y]?.[x] ?? '', widths[y] ?? 0) + '\t';
      out += '\n';
    }
  }
  return out;
}
