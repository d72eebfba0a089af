import type { PageType } from './insights/page-types.ts';
import type { ForwardedRecord, QueueMessageBody, ReducedUserAgent } from './record.ts';

/**
 * The queue message: how the records of one batch travel from the route to the sinks.
 *
 * Every record of a batch repeats the batch's fields (batch id, site, arrival time, consent,
 * geo, reduced user agent, SDK, policy version, key id), and the events of one page or one
 * visitor repeat the page's and the visitor's. On the queue they are written once
 * (PackedMessage, `v: 2`): about 40 % of the bytes, and of the `JSON.stringify` on the
 * request path. The consumers read a message with `decodeMessage`, which expands it into
 * the records the sinks have always received, field for field and in the same key order
 * (the sinks' contract: R2 NDJSON, D1 rows, the webhook body). Messages of the first
 * format (`v: 1`, the records in full) are still read: those queued before a deploy, and
 * those kept in dead letters.
 */

/** Largest queue message we produce; Cloudflare Queues accept 128 KB. */
export const MAX_MESSAGE_BYTES = 120 * 1024;

/** The page a record was captured on. */
export interface PackedPage {
  page_id: string;
  url: string;
  path: string;
  page_type?: PageType | null;
  title?: string;
}

/** Who a record counts as: `salt_id` says how `visitor_id` was made. */
export interface PackedVisitor {
  visitor_id: string;
  session_id?: string;
  salt_id: string | null;
}

/**
 * One event. `page` and `visitor` are absent when they are the previous event's (in this
 * message); `ts` when it is `client_ts + ts_offset` (the batch's clock correction).
 * Fields are written in no particular order: the expansion puts them in the record's.
 */
export interface PackedEvent {
  event_id: string;
  name: string;
  ts?: number;
  client_ts: number;
  seq: number;
  page?: PackedPage;
  /** Usually on page views only. */
  referrer?: string;
  visitor?: PackedVisitor;
  props: ForwardedRecord['props'];
  /** `audit.redactions` and `audit.removed`: absent when 0 and empty. */
  redactions?: number;
  removed?: string[];
}

/** The queue message as the route writes it: the batch's fields once, then its events. */
export interface PackedMessage {
  v: 2;
  batch_id: string;
  site: string;
  received_at: number;
  /** `ts - client_ts` of the batch's events (the device clock's offset), unless an event says otherwise. */
  ts_offset: number;
  consent: ForwardedRecord['consent'];
  geo: ForwardedRecord['geo'];
  ua: ReducedUserAgent;
  sdk: string;
  policy_version: string;
  key_id: string | null;
  events: PackedEvent[];
}

/** A message as it sits on a queue or in a dead letter: packed, or (queued before packing) the records in full. */
export type QueueMessage = PackedMessage | QueueMessageBody;

const sameUa = (a: ReducedUserAgent, b: ReducedUserAgent): boolean =>
  a === b || (a.browser === b.browser && a.browser_major === b.browser_major && a.os === b.os && a.device === b.device);

/** Whether `record` has the batch fields of `first` (always, for the records of one batch). */
const sameBatch = (record: ForwardedRecord, first: ForwardedRecord): boolean =>
  record.batch_id === first.batch_id &&
  record.site === first.site &&
  record.received_at === first.received_at &&
  record.consent === first.consent &&
  record.sdk === first.sdk &&
  record.geo.country === first.geo.country &&
  record.geo.region === first.geo.region &&
  sameUa(record.ua, first.ua) &&
  record.audit.policy_version === first.audit.policy_version &&
  record.audit.key_id === first.audit.key_id;

const samePage = (page: PackedPage, record: ForwardedRecord): boolean =>
  page.page_id === record.page_id &&
  page.url === record.url &&
  page.path === record.path &&
  page.page_type === record.page_type &&
  page.title === record.title;

function pageOf(record: ForwardedRecord): PackedPage {
  const page: PackedPage = { page_id: record.page_id, url: record.url, path: record.path, page_type: record.page_type };
  if (record.title !== undefined) page.title = record.title;
  return page;
}

const sameVisitor = (visitor: PackedVisitor, record: ForwardedRecord): boolean =>
  visitor.visitor_id === record.visitor_id &&
  visitor.session_id === record.session_id &&
  visitor.salt_id === record.audit.salt_id;

function visitorOf(record: ForwardedRecord): PackedVisitor {
  const visitor: PackedVisitor = { visitor_id: record.visitor_id, salt_id: record.audit.salt_id };
  if (record.session_id !== undefined) visitor.session_id = record.session_id;
  return visitor;
}

/**
 * The records of one batch as a packed message, or null when they do not share the batch's
 * fields (never, for records the pipeline made; such records are then sent in full).
 */
export function packMessage(records: readonly ForwardedRecord[]): PackedMessage | null {
  const first = records[0];
  if (!first) return null;
  const tsOffset = first.ts - first.client_ts;
  const events: PackedEvent[] = [];
  let page: PackedPage | undefined;
  let visitor: PackedVisitor | undefined;
  for (const record of records) {
    if (!sameBatch(record, first)) return null;
    const event: PackedEvent = {
      event_id: record.event_id,
      name: record.name,
      client_ts: record.client_ts,
      seq: record.seq,
      props: record.props,
    };
    if (record.audit.redactions !== 0) event.redactions = record.audit.redactions;
    if (record.audit.removed.length > 0) event.removed = record.audit.removed;
    // The expansion adds the same two numbers; anything else (a fractional device time) is written out.
    if (record.ts !== record.client_ts + tsOffset) event.ts = record.ts;
    if (!page || !samePage(page, record)) event.page = page = pageOf(record);
    if (record.referrer !== undefined) event.referrer = record.referrer;
    if (!visitor || !sameVisitor(visitor, record)) event.visitor = visitor = visitorOf(record);
    events.push(event);
  }
  return {
    v: 2,
    batch_id: first.batch_id,
    site: first.site,
    received_at: first.received_at,
    ts_offset: tsOffset,
    consent: first.consent,
    geo: first.geo,
    ua: first.ua,
    sdk: first.sdk,
    policy_version: first.audit.policy_version,
    key_id: first.audit.key_id,
    events,
  };
}

/** The records of a packed message, each as anonymizeEvent made it (same fields, same key order). */
export function expandMessage(message: PackedMessage): QueueMessageBody {
  let page: PackedPage | undefined;
  let visitor: PackedVisitor | undefined;
  const records = message.events.map((event, index): ForwardedRecord => {
    page = event.page ?? page;
    visitor = event.visitor ?? visitor;
    if (!page || !visitor) throw new Error(`queue message: events[${index}] has no page or visitor`);
    const record: ForwardedRecord = {
      event_id: event.event_id,
      batch_id: message.batch_id,
      site: message.site,
      name: event.name,
      consent: message.consent,
      received_at: message.received_at,
      ts: event.ts ?? event.client_ts + message.ts_offset,
      client_ts: event.client_ts,
      seq: event.seq,
      page_id: page.page_id,
      url: page.url,
      path: page.path,
      page_type: page.page_type,
      props: event.props,
      visitor_id: visitor.visitor_id,
      geo: { country: message.geo.country, region: message.geo.region },
      ua: message.ua,
      sdk: message.sdk,
      audit: {
        policy_version: message.policy_version,
        salt_id: visitor.salt_id,
        key_id: message.key_id,
        redactions: event.redactions ?? 0,
        removed: event.removed ?? [],
      },
    };
    if (page.page_type === undefined) delete record.page_type;
    if (page.title !== undefined) record.title = page.title;
    if (event.referrer !== undefined) record.referrer = event.referrer;
    if (visitor.session_id !== undefined) record.session_id = visitor.session_id;
    return record;
  });
  return { v: 1, batch_id: message.batch_id, site: message.site, received_at: message.received_at, records };
}

const isPacked = (value: object): value is PackedMessage =>
  (value as PackedMessage).v === 2 && Array.isArray((value as PackedMessage).events);

/** A queue body (JSON text or a parsed value) as a message of either format; throws on anything else. */
export function readQueueMessage(body: unknown): QueueMessage {
  const value: unknown = typeof body === 'string' ? JSON.parse(body) : body;
  if (value && typeof value === 'object' && (isPacked(value) || Array.isArray((value as QueueMessageBody).records))) {
    return value as QueueMessage;
  }
  throw new Error('not a Pathmark queue message');
}

/** A queue body as the sinks receive it: the records in full, whichever format it was queued in. */
export function decodeMessage(body: unknown): QueueMessageBody {
  const message = readQueueMessage(body);
  return isPacked(message) ? expandMessage(message) : message;
}

/** How many events a message carries, without expanding it. */
export const eventCount = (message: QueueMessage): number => (isPacked(message) ? message.events.length : message.records.length);

/**
 * Groups records into as few queue messages as fit under MAX_MESSAGE_BYTES (one, for any SDK
 * batch). `messages` are the records as the sinks will read them; `serialized` what is queued.
 */
export function toMessages(
  records: ForwardedRecord[],
  batchId: string,
  site: string,
  receivedAt: number,
): { messages: QueueMessageBody[]; serialized: string[] } {
  const out = { messages: [] as QueueMessageBody[], serialized: [] as string[] };
  if (records.length > 0) emitMessages(records, { v: 1, batch_id: batchId, site, received_at: receivedAt, records: [] }, out);
  return out;
}

/** Serializes `chunk` as one message, or halves it until each part fits. */
function emitMessages(
  chunk: ForwardedRecord[],
  envelope: QueueMessageBody,
  out: { messages: QueueMessageBody[]; serialized: string[] },
): void {
  const json = JSON.stringify(packMessage(chunk) ?? { ...envelope, records: chunk });
  if (!fitsInMessage(json) && chunk.length > 1) {
    const half = Math.ceil(chunk.length / 2);
    emitMessages(chunk.slice(0, half), envelope, out);
    emitMessages(chunk.slice(half), envelope, out);
    return;
  }
  out.messages.push({ ...envelope, records: chunk });
  out.serialized.push(json);
}

/** Whether `text` fits a message; n UTF-16 units take at most 3n bytes, so short ones skip the encoding. */
const fitsInMessage = (text: string): boolean =>
  text.length * 3 <= MAX_MESSAGE_BYTES || new TextEncoder().encode(text).byteLength <= MAX_MESSAGE_BYTES;
