import type { ForwardedRecord } from './core/record.ts';

/**
 * The shape of `GET /v1/inspect` (PATHMARK_INSPECTOR=1 only): each forwarded record beside
 * the batch as the SDK sent it. Types only, so browser code (the demo inspector) can
 * import it; the D1 side is inspect-store.ts.
 */

export interface InspectBatch {
  batch_id: string;
  site: string;
  received_at: number;
  /** Mode the batch claimed. */
  claimed_consent: string | null;
  /** Mode the collector applied after the site policy and privacy signals. */
  effective_consent: string | null;
  accepted: number;
  rejected: { index: number; reason: string }[];
  /** The parsed body as received, before anonymization (never leaves a development machine). */
  raw: unknown;
}

export interface InspectEntry {
  record: ForwardedRecord;
  /** The event in the raw batch that produced `record`, or null when that batch is no longer kept. */
  raw_event: unknown;
  batch_id: string;
}

/** `GET /v1/inspect`: newest first. */
export interface InspectResponse {
  records: InspectEntry[];
  /** The batches referenced by `records`, plus the most recent batches that forwarded nothing. */
  batches: InspectBatch[];
}
