/**
 * A router maps (method, path) to a value. Patterns are `/`-separated: static segments, `:name` parameters (one
 * segment each) and a trailing `*` that takes the rest of the path (as `params['*']`). Every implementation runs the
 * router contract suite (test/contracts/router.ts).
 */
export interface Router<T> {
  add(method: string, pattern: string, value: T): void;
  find(method: string, path: string): RouteMatch<T>;
}

export type RouteMatch<T> =
  | { readonly kind: 'found'; readonly value: T; readonly params: Readonly<Record<string, string>> }
  /** The path exists with other methods: answer 405 with this `Allow` value. */
  | { readonly kind: 'method-not-allowed'; readonly allow: string }
  /** OPTIONS on a path that has no OPTIONS route: answer with this `Allow` value. */
  | { readonly kind: 'options'; readonly allow: string }
  | { readonly kind: 'not-found' };

/** The parameter that holds what a trailing wildcard matched, still percent-encoded. */
export const WILDCARD_PARAM = '*';
