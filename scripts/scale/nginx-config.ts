import { fileURLToPath } from 'node:url';

/** The deploy kit's files this config is made from: what the tests and the demo run is what operators install. */
export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url));

export interface LocalNginxOptions {
  /** The text of deploy/nginx.conf: its `upstream maru` block and its `map` are copied from it. */
  readonly deployConf: string;
  /** Directory of the pid file, logs and nginx's temp files (a fresh temp dir). */
  readonly dir: string;
  /** Where nginx listens: an address of this machine and an unprivileged port. */
  readonly listen: { readonly host: string; readonly port: number };
  /** TLS at the edge (HTTP/2 beside HTTP/1.1); without it, plain HTTP/1.1. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** The instances, `host:port` each; they replace the `server` lines of deploy/nginx.conf's upstream. */
  readonly instances: readonly string[];
  /** Source address of nginx's connections to the instances (`proxy_bind`): what their --trust-proxy names. */
  readonly bindAddress?: string | undefined;
  /** Adds `X-Upstream: $upstream_addr` to proxied replies, so a client sees which instance answered. */
  readonly exposeUpstream?: boolean;
  /** Serve `/static/` from this directory with deploy/maru-static.conf, as deploy/nginx.conf does. */
  readonly staticDir?: string | undefined;
  readonly workerProcesses?: number;
  /** `user` directive: needed when nginx starts as root, else its workers become `nobody` (omit otherwise). */
  readonly user?: string | undefined;
}

/**
 * A complete nginx.conf that runs deploy/nginx.conf's set-up on this machine, as an unprivileged process in a temp
 * dir: the deploy file's `upstream maru` (with the instances given in place of its `server` lines, each keeping
 * the same max_fails/fail_timeout) and its `map`, a server on `listen` whose locations include the deploy kit's own
 * maru-proxy.conf and maru-static.conf. Throws when deploy/nginx.conf no longer has what it copies.
 *
 * @example
 * renderLocalNginx({ deployConf, dir, listen: { host: '127.0.0.1', port: 8443 }, instances: ['127.0.0.1:8081', '127.0.0.1:8082'] });
 */
export function renderLocalNginx(options: LocalNginxOptions): string {
  const { deployConf, dir, listen, tls, instances, bindAddress, exposeUpstream = false, staticDir, workerProcesses = 1, user } = options;
  if (instances.length === 0) throw new TypeError('option instances must name at least one instance');
  for (const instance of instances) {
    if (!/^[\w.:[\]-]+:\d{1,5}$/.test(instance)) throw new TypeError(`option instances: ${JSON.stringify(instance)} is not host:port`);
  }
  const upstream = localUpstream(deployConf, instances);
  const map = /^map "\$scheme:\$server_port" \$maru_port_suffix \{[^}]*\}/m.exec(deployConf)?.[0];
  if (map === undefined) throw new Error('deploy/nginx.conf has no `map … $maru_port_suffix` block');
  const path = (name: string) => `${dir}/${name}`;
  const listenLine = `listen ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}${tls ? ' ssl http2' : ''};`;
  const proxyExtras = [
    bindAddress === undefined ? '' : `proxy_bind ${bindAddress};`,
    exposeUpstream ? 'add_header X-Upstream $upstream_addr always;' : '',
  ].filter((line) => line !== '');
  return `# Made by scripts/scale/nginx-config.ts from deploy/nginx.conf, for a local run.
${user === undefined ? '' : `user ${user};\n`}worker_processes ${workerProcesses};
daemon off;
pid ${path('nginx.pid')};
error_log stderr warn;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    server_tokens off;
    log_format upstream '$remote_addr "$request" $status upstream=$upstream_addr upstream_status=$upstream_status rid=$request_id';
    access_log ${path('access.log')} upstream;
    client_body_temp_path ${path('body')};
    proxy_temp_path ${path('proxy')};
    fastcgi_temp_path ${path('fastcgi')};
    uwsgi_temp_path ${path('uwsgi')};
    scgi_temp_path ${path('scgi')};

${indent(upstream)}

${indent(map)}

    server {
        ${listenLine}
${tls ? `        ssl_certificate ${tls.certFile};\n        ssl_certificate_key ${tls.keyFile};\n` : ''}        client_max_body_size 1m;

        location / {
            include ${DEPLOY_DIR}maru-proxy.conf;
${proxyExtras.map((line) => `            ${line}\n`).join('')}        }
${
  staticDir === undefined
    ? ''
    : `
        location /static/ {
            alias ${staticDir.endsWith('/') ? staticDir : `${staticDir}/`};
            include ${DEPLOY_DIR}maru-static.conf;
        }
`
}    }
}
`;
}

/** deploy/nginx.conf's `upstream maru` block with its `server` lines replaced by the instances given. */
function localUpstream(deployConf: string, instances: readonly string[]): string {
  const block = /^upstream maru \{[^}]*\}/m.exec(deployConf)?.[0];
  if (block === undefined) throw new Error('deploy/nginx.conf has no `upstream maru { … }` block');
  const servers = [...block.matchAll(/^(\s*)server\s+\S+(\s[^;]*)?;\n/gm)];
  const first = servers[0];
  if (first === undefined) throw new Error('deploy/nginx.conf: `upstream maru` has no server line');
  const lines = instances.map((instance) => `${first[1]}server ${instance}${first[2] ?? ''};\n`).join('');
  const start = first.index;
  const last = servers.at(-1)!;
  return block.slice(0, start) + lines + block.slice(last.index + last[0].length);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : `    ${line}`))
    .join('\n');
}
