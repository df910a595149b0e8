// Static files: maru's serveStatic against nginx (the baseline), @fastify/static and express.static, same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender, Scenario } from '../scenario.js';

/** site.css is given this mtime, so that each contender's entity tag for it is known before it starts. */
const MTIME = new Date('2024-01-01T00:00:00Z');
const CSS_SIZE = 16 * 1024;
const seconds = MTIME.getTime() / 1000;

/**
 * A browser revalidating site.css sends back the one tag it got; here one header carries every contender's tag (an
 * If-None-Match list, RFC 9110 §13.1.2), so one target serves all: nginx `"mtime-size"`, send (Express and
 * Fastify) `W/"size-mtimeMs"`, maru `"size-mtimeNs"`, all in hex.
 */
const REVALIDATE = [
  `"${seconds.toString(16)}-${CSS_SIZE.toString(16)}"`,
  `W/"${CSS_SIZE.toString(16)}-${MTIME.getTime().toString(16)}"`,
  `"${CSS_SIZE.toString(16)}-${(BigInt(seconds) * 1_000_000_000n).toString(16)}"`,
].join(', ');

const server = (name: string) => fileURLToPath(new URL(`../servers/${name}.js`, import.meta.url));
const rootOf = (workDir: string) => join(workDir, 'www');

/** 16 KiB of CSS-looking text: repeated rules with varying numbers, so it compresses like a real stylesheet. */
export function stylesheet(size: number): string {
  let css = '';
  for (let i = 0; css.length < size; i++) {
    css += `.card-${i} { margin: ${i % 7}px ${i % 13}px; color: #${(i * 2654435761 % 0xffffff).toString(16).padStart(6, '0')}; }\n`;
  }
  return css.slice(0, size);
}

/** A 1 MiB file of incompressible bytes (a deterministic xorshift stream), like an image or an archive. */
function binary(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes.writeUInt32LE(x >>> 0, i);
  }
  return bytes;
}

/**
 * nginx as a CDN edge would run it for this test: one worker, sendfile, no access log, keep-alive. The
 * configuration is written at start (the port is only known then) into the scenario's scratch directory, with the
 * pid file and temp paths there too, and nginx stays in the foreground (`daemon off`) so the runner owns its pid.
 */
function nginxCommand(port: number, workDir: string): readonly string[] {
  const dir = join(workDir, `nginx-${port}`);
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
${process.getuid?.() === 0 ? 'user root root;\n' : ''}pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${rootOf(workDir)};
  }
}
`,
  );
  return ['nginx', '-p', dir, '-e', 'stderr', '-c', conf, '-g', 'daemon off;'];
}

const contenders: readonly Contender[] = [
  { name: 'nginx', command: nginxCommand },
  { name: 'maru', command: (_port, workDir) => ['node', server('static-maru'), rootOf(workDir)] },
  // The same, mounted on a wildcard route: no middleware chain, so a cache hit is answered synchronously.
  { name: 'maru (route)', command: (_port, workDir) => ['node', server('static-maru'), rootOf(workDir)], env: { STATIC_MOUNT: 'route' } },
  // Not a file server: node:http answering from Buffers read at start-up — what any Node server can reach at best.
  { name: 'node:http (Buffer)', command: (_port, workDir) => ['node', server('static-node-buffer'), rootOf(workDir)] },
  { name: '@fastify/static', command: (_port, workDir) => ['node', server('static-fastify'), rootOf(workDir)] },
  { name: 'express.static', command: (_port, workDir) => ['node', server('static-express'), rootOf(workDir)] },
];

export const scenario: Scenario = {
  id: 'static',
  title: 'Static files over keep-alive',
  baseline: 'nginx',
  // The servers share nothing but the read-only files: side by side, their slices alternate.
  interleave: true,
  targets: [
    { name: 'GET /site.css (16 KiB)', path: '/site.css' },
    { name: 'GET /photo.bin (1 MiB)', path: '/photo.bin', throughput: true },
    { name: 'GET /site.css, If-None-Match (304)', path: '/site.css', headers: { 'if-none-match': REVALIDATE }, status: 304 },
  ],
  contenders,
  goals: [
    { contender: 'maru', against: 'nginx', atLeast: 0.9, targets: ['GET /site.css (16 KiB)'] },
    // What the static layer itself costs: a cache hit against node:http writing the same Buffer.
    { contender: 'maru', against: 'node:http (Buffer)', atLeast: 0.95, targets: ['GET /site.css (16 KiB)'] },
    { contender: 'maru', against: 'node:http (Buffer)', atLeast: 1.0, targets: ['GET /site.css, If-None-Match (304)'] },
    // Above the cache's per-file limit the file is read from disk, where node:http sends a Buffer held in memory.
    { contender: 'maru', against: 'node:http (Buffer)', atLeast: 0.6, targets: ['GET /photo.bin (1 MiB)'] },
  ],
  async setup(workDir) {
    const root = rootOf(workDir);
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'site.css'), stylesheet(CSS_SIZE));
    await writeFile(join(root, 'photo.bin'), binary(1024 * 1024));
    // A fixed mtime makes every contender's entity tag known in advance (see REVALIDATE).
    await utimes(join(root, 'site.css'), MTIME, MTIME);
  },
};
