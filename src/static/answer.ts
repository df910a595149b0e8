import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from '../reply.js';
import { evaluatePreconditions, ifRangeHolds } from './conditional.js';
import type { Encoding } from './encoding.js';
import type { Entry } from './entry.js';
import { parseRange } from './range.js';
import { partialReply, preconditionFailedReply, unsatisfiableReply, type Representation } from './representation.js';

/** Which codings an entry has, as the bit mask `pickEncoding` takes: 1 = br, 2 = gzip. */
export function encodingMask(entry: Entry): number {
  return (entry.br === undefined ? 0 : 1) | (entry.gzip === undefined ? 0 : 2);
}

/**
 * The reply for a GET or HEAD of a file. Without validators or Range in the request — nearly every request for
 * an asset — this is one prebuilt reply; conditional and range logic runs only when the request asks for it.
 *
 * @example
 * answer(ctx.headers, entry, pick); // entry.identity.ok for a plain GET
 */
export function answer(headers: IncomingHttpHeaders, entry: Entry, pickEncoding: (header: string | undefined, mask: number) => Encoding): Reply {
  const mask = encodingMask(entry);
  let rep = entry.identity;
  // A range is always served from the identity bytes: a compressed range would depend on how the encoder
  // happened to split its output, and If-Range tags would have to name the coding.
  const range = headers.range;
  if (mask !== 0 && range === undefined) {
    const encoding = pickEncoding(headers['accept-encoding'], mask);
    if (encoding === 'br') rep = entry.br!;
    else if (encoding === 'gzip') rep = entry.gzip!;
  }
  if (
    range === undefined &&
    headers['if-none-match'] === undefined &&
    headers['if-modified-since'] === undefined &&
    headers['if-match'] === undefined &&
    headers['if-unmodified-since'] === undefined
  ) {
    return rep.ok;
  }
  return conditional(headers, rep, range);
}

function conditional(headers: IncomingHttpHeaders, rep: Representation, range: string | undefined): Reply {
  const decision = evaluatePreconditions(headers, rep);
  if (decision === 'not-modified') return rep.notModified;
  if (decision === 'failed') return preconditionFailedReply(rep);
  const ifRange = headers['if-range'];
  if (range === undefined || !ifRangeHolds(typeof ifRange === 'string' ? ifRange : undefined, rep)) return rep.ok;
  const wanted = parseRange(range, rep.size);
  if (wanted.kind === 'whole') return rep.ok;
  if (wanted.kind === 'unsatisfiable') return unsatisfiableReply(rep);
  return partialReply(rep, wanted.start, wanted.end);
}
