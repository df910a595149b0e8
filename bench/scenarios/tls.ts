// HTTPS and HTTP/2: maru's TLS listener (HTTP/2 and HTTP/1.1 on one port by ALPN, the native stream API) against
// node:http2 by hand — its stream API (the baseline) and its compat API — and Fastify 5 with `http2: true`, under
// h2load; and over HTTPS/1.1 with wrk against node:https by hand. Same routes as the core scenario, plus the 16 KiB
// stylesheet. A throwaway certificate is made in the scratch directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'selfsigned';
import type { Contender, Scenario, Target } from '../scenario.js';
import { stylesheet } from './static.js';

const server = (name: string) => fileURLToPath(new URL(`../servers/${name}.js`, import.meta.url));
const node = (name: string, file: string): Contender => ({ name, command: (_port, workDir) => [process.execPath, server(file), workDir] });

const targets: readonly Target[] = [
  { name: 'GET /hello', path: '/hello' },
  { name: 'GET /users', path: '/users' },
  { name: 'GET /static/site.css (16 KiB)', path: '/static/site.css' },
];

async function setup(workDir: string): Promise<void> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  await mkdir(join(workDir, 'www'), { recursive: true });
  await Promise.all([
    writeFile(join(workDir, 'cert.pem'), pems.cert),
    writeFile(join(workDir, 'key.pem'), pems.private, { mode: 0o600 }),
    writeFile(join(workDir, 'www', 'site.css'), stylesheet(16 * 1024)),
  ]);
}

export const h2: Scenario = {
  id: 'h2',
  title: 'HTTP/2 over TLS (h2load -c10 -m10)',
  baseline: 'node:http2 (stream API)',
  interleave: true,
  h2load: { clients: 10, streams: 10 },
  targets,
  contenders: [
    node('node:http2 (stream API)', 'h2-node-stream'),
    node('maru', 'tls-maru'),
    node('node:http2 (compat API)', 'h2-node-compat'),
    node('fastify', 'tls-fastify'),
  ],
  goals: [
    { contender: 'maru', against: 'node:http2 (stream API)', atLeast: 0.95 },
    { contender: 'maru', against: 'fastify', atLeast: 1.2 },
  ],
  setup,
};

export const https: Scenario = {
  id: 'https',
  title: 'HTTPS/1.1 (wrk over TLS)',
  baseline: 'node:https',
  interleave: true,
  tls: true,
  targets,
  contenders: [node('node:https', 'https-node'), node('maru', 'tls-maru')],
  goals: [{ contender: 'maru', against: 'node:https', atLeast: 0.95 }],
  setup,
};
