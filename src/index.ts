// The toolkit's public API: the app imports only from here.
export { createApp, errorReply, type App, type AppOptions, type Handler, type Middleware, type RouteChain, type RouteOptions } from './app.js';
export { Context, type RequestInfo } from './context.js';
export { HttpError, isHttpError } from './errors.js';
export { createLogger, type LoggerOptions } from './log.js';
export type { FileBody, Reply, ReplyBody, ReplyHeaders } from './reply.js';
export { DEFAULT_BODY_LIMIT, readBody } from './body/read.js';
export type { BodyReader } from './body/reader.js';
export { parseCookieHeader } from './cookies/read.js';
export { serializeCookie, type CookieOptions } from './cookies/write.js';
export type { Session, SessionData, SessionStore, StoredSession } from './session/store.js';
export { listen, type ListenOptions, type Listening } from './server/listen.js';
export { onShutdownSignals } from './server/shutdown.js';
export { inject, type InjectRequest, type InjectResponse } from './testing/inject.js';
export { sameOrigin, type SameOriginOptions } from './security/same-origin.js';
