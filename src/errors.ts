/**
 * The one error type of the toolkit. Throw it from a handler or middleware and the app answers with its status and
 * a JSON body `{ error: { code, message } }`. `expose` is true below 500: a 5xx answer carries a generic message
 * unless the thrower says its message is meant for the client (`expose: true`, e.g. a 503 "try again").
 *
 * @example
 * throw new HttpError(413, 'BODY_TOO_LARGE', 'request body is over 1 MiB');
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  /** Extra response headers, e.g. `Allow` on a 405 or `Retry-After` on a 503. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown; expose?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`HttpError status must be an integer from 400 to 599, got ${status}`);
    }
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers;
  }
}

/**
 * True when the value is an {@link HttpError}: for middleware that wraps the chain and answers some errors itself.
 *
 * @example
 * try { return await next(); } catch (err) { if (isHttpError(err) && err.status === 404) return notFoundPage(ctx); throw err; }
 */
export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}
