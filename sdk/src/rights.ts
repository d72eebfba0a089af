import type { AccessResponse, ConsentMode, ErasureReceipt } from './protocol.ts';

/** Visitor rights at the collector (docs/consent.md, "Visitor rights"): what is kept about this browser, and its erasure. */
export interface Rights {
  /**
   * What the collector keeps under this browser's pseudonym. Only in `granted` mode, where the browser holds an
   * `anonymous_id`: otherwise no request is made and the answer says that nothing is kept per visitor, and why.
   * Rejects if the collector cannot be reached or refuses (the error names the HTTP status).
   */
  access(): Promise<AccessResponse>;
  /** An erasure receipt as it stands now (`forget()` resolves with it). Rejects as `access()` does; never requests in `denied`. */
  receipt(id: string): Promise<ErasureReceipt>;
}

/** `POST` a body (`text/plain`, like batches: no CORS preflight) or `GET`, and the JSON answer of a 2xx. */
const ask = async <T>(fetchImpl: typeof fetch, url: URL, body?: string): Promise<T> => {
  const response = await fetchImpl(url, body ? { method: 'POST', body } : {});
  if (!response.ok) throw new Error(`pathmark: ${url.pathname} answered HTTP ${response.status}`);
  return response.json();
};

/**
 * The rights calls for one tracker. `endpoint` is the events URL: the rights routes sit beside it (`rights/<site>/…`,
 * i.e. RIGHTS_PATH under the same collector), as the site configuration does. The credential, the `anonymous_id`,
 * travels in the body, never in a URL.
 */
export function createRights(
  site: string,
  endpoint: URL,
  mode: () => ConsentMode,
  anonymousId: () => string | undefined,
  fetchImpl: typeof fetch = (...args) => fetch(...args),
) {
  const url = (path: string) => new URL(`rights/${site}/${path}`, endpoint);
  const post = <T>(path: string, anonymous_id: string) => ask<T>(fetchImpl, url(path), JSON.stringify({ anonymous_id }));
  return {
    // Async, so that whatever goes wrong (a URL that does not parse) is a rejection, never a throw into the page.
    async access(): Promise<AccessResponse> {
      const current = mode();
      const id = current == 'granted' && anonymousId();
      return id
        ? post<AccessResponse>('access', id)
        : {
            site,
            kept: 'nothing',
            reason:
              current == 'granted'
                ? 'no identifier on this device'
                : `consent mode ${current}: nothing is kept per visitor in this mode`,
            records: [],
            truncated: false,
            fields: {},
            erasure: null,
          };
    },
    async receipt(id: string): Promise<ErasureReceipt> {
      if (mode() == 'denied') throw new Error('pathmark: consent denied, no request made');
      return ask<ErasureReceipt>(fetchImpl, url('receipts/' + encodeURIComponent(id)));
    },
    /** Asks the collector to erase what it keeps under this id (read before the device forgot it). */
    erase: async (anonymousId: string): Promise<ErasureReceipt> => post<ErasureReceipt>('erase', anonymousId),
  };
}
