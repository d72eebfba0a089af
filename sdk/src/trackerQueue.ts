import { PROTOCOL_VERSION, type ConsentMode } from './protocol.ts';
import { createQueue, type Queue, type QueueOptions } from './queue.ts';
import { createTransport, type Transport } from './transport.ts';
import { deviceKey } from './lib/deviceKey.ts';
import { SDK_VERSION } from './version.ts';

/**
 * A tracker's queue (part of delivery): the transport to `endpoint` (unless one is given), the batch envelope of the
 * mode in force (none while it may not send), and one sender for all of the site's tabs.
 */
export function trackerQueue(
  site: string,
  endpoint: URL,
  mode: () => ConsentMode,
  options: Omit<QueueOptions, 'envelope' | 'transport' | 'lockName'> & { transport?: Transport; fetch?: typeof fetch },
): Queue {
  return createQueue({
    ...options,
    transport: options.transport ?? createTransport(endpoint, options.fetch),
    envelope() {
      const consent = mode();
      return consent == 'anonymous' || consent == 'granted'
        ? { v: PROTOCOL_VERSION, site, consent, sdk: SDK_VERSION }
        : undefined;
    },
    lockName: deviceKey(site),
  });
}
