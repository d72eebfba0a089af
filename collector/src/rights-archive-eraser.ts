import {
  ARCHIVE_SETTLE_MS,
  erasureNotice,
  isComplete,
  partitionsToRewrite,
  withoutVisitors,
  type ErasureSteps,
  type TombstoneRow,
} from './core/rights/erasure.ts';
import type { Env } from './env.ts';
import { errorText } from './retry.ts';
import { openErasures, saveSteps } from './rights-store.ts';
import { SIGNATURE_HEADER, signWebhookBody } from './sinks/webhook.ts';

/**
 * The erasure steps that are not done by the request itself (docs/rights.md): rewriting the R2 archive partitions
 * where the visitor's events landed without their records, and the signed webhook notice. The hourly cron runs
 * `eraseFromArchive`; the request already tries the notice (`notifyErasure`), and the cron retries it until the
 * receiver takes it.
 */

/** ARCHIVE_SETTLE_MS, or RIGHTS_ARCHIVE_SETTLE_SECONDS when set to a number of seconds ≥ 0. */
export function archiveSettleMs(env: Env): number {
  const seconds = Number(env.RIGHTS_ARCHIVE_SETTLE_SECONDS ?? '');
  return env.RIGHTS_ARCHIVE_SETTLE_SECONDS !== undefined && env.RIGHTS_ARCHIVE_SETTLE_SECONDS !== '' && seconds >= 0
    ? seconds * 1000
    : ARCHIVE_SETTLE_MS;
}

/** Requests finished per cron run; more wait for the next run (each costs a listing and a read per archive object). */
const ERASURES_PER_RUN = 50;

/** Whether this deployment forwards to a webhook that can be told to erase (FORWARD_URL with its secret). */
export const webhookConfigured = (env: Env): boolean => Boolean(env.FORWARD_URL && env.WEBHOOK_SECRET);

/**
 * POSTs `{ erasure: { site, visitor_id, receipt_id, requested_at } }` to FORWARD_URL, signed like the event
 * deliveries (`X-Pathmark-Signature`). Resolves whether the receiver took it (2xx).
 */
export async function sendErasureNotice(env: Env, row: TombstoneRow & { visitor_id: string }, now: number): Promise<boolean> {
  if (!webhookConfigured(env)) return false;
  const body = JSON.stringify(erasureNotice(row));
  const timestamp = Math.floor(now / 1000);
  try {
    const response = await fetch(env.FORWARD_URL!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signWebhookBody(env.WEBHOOK_SECRET!, timestamp, body) },
      body,
    });
    await response.body?.cancel();
    if (!response.ok) console.warn(`pathmark: erasure notice ${row.receipt_id}: webhook answered ${response.status}`);
    return response.ok;
  } catch (error) {
    console.warn(`pathmark: erasure notice ${row.receipt_id}: ${errorText(error)}`);
    return false;
  }
}

/** Rewrites every object of the partitions without the visitor's lines; objects without them are not touched. */
async function rewritePartitions(bucket: R2Bucket, row: TombstoneRow & { visitor_id: string }): Promise<number> {
  const erased = new Set([row.visitor_id]);
  let removed = 0;
  for (const partition of partitionsToRewrite(row)) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix: `${partition}/`, cursor });
      for (const { key } of page.objects) {
        const object = await bucket.get(key);
        if (!object) continue;
        const rewritten = withoutVisitors(await object.text(), row.site, erased);
        if (rewritten.removed === 0) continue;
        removed += rewritten.removed;
        // Same key, one write (R2 takes one write per second per key); an object left empty goes.
        if (rewritten.text === '') await bucket.delete(key);
        else await bucket.put(key, rewritten.text, { httpMetadata: object.httpMetadata });
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return removed;
}

/** Takes the open steps of one request as far as they go; `archive` only from the cron. Saves the steps. */
export async function advanceErasure(
  env: Env,
  row: TombstoneRow,
  now: number,
  { archive }: { archive: boolean },
): Promise<ErasureSteps> {
  const steps = JSON.parse(row.steps) as ErasureSteps;
  const visitorId = row.visitor_id;
  if (visitorId !== null) {
    const linked = { ...row, visitor_id: visitorId };
    if (steps.webhook === 'pending' && (await sendErasureNotice(env, linked, now))) steps.webhook = 'notified';
    if (archive && steps.archive === 'pending') {
      await rewritePartitions(env.ARCHIVE, linked);
      steps.archive = 'done';
    }
  }
  await saveSteps(env.DB, row.receipt_id, steps, isComplete(steps) ? now : null);
  return steps;
}

/**
 * The cron's part (also run by `npm run rights -- archive`): every open request at least ARCHIVE_SETTLE_MS old gets
 * its archive rewritten and its notice retried. A request made before a run is therefore done by the first run at least a minute after it (at most
 * 61 minutes with the hourly cron), unless the webhook receiver keeps refusing the notice (the receipt then shows
 * `webhook: pending` and the run after retries it).
 */
export async function eraseFromArchive(env: Env, now: number): Promise<number> {
  const open = await openErasures(env.DB, now - archiveSettleMs(env), ERASURES_PER_RUN);
  for (const row of open) {
    try {
      await advanceErasure(env, row, now, { archive: true });
    } catch (error) {
      console.error(`pathmark: erasure ${row.receipt_id}: archive step failed, retried next run: ${errorText(error)}`);
    }
  }
  return open.length;
}
