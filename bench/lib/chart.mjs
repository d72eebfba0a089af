/**
 * A horizontal bar chart as a standalone SVG, no dependencies: one bar per
 * entry, values labelled, highlighted bars (Pathmark) in a second colour.
 * `bars`: [{ label, value (null = not measured), highlight }].
 */
export function barChartSvg({ title, bars, unit = '' }) {
  const width = 760;
  const labelWidth = 210;
  const barHeight = 26;
  const gap = 10;
  const top = 48;
  const plotWidth = width - labelWidth - 110;
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const height = top + bars.length * (barHeight + gap) + 24;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = bars.map((bar, i) => {
    const y = top + i * (barHeight + gap);
    const label = `<text x="${labelWidth - 10}" y="${y + barHeight / 2 + 5}" text-anchor="end">${esc(bar.label)}</text>`;
    if (bar.value == null) {
      return `${label}<text x="${labelWidth + 4}" y="${y + barHeight / 2 + 5}" fill="#888">not measured</text>`;
    }
    const w = Math.max(1, (bar.value / max) * plotWidth);
    const fill = bar.highlight ? '#1f7a5a' : '#8a94a6';
    return (
      `${label}<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" rx="3" fill="${fill}"/>` +
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + barHeight / 2 + 5}">${esc(bar.value.toLocaleString('en-US'))}${esc(unit)}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13" fill="#222">
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="28" font-size="16" font-weight="600">${esc(title)}</text>
${rows.join('\n')}
</svg>
`;
}
