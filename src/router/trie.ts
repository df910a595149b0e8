import { HttpError } from '../errors.js';
import { WILDCARD_PARAM, type RouteMatch, type Router } from './router.js';

interface Node<T> {
  readonly statics: Map<string, Node<T>>;
  param: { readonly name: string; readonly node: Node<T> } | undefined;
  wildcard: Node<T> | undefined;
  /** Method → value; set only on nodes where a pattern ends. */
  methods: Map<string, T> | undefined;
  /** Precomputed answers for this node, so a lookup allocates nothing but its params. */
  notAllowed: RouteMatch<T> | undefined;
  options: RouteMatch<T> | undefined;
}

const NOT_FOUND: RouteMatch<never> = Object.freeze({ kind: 'not-found' });
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

function newNode<T>(): Node<T> {
  return { statics: new Map(), param: undefined, wildcard: undefined, methods: undefined, notAllowed: undefined, options: undefined };
}

/**
 * A segment trie: lookup cost grows with the path's depth, not with the number of routes. Paths without
 * parameters are also kept in one map keyed by the whole path, so the common static route is a single hash lookup.
 * Priority at each segment: static, then `:param`, then `*`; a failed branch backtracks.
 *
 * Parameters are percent-decoded (a bad escape is a 400); a wildcard's value stays as sent, so that a file server
 * can decode it exactly once and see an encoded `%2F` for what it is.
 *
 * @example
 * const router = createTrieRouter<string>();
 * router.add('GET', '/users/:id', 'user');
 * router.find('GET', '/users/42'); // { kind: 'found', value: 'user', params: { id: '42' } }
 */
export function createTrieRouter<T>(): Router<T> {
  const root = newNode<T>();
  // Whole path → found results per method, for patterns without parameters.
  const exact = new Map<string, Node<T>>();
  const foundExact = new Map<Node<T>, Map<string, RouteMatch<T>>>();

  function add(method: string, pattern: string, value: T): void {
    if (!pattern.startsWith('/')) throw new TypeError(`route pattern must start with "/", got ${JSON.stringify(pattern)}`);
    // RFC 9110 §9.1: a method is a token.
    if (!/^[!#$%&'*+.^_`|~\w-]+$/.test(method)) throw new TypeError(`route method must be an HTTP token, got ${JSON.stringify(method)}`);
    const segments = pattern.split('/').slice(1);
    let node = root;
    let dynamic = false;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      if (segment.startsWith(':')) {
        const name = segment.slice(1);
        // Params live in a plain object (fast to build and read); `__proto__` would be its prototype setter.
        if (!/^\w+$/.test(name) || name === '__proto__') throw new TypeError(`bad parameter name in route ${pattern}`);
        if (node.param !== undefined && node.param.name !== name) {
          throw new TypeError(`route ${pattern} names parameter :${name} where another route has :${node.param.name}`);
        }
        node.param ??= { name, node: newNode() };
        node = node.param.node;
        dynamic = true;
      } else if (segment.startsWith('*')) {
        if (segment !== '*' || i !== segments.length - 1) {
          throw new TypeError(`a wildcard is a last segment of just "*", in route ${pattern}`);
        }
        node.wildcard ??= newNode();
        node = node.wildcard;
        dynamic = true;
      } else {
        // A request path arrives percent-encoded (RFC 3986 §2.1): a space, '?', '#' or a non-ASCII character in a
        // pattern could never match, so it is a mistake to report now rather than a route that silently 404s.
        if (/[^\x21-\x7e]|[?#]/.test(segment)) {
          throw new TypeError(`route ${JSON.stringify(pattern)} has a character a request path never carries; write it percent-encoded`);
        }
        let next = node.statics.get(segment);
        if (next === undefined) node.statics.set(segment, (next = newNode()));
        node = next;
      }
    }
    const upper = method.toUpperCase();
    node.methods ??= new Map();
    if (node.methods.has(upper)) throw new TypeError(`route ${upper} ${pattern} is defined twice`);
    node.methods.set(upper, value);
    const allow = allowOf(node.methods);
    node.notAllowed = { kind: 'method-not-allowed', allow };
    node.options = { kind: 'options', allow };
    if (!dynamic) {
      exact.set(pattern, node);
      const found = new Map<string, RouteMatch<T>>();
      for (const [m, v] of node.methods) found.set(m, { kind: 'found', value: v, params: NO_PARAMS });
      foundExact.set(node, found);
    }
  }

  function find(method: string, path: string): RouteMatch<T> {
    const node = exact.get(path);
    if (node !== undefined) {
      const found = foundExact.get(node)!;
      const hit = found.get(method) ?? (method === 'HEAD' ? found.get('GET') : undefined);
      if (hit !== undefined) return hit;
      // Not this method here, but a :param or * route of this method may still match the path (POST /users/:id
      // for /users/new when only GET /users/new is static): fall through to the trie.
    }
    // Only origin-form targets are paths (RFC 9112 §3.2.1); `*` and absolute-form never match a route.
    if (path.charCodeAt(0) !== 47 /* / */) return NOT_FOUND;
    // A plain object, not Object.create(null): V8 keeps it in fast mode, and its keys are route-defined names.
    const params: Record<string, string> = {};
    const matched = match(root, path, 1, params, method);
    if (matched === undefined) return refuse(root, path, method);
    if (path.includes('%')) decodeParams(params);
    return { kind: 'found', value: (matched.methods!.get(method) ?? matched.methods!.get('GET'))!, params };
  }

  return { add, find };
}

/** No route of this method: 405 (or OPTIONS' answer) with the methods of every pattern matching the path, or 404. */
function refuse<T>(root: Node<T>, path: string, method: string): RouteMatch<T> {
  const nodes: Node<T>[] = [];
  collect(root, path, 1, nodes);
  if (nodes.length === 0) return NOT_FOUND;
  if (nodes.length === 1) return method === 'OPTIONS' ? nodes[0]!.options! : nodes[0]!.notAllowed!;
  const methods = new Map<string, unknown>();
  for (const node of nodes) for (const name of node.methods!.keys()) methods.set(name, true);
  const allow = allowOf(methods);
  return method === 'OPTIONS' ? { kind: 'options', allow } : { kind: 'method-not-allowed', allow };
}

/** True when the node has a route for the method; HEAD is served by GET (RFC 9110 §9.3.2). */
function takes<T>(node: Node<T>, method: string): boolean {
  const methods = node.methods;
  return methods !== undefined && (methods.has(method) || (method === 'HEAD' && methods.has('GET')));
}

/** Walks the path from `start` (just past a '/') to a node with a route for `method`; backtracks on a dead end. */
function match<T>(node: Node<T>, path: string, start: number, params: Record<string, string>, method: string): Node<T> | undefined {
  const slash = path.indexOf('/', start);
  const end = slash === -1 ? path.length : slash;
  const segment = path.slice(start, end);

  const next = node.statics.size === 0 ? undefined : node.statics.get(segment);
  if (next !== undefined) {
    const found = slash === -1 ? (takes(next, method) ? next : undefined) : match(next, path, slash + 1, params, method);
    if (found !== undefined) return found;
  }
  if (node.param !== undefined && segment !== '') {
    const { name, node: child } = node.param;
    const found = slash === -1 ? (takes(child, method) ? child : undefined) : match(child, path, slash + 1, params, method);
    if (found !== undefined) {
      params[name] = segment;
      return found;
    }
  }
  if (node.wildcard !== undefined && takes(node.wildcard, method)) {
    params[WILDCARD_PARAM] = path.slice(start);
    return node.wildcard;
  }
  return undefined;
}

/** Every node with routes whose pattern matches the path, whatever the method: only on the 404/405/OPTIONS path. */
function collect<T>(node: Node<T>, path: string, start: number, into: Node<T>[]): void {
  const slash = path.indexOf('/', start);
  const segment = path.slice(start, slash === -1 ? path.length : slash);
  const next = node.statics.get(segment);
  if (next !== undefined) {
    if (slash !== -1) collect(next, path, slash + 1, into);
    else if (next.methods !== undefined) into.push(next);
  }
  if (node.param !== undefined && segment !== '') {
    const child = node.param.node;
    if (slash !== -1) collect(child, path, slash + 1, into);
    else if (child.methods !== undefined) into.push(child);
  }
  if (node.wildcard?.methods !== undefined) into.push(node.wildcard);
}

// Wildcards stay raw; every other parameter is decoded here, once, after the whole path matched.
function decodeParams(params: Record<string, string>): void {
  for (const name of Object.keys(params)) {
    const raw = params[name]!;
    if (name === WILDCARD_PARAM || !raw.includes('%')) continue;
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'BAD_PATH_ENCODING', 'the path has an invalid percent-encoding');
    }
  }
}

function allowOf(methods: Map<string, unknown>): string {
  const allow = new Set(methods.keys());
  if (allow.has('GET')) allow.add('HEAD');
  allow.add('OPTIONS');
  return [...allow].sort().join(', ');
}
