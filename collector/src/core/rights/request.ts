/**
 * The body of a visitor-rights request (`RightsRequest`): `{ "anonymous_id": "<uuid>" }`, as text/plain or JSON, like
 * a batch. The SDK's anonymous id is an RFC 4122 UUID; anything else is refused naming the field, so a typo in an
 * e-mailed id is not silently answered with "nothing kept".
 */

/** Largest body accepted: a RightsRequest is about 60 bytes. */
export const MAX_RIGHTS_BODY_BYTES = 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RightsRequestOutcome = { ok: true; anonymousId: string } | { ok: false; detail: string };

/** Whether `value` is a UUID as the SDK writes it (any case). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export function parseRightsRequest(text: string): RightsRequestOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'body: expected JSON {"anonymous_id": "<uuid>"}' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, detail: 'body: expected JSON {"anonymous_id": "<uuid>"}' };
  }
  const id = (value as { anonymous_id?: unknown }).anonymous_id;
  if (id === undefined || id === null || id === '') return { ok: false, detail: 'anonymous_id: required' };
  if (!isUuid(id)) return { ok: false, detail: "anonymous_id: expected a UUID (the id shown on the store's privacy page)" };
  // The SDK writes lower case; an id copied by hand from an e-mail may not be.
  return { ok: true, anonymousId: id.toLowerCase() };
}
