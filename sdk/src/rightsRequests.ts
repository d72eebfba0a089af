import type { AccessResponse, ErasureReceipt } from './protocol.ts';

/**
 * The visitor-rights requests (part of delivery; rights.ts decides when they may be made). The routes sit beside the
 * events endpoint (`rights/<site>/…`, i.e. RIGHTS_PATH under the same collector), as the site configuration does. The
 * credential, the `anonymous_id`, travels in a `text/plain` body (no CORS preflight), never in a URL. An answer other
 * than 2xx rejects with an error naming the status.
 */
export function rightsRequests(site: string, endpoint: URL, fetchImpl: typeof fetch = fetch) {
  const ask = async <T>(path: string, anonymous_id?: string): Promise<T> => {
    const url = new URL(`rights/${site}/${path}`, endpoint);
    const response = await fetchImpl(url, anonymous_id ? { method: 'POST', body: JSON.stringify({ anonymous_id }) } : {});
    if (!response.ok) throw new Error(`pathmark: ${url.pathname} answered HTTP ${response.status}`);
    return response.json();
  };
  return {
    access: (anonymousId: string) => ask<AccessResponse>('access', anonymousId),
    erase: (anonymousId: string) => ask<ErasureReceipt>('erase', anonymousId),
    receipt: (id: string) => ask<ErasureReceipt>('receipts/' + encodeURIComponent(id)),
  };
}
