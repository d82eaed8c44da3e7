/**
 * A line chart as standalone SVG (no dependency): synth time against workload count, log-log.
 */

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: Array<{ x: number; y: number }>;
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const width = 640;
  const height = 400;
  const pad = { left: 70, right: 20, top: 40, bottom: 50 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys) / 1.5, Math.max(...ys) * 1.5];
  const share = (v: number, lo: number, hi: number) => (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
  const lx = (x: number) => pad.left + share(x, xMin, xMax) * (width - pad.left - pad.right);
  const ly = (y: number) => height - pad.bottom - share(y, yMin, yMax) * (height - pad.top - pad.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`);
  // axes
  parts.push(`<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="black"/>`);
  parts.push(`<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="black"/>`);
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(`<line x1="${lx(x)}" y1="${height - pad.bottom}" x2="${lx(x)}" y2="${height - pad.bottom + 5}" stroke="black"/>`);
    parts.push(`<text x="${lx(x)}" y="${height - pad.bottom + 18}" text-anchor="middle">${x.toLocaleString('en-US')}</text>`);
  }
  for (let decade = Math.floor(Math.log10(yMin)); decade <= Math.ceil(Math.log10(yMax)); decade++) {
    for (const m of [1, 2, 5]) {
      const y = m * 10 ** decade;
      if (y < yMin || y > yMax) continue;
      parts.push(`<line x1="${pad.left - 5}" y1="${ly(y)}" x2="${width - pad.right}" y2="${ly(y)}" stroke="#ddd"/>`);
      parts.push(`<text x="${pad.left - 8}" y="${ly(y) + 4}" text-anchor="end">${y >= 1000 ? `${y / 1000} s` : `${y} ms`}</text>`);
    }
  }
  parts.push(`<text x="${(width + pad.left) / 2}" y="${height - 10}" text-anchor="middle">${escape(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(height) / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
  series.forEach((s, i) => {
    const path = s.points.map((p, j) => `${j ? 'L' : 'M'}${lx(p.x).toFixed(1)} ${ly(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of s.points) parts.push(`<circle cx="${lx(p.x).toFixed(1)}" cy="${ly(p.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
    parts.push(`<rect x="${pad.left + 12}" y="${pad.top + 8 + i * 18}" width="12" height="3" fill="${s.color}"/>`);
    parts.push(`<text x="${pad.left + 30}" y="${pad.top + 13 + i * 18}">${escape(s.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
