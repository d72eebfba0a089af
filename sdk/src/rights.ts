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
 * The rights calls for one tracker. `endpoint` is the events URL: the rights routes sit beside it (`rights/<site>/…`,
 * i.e. RIGHTS_PATH under the same collector), as the site configuration does. The credential, the `anonymous_id`,
 * travels in the body, never in a URL. The requests themselves are part of delivery (`load`), which only a mode that
 * may send loads: the answers for the other modes are made here, without it.
 */
export function createRights(
  site: string,
  endpoint: URL,
  mode: () => ConsentMode,
  anonymousId: () => string | undefined,
  load: () => Promise<DeliveryModule>,
  fetchImpl?: typeof fetch,
) {
  // Async, so that whatever goes wrong (a URL that does not parse, delivery that cannot load) is a rejection, never a
  // throw into the page.
  const ask = async <T>(path: string, anonymous_id?: string): Promise<T> =>
    (await load()).request<T>(
      new URL(`rights/${site}/${path}`, endpoint),
      fetchImpl,
      anonymous_id && JSON.stringify({ anonymous_id }),
    );
  return {
    async access(): Promise<AccessResponse> {
      const current = mode();
      const id = current == 'granted' && anonymousId();
      return id
        ? ask('access', id)
        : {
            site,
            kept: 'nothing',
            reason:
              current == 'granted' ? 'no identifier on this device' : `consent mode ${current}: nothing is kept per visitor`,
            records: [],
            truncated: false,
            fields: {},
            erasure: null,
          };
    },
    async receipt(id: string): Promise<ErasureReceipt> {
      if (mode() == 'denied') throw new Error('pathmark: consent denied, no request made');
      return ask('receipts/' + encodeURIComponent(id));
    },
    /** Asks the collector to erase what it keeps under this id (read before the device forgot it). */
    erase: (anonymousId: string) => ask<ErasureReceipt>('erase', anonymousId),
  };
}
