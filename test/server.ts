import type { App, ListenOptions, Listening } from '../src/index.js';
import { listen } from '../src/index.js';

export interface TestServer extends Listening {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
}

/** Starts the app on a free port of 127.0.0.1 for a socket test; `close()` it in `after`/`finally`. */
export async function serve(app: App, options: Omit<ListenOptions, 'port' | 'host'> = {}): Promise<TestServer> {
  const listening = await listen(app, { ...options, port: 0, host: '127.0.0.1' });
  const url = listening.urls[0]!;
  return { ...listening, url, port: Number(new URL(url).port) };
}
