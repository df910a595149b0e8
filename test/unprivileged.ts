import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Drops every capability (bounding and inheritable sets) before running the command that follows. */
const DROP_CAPABILITIES = ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--'];
const TOOLKIT = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;

export type Unprivileged = { prefix: readonly string[]; skip: false } | { prefix: undefined; skip: string };

let found: Promise<Unprivileged> | undefined;

/**
 * How this process starts a child that has no privileges, for tests that must see what an ordinary user sees (a port
 * below 1024 refused, a mode-000 file unreadable):
 * - not root: the child runs as it is (`prefix` is empty);
 * - root: the child runs under `setpriv` with every capability dropped. It is still uid 0, so it reads the checkout
 *   root owns wherever the clone lives (no other user has to be able to read it), but without CAP_NET_BIND_SERVICE
 *   and CAP_DAC_OVERRIDE it obeys the privileged-port rule and file modes like anyone else;
 * - where neither works (no setpriv, a container that forbids dropping capabilities, a checkout root reads only
 *   through its capabilities): a reason to skip, which the caller prints.
 *
 * @example
 * const how = await unprivileged();
 * if (how.skip !== false) return t.skip(how.skip);
 * spawn(how.prefix[0] ?? process.execPath, [...how.prefix.slice(1), ...]);
 */
export function unprivileged(): Promise<Unprivileged> {
  return (found ??= find());
}

/** The command and arguments that run `node …args` without privileges (see `unprivileged`). */
export function withoutPrivileges(prefix: readonly string[], args: readonly string[]): [command: string, args: string[]] {
  const [command = process.execPath, ...rest] = prefix;
  return prefix.length === 0 ? [process.execPath, [...args]] : [command, [...rest, process.execPath, ...args]];
}

async function find(): Promise<Unprivileged> {
  if (process.getuid?.() !== 0) return { prefix: [], skip: false };
  // The probe loads the toolkit through tsx the way the tests' children do: it fails if setpriv is missing or not
  // allowed here, and if root can read this checkout only thanks to a capability.
  const [command, args] = withoutPrivileges(DROP_CAPABILITIES, ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(TOOLKIT)});`]);
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(command, args, { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (err === null) return resolve(undefined);
      // The error line itself (e.g. ERR_MODULE_NOT_FOUND when root reads this checkout only thanks to a capability).
      resolve(stderr.split('\n').find((line) => /Error|error:/.test(line))?.trim() ?? err.message);
    });
  });
  if (failure === undefined) return { prefix: DROP_CAPABILITIES, skip: false };
  return { prefix: undefined, skip: `running as root, and a child without capabilities (setpriv) cannot run here: ${failure}` };
}
