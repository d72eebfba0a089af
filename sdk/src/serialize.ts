import { MAX_BODY_BYTES, MAX_STRING_LENGTH, type PathmarkEvent } from './protocol.ts';
import { byteLength } from './lib/byteLength.ts';

/**
 * An event as it is queued (part of delivery): plain JSON (no functions for IndexedDB to choke on), long titles, URLs
 * and prop values cut to the protocol's limit rather than get the event refused; `undefined` when no request could
 * carry it.
 */
export function toEvent(fields: object): PathmarkEvent | undefined {
  const json = JSON.stringify(fields, (_, value) => (typeof value == 'string' ? value.slice(0, MAX_STRING_LENGTH) : value));
  return byteLength(json) > MAX_BODY_BYTES - 1024 ? undefined : JSON.parse(json);
}
