import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, USAGE } from './config.js';

test('defaults to serve on port 8080 of every interface', () => {
  const config = loadConfig([], {});
  assert.deepEqual(config.ports, [8080]);
  assert.equal(config.host, '::');
  assert.equal(config.help, false);
  assert.deepEqual(loadConfig(['serve'], {}).ports, [8080]);
});

test('takes several --port flags, one listener each', () => {
  assert.deepEqual(loadConfig(['serve', '--port', '8080', '--port=8081'], {}).ports, [8080, 8081]);
});

test('reads PORT (comma-separated) and HOST from the environment, flags winning', () => {
  assert.deepEqual(loadConfig([], { PORT: '3000,3001', HOST: '127.0.0.1' }).ports, [3000, 3001]);
  assert.equal(loadConfig([], { HOST: '127.0.0.1' }).host, '127.0.0.1');
  const both = loadConfig(['--port', '9000', '--host', '::1'], { PORT: '3000', HOST: '127.0.0.1' });
  assert.deepEqual([both.ports, both.host], [[9000], '::1']);
});

test('treats an empty PORT or HOST as unset', () => {
  const config = loadConfig([], { PORT: '', HOST: '' });
  assert.deepEqual(config.ports, [8080]);
  assert.equal(config.host, '::');
  assert.equal(loadConfig([], { HOST: '  ' }).host, '::');
});

test('refuses a port that is not a number from 0 to 65535, naming it', () => {
  for (const bad of ['abc', '65536', '1e3', '80.5', '']) {
    assert.throws(() => loadConfig(['--port', bad], {}), (err: Error) => err instanceof TypeError && err.message.includes(`"${bad}"`), bad);
  }
  assert.throws(() => loadConfig(['--port=-1'], {}), /"-1"/);
  assert.throws(() => loadConfig([], { PORT: '80,x' }), /"x"/);
});

test('refuses a port given twice', () => {
  assert.throws(() => loadConfig(['--port', '8080', '--port', '8080'], {}), /port 8080 is given twice/);
  assert.deepEqual(loadConfig(['--port', '0', '--port', '0'], {}).ports, [0, 0], 'port 0 means any free port, so it may repeat');
});

test('refuses an empty --host', () => {
  assert.throws(() => loadConfig(['--host', ''], {}), /--host must not be empty/);
});

test('refuses unknown commands and flags', () => {
  assert.throws(() => loadConfig(['start'], {}), /unknown command: start/);
  assert.throws(() => loadConfig(['serve', 'extra'], {}), /unknown command/);
  assert.throws(() => loadConfig(['--nope'], {}), TypeError);
});

test('asks for help with --help or -h, and the usage names every flag and variable', () => {
  assert.equal(loadConfig(['--help'], {}).help, true);
  assert.equal(loadConfig(['serve', '-h'], {}).help, true);
  for (const word of ['--port', '--host', '--help', 'PORT', 'HOST', 'LOG_LEVEL']) assert.ok(USAGE.includes(word), word);
});

test('plain HTTP unless asked for TLS; --http2 and certificate files imply --https', () => {
  assert.equal(loadConfig([], {}).https, undefined);
  assert.deepEqual(loadConfig(['--https'], {}).https, { certFile: undefined, keyFile: undefined, caFiles: [], http2: false, hsts: 0, redirectPorts: [] });
  assert.equal(loadConfig(['--http2'], {}).https?.http2, true);
  const files = loadConfig(['--cert', 'c.pem', '--key', 'k.pem', '--ca', 'a.pem', '--ca', 'b.pem'], {}).https;
  assert.deepEqual(files, { certFile: 'c.pem', keyFile: 'k.pem', caFiles: ['a.pem', 'b.pem'], http2: false, hsts: 15_552_000, redirectPorts: [] });
});

test('reads TLS_CERT, TLS_KEY and TLS_CA (comma-separated), flags winning', () => {
  const https = loadConfig([], { TLS_CERT: 'c.pem', TLS_KEY: 'k.pem', TLS_CA: 'a.pem, b.pem' }).https;
  assert.deepEqual([https?.certFile, https?.keyFile, https?.caFiles], ['c.pem', 'k.pem', ['a.pem', 'b.pem']]);
  assert.equal(loadConfig(['--cert', 'x.pem', '--key', 'y.pem'], { TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).https?.certFile, 'x.pem');
});

test('HSTS is on with certificate files, off with the development certificate, and --hsts sets it either way', () => {
  assert.equal(loadConfig(['--https'], {}).https?.hsts, 0);
  assert.equal(loadConfig(['--https', '--hsts', '3600'], {}).https?.hsts, 3600);
  assert.equal(loadConfig(['--cert', 'c', '--key', 'k', '--hsts', '0'], {}).https?.hsts, 0);
  assert.throws(() => loadConfig(['--https', '--hsts=-5'], {}), /--hsts must be a whole number of seconds, got "-5"/);
  assert.throws(() => loadConfig(['--https', '--hsts', '1y'], {}), /got "1y"/);
});

test('refuses TLS flags that make no sense alone', () => {
  assert.throws(() => loadConfig(['--cert', 'c.pem'], {}), /--cert and --key go together/);
  assert.throws(() => loadConfig(['--redirect-http', '8080'], {}), /--redirect-http needs --https/);
  assert.throws(() => loadConfig(['--hsts', '60'], {}), /--hsts needs --https/);
  assert.throws(() => loadConfig(['--https', '--port', '8443', '--redirect-http', '8443'], {}), /port 8443 is given twice/);
  assert.throws(() => loadConfig(['--https', '--redirect-http', 'x'], {}), /--redirect-http must be a number/);
  assert.deepEqual(loadConfig(['--https', '--port', '8443', '--redirect-http', '8080'], {}).https?.redirectPorts, [8080]);
});

test('takes --trust-proxy or TRUST_PROXY, and refuses a malformed list at start', () => {
  assert.equal(loadConfig([], {}).trustProxy, false);
  assert.equal(loadConfig(['--trust-proxy', 'loopback'], {}).trustProxy, 'loopback');
  assert.equal(loadConfig([], { TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, '10.0.0.0/8, 127.0.0.1');
  assert.throws(() => loadConfig(['--trust-proxy', 'everyone'], {}), /option trustProxy: "everyone"/);
});

test('runs one process unless asked for a cluster', () => {
  const config = loadConfig(['serve'], {});
  assert.equal(config.cluster, undefined);
  assert.equal(config.metricsPort, undefined);
  assert.equal(config.command, 'serve');
});

test('--cluster takes a count, auto, or nothing (CLUSTER_WORKERS, else one worker per core)', () => {
  const machine = { cores: 6 };
  const workers = (argv: string[], env: Record<string, string> = {}) => loadConfig(argv, env, machine).cluster?.workers;
  assert.equal(workers(['serve', '--cluster', '3']), 3);
  assert.equal(workers(['serve', '--cluster=2']), 2);
  assert.equal(workers(['serve', '--cluster', 'auto']), 6);
  assert.equal(workers(['serve', '--cluster']), 6);
  assert.equal(workers(['serve', '--cluster', '--port', '9000']), 6, 'a flag after --cluster is not its count');
  assert.equal(workers(['--cluster', 'serve']), 6, 'nor is the command');
  assert.deepEqual(loadConfig(['--cluster', 'serve', '--port', '9000'], {}, machine).ports, [9000]);
  assert.equal(workers(['serve', '--cluster'], { CLUSTER_WORKERS: '4' }), 4);
  assert.equal(workers(['serve', '--cluster', '2'], { CLUSTER_WORKERS: '4' }), 2, 'the flag wins');
});

test('CLUSTER_WORKERS alone starts a cluster; empty is unset', () => {
  assert.equal(loadConfig([], { CLUSTER_WORKERS: '2' }).cluster?.workers, 2);
  assert.equal(loadConfig([], { CLUSTER_WORKERS: 'auto' }, { cores: 8 }).cluster?.workers, 8);
  assert.equal(loadConfig([], { CLUSTER_WORKERS: ' ' }).cluster, undefined);
});

test('refuses a worker count that is not 1 to 256 or auto, naming where it came from', () => {
  for (const bad of ['0', '257', '1.5', 'many', '-2']) {
    assert.throws(() => loadConfig([`--cluster=${bad}`], {}), new RegExp(`^TypeError: --cluster must be a number of workers from 1 to 256, or auto, got "${bad}"`), bad);
  }
  assert.throws(() => loadConfig([], { CLUSTER_WORKERS: 'lots' }), /^TypeError: CLUSTER_WORKERS must be .* got "lots"/);
});

test('--max-worker-rss is megabytes of a cluster worker, and needs --cluster', () => {
  assert.equal(loadConfig(['--cluster', '2', '--max-worker-rss', '300'], {}).cluster?.maxWorkerRss, 300 * 2 ** 20);
  assert.equal(loadConfig(['--cluster', '2'], {}).cluster?.maxWorkerRss, undefined);
  assert.throws(() => loadConfig(['--max-worker-rss', '300'], {}), /--max-worker-rss needs --cluster/);
  for (const bad of ['0', '1.5', 'big', '']) assert.throws(() => loadConfig(['--cluster', '--max-worker-rss', bad], {}), new RegExp(`megabytes, got "${bad}"`), bad);
});

test('--metrics-port or METRICS_PORT turns metrics on, on a port of its own', () => {
  assert.equal(loadConfig(['--metrics-port', '9464'], {}).metricsPort, 9464);
  assert.equal(loadConfig([], { METRICS_PORT: '9465' }).metricsPort, 9465);
  assert.equal(loadConfig(['--metrics-port', '0', '--port', '0'], {}).metricsPort, 0);
  assert.throws(() => loadConfig(['--metrics-port', 'x'], {}), /--metrics-port must be a number from 0 to 65535, got "x"/);
  assert.throws(() => loadConfig(['--port', '8080', '--metrics-port', '8080'], {}), /port 8080 is given twice/);
});

test('reads maru reload as its own command with the data directory', () => {
  const config = loadConfig(['reload', '--data', '/srv/maru'], {});
  assert.equal(config.command, 'reload');
  assert.equal(config.dataDir, '/srv/maru');
  assert.throws(() => loadConfig(['reload', 'now'], {}), /unknown command/);
});

test('the usage names the cluster and metrics flags and their variables', () => {
  for (const word of ['--cluster', 'CLUSTER_WORKERS', '--max-worker-rss', '--metrics-port', 'METRICS_PORT', 'maru reload']) assert.ok(USAGE.includes(word), word);
});

test('takes DATABASE_SCHEMA and REDIS_PREFIX beside their URLs, so several deployments share one server', () => {
  const env = { DATABASE_URL: 'postgres://db/maru', REDIS_URL: 'redis://cache', DATABASE_SCHEMA: 'maru_demo', REDIS_PREFIX: 'maru-demo:' };
  const config = loadConfig([], env);
  assert.deepEqual([config.databaseSchema, config.redisPrefix], ['maru_demo', 'maru-demo:']);
  const unset = loadConfig([], { DATABASE_URL: 'postgres://db/maru', REDIS_URL: 'redis://cache', DATABASE_SCHEMA: ' ', REDIS_PREFIX: '' });
  assert.deepEqual([unset.databaseSchema, unset.redisPrefix], [undefined, undefined]);
});

test('refuses a schema that is not a plain identifier, a prefix with spaces, and either without its URL', () => {
  const urls = { DATABASE_URL: 'postgres://db/maru', REDIS_URL: 'redis://cache' };
  for (const bad of ['Maru', 'maru-demo', '1maru', 'a;drop', 'x'.repeat(64)]) {
    assert.throws(() => loadConfig([], { ...urls, DATABASE_SCHEMA: bad }), (err: Error) => err instanceof TypeError && err.message.includes(`"${bad}"`), bad);
  }
  assert.throws(() => loadConfig([], { ...urls, REDIS_PREFIX: 'maru demo:' }), /REDIS_PREFIX must be 1-64 printable characters/);
  assert.throws(() => loadConfig([], { DATABASE_SCHEMA: 'maru' }), /DATABASE_SCHEMA needs DATABASE_URL/);
  assert.throws(() => loadConfig([], { REDIS_PREFIX: 'maru:' }), /REDIS_PREFIX needs REDIS_URL/);
});

test('takes --instance or INSTANCE, flag winning, and refuses a name a label or log field would need to quote', () => {
  assert.equal(loadConfig([], {}).instance, undefined);
  assert.equal(loadConfig([], { INSTANCE: 'web-1' }).instance, 'web-1');
  assert.equal(loadConfig(['--instance', 'web-2:8080'], { INSTANCE: 'web-1' }).instance, 'web-2:8080');
  assert.throws(() => loadConfig(['--instance', 'web 1'], {}), /--instance must be 1-64 letters, digits.*"web 1"/);
  assert.throws(() => loadConfig(['--instance', ''], {}), /--instance must be/);
  for (const word of ['--instance', 'INSTANCE', 'DATABASE_SCHEMA', 'REDIS_PREFIX']) assert.ok(USAGE.includes(word), word);
});
