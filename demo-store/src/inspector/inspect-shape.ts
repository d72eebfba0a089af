// The shape of GET /v1/inspect. This mirrors InspectResponse in
// collector/src/inspect.ts, which cannot be imported here: that module also holds
// the D1 code, whose Workers types clash with the DOM types of a browser program.
// The e2e tests read /v1/inspect through this type, so a drift fails them.
import type { ForwardedRecord } from '../../../collector/src/record.ts';

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
  /** The parsed body as received, before anonymization. */
  raw: unknown;
}

export interface InspectEntry {
  record: ForwardedRecord;
  /** The event in the raw batch that produced `record`, or null when that batch is no longer kept. */
  raw_event: unknown;
  batch_id: string;
}

export interface InspectResponse {
  records: InspectEntry[];
  batches: InspectBatch[];
}
