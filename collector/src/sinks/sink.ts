import type { ForwardedRecord } from '../record.ts';

/** A destination for forwarded records. `write` resolves once the records are durable there, or throws. */
export interface Sink {
  name: string;
  write(records: readonly ForwardedRecord[]): Promise<void>;
}
