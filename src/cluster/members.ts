import type { Worker } from 'node:cluster';
import { isFromWorker, type FromWorker, type ToWorker } from './messages.js';

/** A worker as the primary tracks it, from fork to exit. */
export interface Member {
  readonly worker: Worker;
  readonly id: number;
  readonly pid: number;
  /** Which of the N places of the cluster it fills (a replacement takes its predecessor's). */
  readonly slot: number;
  readonly forkedAt: number;
  /** When it reported ready, or undefined. */
  readonly readyAt: number | undefined;
  /** Why the primary asked it to go (`reload`, `memory`, `stop`), or undefined while it is wanted. */
  leaving: string | undefined;
  /** What it said as it began to stop (its last error when it failed to start). */
  readonly lastWords: Extract<FromWorker, { maru: 'stopping' }> | undefined;
  /** Resolves true once it is ready, false if it exits first. */
  readonly ready: Promise<boolean>;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  readonly alive: boolean;
  /** Sends a message if the channel is still open (a worker may exit at any moment). */
  tell(message: ToWorker): void;
  /**
   * Sends `message` and resolves with the worker's answer of kind `answer` (and `id`, when given), or undefined
   * when it does not answer within `timeoutMs` or exits first.
   */
  ask<K extends FromWorker['maru']>(message: ToWorker, answer: K, timeoutMs: number, id?: number): Promise<Extract<FromWorker, { maru: K }> | undefined>;
}

export interface MemberEvents {
  onReady(member: Member): void;
  onMessage(member: Member, message: FromWorker): void;
  onExit(member: Member, code: number | null, signal: string | null): void;
}

/**
 * Wraps a freshly forked worker: records when it is ready, what it said before it stopped, and routes answers to
 * the questions asked of it. The supervisor's policy lives elsewhere; this is only the bookkeeping.
 *
 * @example
 * const member = trackMember(cluster.fork(), 0, { onReady, onMessage, onExit });
 * const rss = await member.ask({ maru: 'rss?' }, 'rss', 2_000);
 */
export function trackMember(worker: Worker, slot: number, events: MemberEvents): Member {
  let readyAt: number | undefined;
  let lastWords: Member['lastWords'];
  let alive = true;
  let settleReady!: (ready: boolean) => void;
  let settleExit!: (exit: { code: number | null; signal: string | null }) => void;
  const ready = new Promise<boolean>((resolve) => (settleReady = resolve));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => (settleExit = resolve));
  const waiting = new Map<string, (message: FromWorker | undefined) => void>();

  const member: Member = {
    worker,
    id: worker.id,
    pid: worker.process.pid ?? -1,
    slot,
    forkedAt: Date.now(),
    get readyAt() {
      return readyAt;
    },
    leaving: undefined,
    get lastWords() {
      return lastWords;
    },
    ready,
    exited,
    get alive() {
      return alive;
    },
    tell(message) {
      if (alive && worker.isConnected()) worker.send(message, undefined, () => {});
    },
    ask(message, answer, timeoutMs, id) {
      const key = id === undefined ? answer : `${answer}:${id}`;
      return new Promise((resolve) => {
        if (!alive) return resolve(undefined);
        const timer = setTimeout(() => finish(undefined), timeoutMs);
        const finish = (reply: FromWorker | undefined) => {
          clearTimeout(timer);
          waiting.delete(key);
          resolve(reply as never);
        };
        waiting.get(key)?.(undefined);
        waiting.set(key, finish);
        member.tell(message);
      });
    },
  };

  worker.on('message', (message: unknown) => {
    if (!isFromWorker(message)) return;
    if (message.maru === 'ready') {
      if (readyAt !== undefined) return;
      readyAt = Date.now();
      settleReady(true);
      events.onReady(member);
      return;
    }
    if (message.maru === 'stopping') lastWords = message;
    const key = 'id' in message ? `${message.maru}:${message.id}` : message.maru;
    const answer = waiting.get(key);
    if (answer !== undefined) answer(message);
    else events.onMessage(member, message);
  });
  // A send to a worker that just died fails with EPIPE; its exit is handled below.
  worker.on('error', () => {});
  worker.once('exit', (code: number | null, signal: string | null) => {
    alive = false;
    for (const answer of [...waiting.values()]) answer(undefined);
    settleReady(false);
    settleExit({ code, signal });
    events.onExit(member, code, signal);
  });
  return member;
}
