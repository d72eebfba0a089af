import type { ForwardedRecord } from '../../../collector/src/core/record.ts';
import type { InspectResponse } from '../../../collector/src/inspect.ts';
import { queryD1 } from '../../stack.mjs';
import { acceptedEvents, sentEvents, type CollectorRequest } from './browser.ts';
import { stackInfo } from './stack-info.ts';

/**
 * Polls `read` until `done` accepts its value, or fails after `timeoutMs` with
 * `describe(lastValue)`: the e2e tests wait on conditions, never on fixed sleeps.
 */
export async function waitFor<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  {
    timeoutMs = 30_000,
    intervalMs = 300,
    describe,
  }: { timeoutMs?: number; intervalMs?: number; describe?: (value: T) => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms${describe ? `: ${describe(value)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}

/** GET /v1/inspect: batches as received beside the records forwarded from them. */
export async function inspect(limit = 1000): Promise<InspectResponse> {
  const response = await fetch(`${stackInfo().origin}/v1/inspect?limit=${limit}`);
  if (!response.ok) throw new Error(`GET /v1/inspect answered ${response.status}`);
  return (await response.json()) as InspectResponse;
}

/** Every forwarded record the inspector knows, one per event id. */
export async function forwardedRecords(): Promise<ForwardedRecord[]> {
  const byId = new Map<string, ForwardedRecord>();
  for (const entry of (await inspect()).records) byId.set(entry.record.event_id, entry.record);
  return [...byId.values()];
}

/** Waits until the sink holds a record for every one of `eventIds`; returns those records. */
export async function waitForRecords(eventIds: readonly string[], timeoutMs = 30_000): Promise<ForwardedRecord[]> {
  const wanted = new Set(eventIds);
  const records = await waitFor(forwardedRecords, (all) => [...wanted].every((id) => all.some((r) => r.event_id === id)), {
    timeoutMs,
    describe: (all) => {
      const missing = [...wanted].filter((id) => !all.some((r) => r.event_id === id));
      return `${missing.length} of ${wanted.size} events never reached the sink`;
    },
  });
  return records.filter((r) => wanted.has(r.event_id));
}

/** Rows of the D1 `events` table (the sink keyed by event id) matching `where`. */
export function d1Events(where: string): Record<string, unknown>[] {
  return queryD1(stackInfo().persistTo, `SELECT * FROM events WHERE ${where}`);
}

export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The visitor id the collector gave this browser context, from the first event it accepted (one in a request cut
 * off by a page or context closing may never arrive). Scoping by visitor (rather than by the requests Playwright saw)
 * also finds what a page sent with keepalive as it went away, after Playwright stopped watching it.
 */
export async function visitorOf(log: readonly CollectorRequest[]): Promise<string> {
  const accepted = await waitFor(
    () => acceptedEvents(log),
    (events) => events.length > 0,
    {
      describe: () =>
        `nothing was accepted; sent: ${
          sentEvents(log)
            .map((e) => e.name)
            .join(', ') || 'nothing'
        }`,
    },
  );
  const [record] = await waitForRecords([accepted[0]!.id]);
  return record!.visitor_id;
}

/** Forwarded records of one visitor, in the order this device captured them. */
export async function recordsOfVisitor(visitor: string): Promise<ForwardedRecord[]> {
  return (await forwardedRecords())
    .filter((r) => r.visitor_id === visitor)
    .sort((a, b) => a.client_ts - b.client_ts || a.seq - b.seq);
}

/** Batches the collector received at or after `since` (collector clock, epoch ms). */
export async function batchesSince(since: number): Promise<InspectResponse['batches']> {
  return (await inspect()).batches.filter((b) => b.received_at >= since);
}
