import { ratioOf, type ScenarioResult } from './result.js';

const WIDTH = 760;
const LABEL_RIGHT = 190; // contender names end here, right-aligned
const BAR_LEFT = 200;
const BAR_RIGHT = 650; // room after it for the value
const BAR = 14;
const GAP = 4;
const MARU = ['#e8590c', '#fd7e14', '#ffa94d', '#ffc078'];
const PEERS = ['#1c7ed6', '#37b24d', '#7048e8', '#c2255c', '#0c8599', '#5c940d', '#495057'];

/**
 * A horizontal bar chart of each contender's requests/s as a ratio to its scenario's baseline: one section per
 * scenario, one group per target, a dashed line at 1.0. Plain SVG, no library, so the README shows it as is.
 *
 * @example
 * await writeFile('bench/results/latest.svg', renderChart(results));
 */
export function renderChart(results: readonly ScenarioResult[]): string {
  const colours = colourMap(results);
  const parts: string[] = [];
  let y = 34;
  parts.push(text(12, 22, 'Requests/s as a ratio to each scenario\'s baseline (higher is better)', { weight: 'bold', size: 15 }));

  for (const result of results) {
    y += 18;
    parts.push(text(12, y, result.title, { weight: 'bold', size: 13 }));
    y += 15;
    parts.push(text(12, y, `1.0 = ${result.baseline} (dashed line)`, { fill: '#495057', size: 11 }));
    y += 4;
    const others = result.contenders.filter((c) => c.name !== result.baseline);
    const ratios = result.targets.flatMap((t) => others.map((c) => ratioOf(result, c.name, t.name) ?? 0));
    const max = Math.max(1.2, Math.ceil(Math.max(...ratios, 0) * 5 + 0.5) / 5);
    const scale = (ratio: number) => BAR_LEFT + (Math.min(ratio, max) / max) * (BAR_RIGHT - BAR_LEFT);
    const top = y;

    const bars: string[] = [];
    for (const target of result.targets) {
      y += 18;
      bars.push(text(BAR_LEFT, y - 4, target.name, { weight: 'bold' }));
      for (const contender of others) {
        const cell = contender.cells[target.name];
        const ratio = ratioOf(result, contender.name, target.name);
        bars.push(text(LABEL_RIGHT, y + BAR - 3, contender.name, { anchor: 'end' }));
        if (ratio === undefined) {
          const why = contender.failure !== undefined || cell?.kind === 'failed' ? 'FAILED' : cell?.kind === 'skipped' ? 'not served' : 'no baseline';
          bars.push(text(BAR_LEFT + 4, y + BAR - 3, why, { fill: '#c92a2a' }));
        } else {
          const end = scale(ratio);
          bars.push(`<rect x="${BAR_LEFT}" y="${y}" width="${(end - BAR_LEFT).toFixed(1)}" height="${BAR}" fill="${colours.get(contender.name)}" rx="2"><title>${escape(`${contender.name} · ${target.name}: ${ratio.toFixed(3)}×`)}</title></rect>`);
          bars.push(text(end + 5, y + BAR - 3, `${ratio.toFixed(2)}×${ratio > max ? ' →' : ''}`, { halo: true }));
        }
        y += BAR + GAP;
      }
    }
    // Grid under the bars, the 1.0 line over them.
    const grid: string[] = [];
    const step = max > 3 ? 1 : max > 1.6 ? 0.5 : 0.25;
    for (let tick = 0; tick <= max + 1e-9; tick += step) {
      const x = scale(tick).toFixed(1);
      grid.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${y}" stroke="#e9ecef"/>`);
      grid.push(text(Number(x), y + 12, tick.toFixed(2).replace(/0$/, ''), { anchor: 'middle', fill: '#868e96', size: 10 }));
    }
    const one = scale(1).toFixed(1);
    // The 1.0 line over the bars, under the value labels (which carry a white halo to stay readable across it).
    const labels = bars.filter((part) => part.includes('paint-order'));
    const shapes = bars.filter((part) => !part.includes('paint-order'));
    parts.push(...grid, ...shapes, `<line x1="${one}" y1="${top}" x2="${one}" y2="${y}" stroke="#212529" stroke-width="1.5" stroke-dasharray="4 3"/>`, ...labels);
    y += 22;
  }
  if (results.length === 0) parts.push(text(12, (y += 20), 'No results yet: run npm run bench.'));
  const date = results.map((r) => r.date).sort().at(-1);
  const machine = results[0]?.machine;
  if (date !== undefined && machine !== undefined) {
    y += 4;
    parts.push(text(12, y, `${machine.cpu}, ${machine.cores} cores · Node ${machine.node} · wrk -c${results[0]!.method.connections}, server and wrk pinned to separate cores · ${date.slice(0, 10)}`, { fill: '#868e96', size: 10 }));
  }
  const height = Math.ceil(y + 12);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** maru and its variants in oranges, peers in distinct colours, the same colour for a name in every scenario. */
function colourMap(results: readonly ScenarioResult[]): Map<string, string> {
  const colours = new Map<string, string>();
  let maru = 0;
  let peer = 0;
  for (const result of results) {
    for (const { name } of result.contenders) {
      if (colours.has(name)) continue;
      colours.set(name, name.startsWith('maru') ? MARU[maru++ % MARU.length]! : PEERS[peer++ % PEERS.length]!);
    }
  }
  return colours;
}

function text(x: number, y: number, content: string, { anchor = 'start', weight = 'normal', fill = '#212529', size = 12, halo = false }: { anchor?: string; weight?: string; fill?: string; size?: number; halo?: boolean } = {}): string {
  const outline = halo ? ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}" font-size="${size}"${outline}>${escape(content)}</text>`;
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
