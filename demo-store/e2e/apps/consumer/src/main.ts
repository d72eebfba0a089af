// A consumer of the published package: installed from `npm pack`'s tarball, type-checked against its .d.ts and
// bundled by Vite, which splits the web-vitals part into its own chunk.
import { createTracker, type Tracker, type TrackerConfig } from 'pathmark';
import { PROTOCOL_VERSION, type Batch, type PathmarkEvent, type SiteConfigResponse } from 'pathmark/protocol';

const config: TrackerConfig = { site: 'demo', endpoint: '/v1/events', consent: 'anonymous' };
export const tracker: Tracker = createTracker(config);

tracker.viewItem({ item_id: 'SKU-1', item_name: 'Red shoe', price: 89, currency: 'EUR' });
tracker.track('consumer_ready', { bundler: 'vite', protocol: PROTOCOL_VERSION });

// The types are the real ones, not `any`: each of these lines must fail to type-check.
// @ts-expect-error not a consent mode
tracker.consent.set('yes');
// @ts-expect-error an item needs no `sku`, it has `item_id`
tracker.cart.add({ sku: 'SKU-1' });
// @ts-expect-error the wire format says which consent a batch was sent under
export const batch: Batch = { v: PROTOCOL_VERSION, site: 'demo', consent: 'pending', sent_at: 0, sdk: 'x', events: [] };

export type Seen = [PathmarkEvent['name'], SiteConfigResponse['regions'], typeof batch];
