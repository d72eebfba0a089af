// Provisional: replaced by the collector's exported InspectResponse once it lands.
import type { ForwardedRecord } from '../../../collector/src/record.ts';

export interface InspectEntry {
  batch_id: string;
  received_at: number;
  status: number;
  consent: string | null;
  raw: unknown;
  records: ForwardedRecord[];
  rejected?: { index: number; reason: string }[];
}

export interface InspectResponse {
  entries: InspectEntry[];
}
