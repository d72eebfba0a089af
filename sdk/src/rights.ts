import type { AccessResponse, ConsentMode, ErasureReceipt } from './protocol.ts';
import type { DeliveryModule } from './lib/loadDelivery.ts';

/** Visitor rights at the collector (docs/consent.md, "Visitor rights in the browser"). */
export interface Rights {
  /**
   * What the collector keeps under this browser's pseudonym. Only in `granted` mode, where the browser holds an
   * `anonymous_id`: otherwise no request is made and the answer says that nothing is kept per visitor, and why.
   * Rejects if the collector cannot be reached or refuses (the error names the HTTP status).
   */
  access(): Promise<AccessResponse>;
  /** An erasure receipt as it stands now (`forget()` resolves with it). Rejects as `access()` does; no request in `denied`. */
  receipt(id: string): Promise<ErasureReceipt>;
}

/**
 * When the rights requests (rightsRequests.ts, part of delivery) may be made, and the answer when they may not: only
 * a mode that may send loads delivery, so the other modes are answered here, without it. Async methods: whatever goes
 * wrong is a rejection, never a throw into the page.
 */
export function createRights(
  site: string,
  mode: () => ConsentMode,
  anonymousId: () => string | undefined,
  requests: () => Promise<ReturnType<DeliveryModule['rightsRequests']>>,
) {
  return {
    async access(): Promise<AccessResponse> {
      const current = mode();
      const id = current == 'granted' && anonymousId();
      return id
        ? (await requests()).access(id)
        : {
            site,
            kept: 'nothing',
            reason: `consent mode ${current}: nothing kept per visitor`,
            records: [],
            truncated: false,
            fields: {},
            erasure: null,
          };
    },
    async receipt(id: string): Promise<ErasureReceipt> {
      if (mode() == 'denied') throw new Error('pathmark: consent denied');
      return (await requests()).receipt(id);
    },
  };
}
