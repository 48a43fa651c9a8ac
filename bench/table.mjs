// One table for every figure of a run (bundle sizes and, when present, runtime benchmarks),
// rendered for the console by bench/run.mjs and as Markdown for the README by bench/readme.mjs.

export const columns = [
  { key: 'keyward', label: 'keyward' },
  { key: 'msal', label: 'msal-browser + msal-react' },
  { key: 'oidcClientTs', label: 'oidc-client-ts + react-oidc-context' },
  { key: 'auth0', label: 'auth0-spa-js + auth0-react' },
];

const format = (value) => {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number')
    return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
  return String(value);
};

/** Rows of strings: metric, the four SDKs, unit, note. */
export function tableRows(results) {
  const rows = [...results.size.table];
  // keyward's own parts have no counterpart in the other SDKs' columns.
  for (const [key, label] of [
    ['core', 'keyward core alone (whole API)'],
    ['react', 'keyward React layer alone'],
    ['both', 'keyward core + React (whole API)'],
  ]) {
    const { raw, gzip, brotli } = results.size.keyward[key];
    rows.push({ metric: label, keyward: [raw, gzip, brotli].map(format).join(' / '), unit: 'bytes: min / gzip / brotli' });
  }
  if (results.runtime?.table) rows.push(...results.runtime.table);
  return rows.map((row) => [row.metric, ...columns.map((c) => format(row[c.key])), row.unit ?? '', row.ratio ?? '', row.note ?? '']);
}

const header = ['', ...columns.map((c) => c.label), 'unit', 'keyward ÷ others', 'note'];

/** Plain-text table for the console. */
export function consoleTable(results) {
  const rows = [header, ...tableRows(results)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i > 0 && i < 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Markdown table for the README. */
export function markdownTable(results) {
  const rows = tableRows(results);
  const hasNotes = rows.some((r) => r[7]);
  const cut = (r) => (hasNotes ? r : r.slice(0, 7));
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(cut(header)), line(cut(header).map((_, i) => (i > 0 && i < 5 ? '---:' : '---'))), ...rows.map((r) => line(cut(r)))].join('\n');
}
