import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import type { Machine } from './result.js';

/** The machine the figures come from: CPU model, cores, Node, wrk and kernel versions. */
export function describeMachine(): Machine {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { cpu: model.trim(), cores: cpus().length, node: process.version, wrk: wrkVersion() ?? 'not installed', kernel: `${process.platform} ${release()}` };
}

/** `wrk -v` prints e.g. "wrk debian/4.1.0-3+b2 [epoll] Copyright …". */
function wrkVersion(): string | undefined {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (out.error !== undefined) return undefined;
  return /^wrk\s+(\S+)/m.exec(`${out.stdout}${out.stderr}`)?.[1];
}

/** What is missing to run the benchmark, with how to install it; empty when everything is there. */
export function missingTools(): string[] {
  const missing: string[] = [];
  if (spawnSync('wrk', ['-v']).error !== undefined) missing.push('wrk is not installed (Debian/Ubuntu: apt-get install -y wrk; macOS: brew install wrk)');
  if (spawnSync('taskset', ['-V']).error !== undefined) missing.push('taskset is not installed (Debian/Ubuntu: apt-get install -y util-linux)');
  return missing;
}
