// The guide's runnable blocks, read from its Markdown. A fenced block whose info string is `sh runnable` or
// `ts runnable` is executed by the docs tests; `sh runnable background=NAME[,NAME…]` starts a server that keeps
// running for the rest of the page, and the URLs it prints become $NAME…; an `output` block right after a
// runnable one is what it must print (`...` alone on a line stands for any lines, inside a line for any text).

export type Block =
  | { readonly kind: 'sh' | 'ts'; readonly code: string; readonly line: number; readonly expected: string | undefined }
  | { readonly kind: 'background'; readonly code: string; readonly line: number; readonly names: readonly string[] };

const FENCE = /^```(.*)$/;

/** The runnable blocks of one Markdown page, in order. */
export function runnableBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const fenced: { info: string; code: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== '```'; i += 1) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`line ${start + 1}: a code block that never closes`);
    fenced.push({ info: open[1]!.trim(), code: body.join('\n'), line: start + 1 });
  }
  const blocks: Block[] = [];
  fenced.forEach(({ info, code, line }, index) => {
    const [lang, marker, option] = info.split(/\s+/);
    if (marker !== 'runnable') return;
    if (lang !== 'sh' && lang !== 'ts') throw new Error(`line ${line}: only sh and ts blocks can be runnable, not ${lang}`);
    if (option?.startsWith('background=')) {
      if (lang !== 'sh') throw new Error(`line ${line}: only an sh block can run in the background`);
      blocks.push({ kind: 'background', code, line, names: option.slice('background='.length).split(',') });
      return;
    }
    if (option !== undefined) throw new Error(`line ${line}: unknown option ${option}`);
    const next = fenced[index + 1];
    blocks.push({ kind: lang, code, line, expected: next?.info === 'output' ? next.code : undefined });
  });
  return blocks;
}

/**
 * Whether `actual` is what an output block says: line by line, trailing spaces ignored; `...` alone on a line
 * matches any number of lines (none included), and inside a line any text.
 */
export function matchesOutput(expected: string, actual: string): boolean {
  const want = expected.split('\n').map((l) => l.trimEnd());
  const got = actual.replace(/\n$/, '').split('\n').map((l) => l.trimEnd());
  const lineMatches = (pattern: string, line: string) =>
    new RegExp(`^${pattern.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(line);
  const match = (w: number, g: number): boolean => {
    if (w === want.length) return g === got.length;
    if (want[w] === '...') {
      for (let skip = g; skip <= got.length; skip += 1) if (match(w + 1, skip)) return true;
      return false;
    }
    return g < got.length && lineMatches(want[w]!, got[g]!) && match(w + 1, g + 1);
  };
  return match(0, 0);
}
