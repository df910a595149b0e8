// `npm run example -- NAME`: runs examples/NAME.ts (or the book's own code, `book/NAME`, kept with its holes for
// the guide's demonstrations) in this process. Without a name, lists them.
import { readdir } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const dir = new URL('../examples/', import.meta.url);
const names = async (sub, ext) =>
  (await readdir(new URL(sub, dir))).filter((file) => file.endsWith(ext)).map((file) => sub + file.slice(0, -ext.length)).sort();
const known = [...(await names('', '.ts')), ...(await names('book/', '.mjs'))];

const name = process.argv[2];
if (name === undefined || !known.includes(name)) {
  if (name !== undefined) console.error(`no example named ${name}`);
  console.error(`usage: npm run example -- NAME\n\n  ${known.filter((n) => !n.startsWith('book/')).join('  ')}\n\nthe book's code, holes kept (127.0.0.1 only, for the guide's demonstrations):\n\n  ${known.filter((n) => n.startsWith('book/')).join('  ')}`);
  process.exit(name === undefined ? 0 : 2);
}
await import(pathToFileURL(new URL(name.startsWith('book/') ? `${name}.mjs` : `${name}.ts`, dir).pathname).href);
