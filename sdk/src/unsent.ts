/**
 * What a page captured and could not send because it went away before delivery (pathmark-delivery.js) had loaded:
 * in `granted` only, kept in `localStorage` (beside the session, under the site's device key) for the next page of
 * the site whose delivery loads in `granted` to process and queue. Each capture gets its event id as it is kept, so
 * that processing it twice (two tabs picking it up at once, a page gone between queueing and clearing) makes the same
 * event, which the stored queue and the collector's sinks keep once. Withdrawing consent deletes it with the session.
 */
import { PROTOCOL_VERSION, type ConsentMode, type PathmarkEvent } from './protocol.ts';
import type { Session } from './session.ts';
import { SDK_VERSION } from './version.ts';
import type { Commerce } from './commerce.ts';
import { unsentKey } from './lib/deviceKey.ts';
import { uuid } from './lib/uuid.ts';

/** Where and when something was captured: the event's context (`id` once kept on the device, unsent.ts). */
export type CaptureContext = Pick<PathmarkEvent, 'ts' | 'page_id' | 'url' | 'title'> & { id?: string };

/**
 * A call or event as captured, plain JSON: the ecommerce method that processes it and its arguments, or (`''`) an
 * event's `emit` arguments.
 */
export type Captured = [method: keyof Commerce | '', args: unknown[], context: CaptureContext];

/**
 * Keeps `captures` (the tag, at pagehide or hidden) and empties the array; without storage (blocked, over quota, a
 * capture that is not JSON: a cycle in a call's props) the page keeps them. At most the last 1,000 are kept, should
 * delivery never load (blocked), as in the queue.
 */
export function keepUnsent(site: string, captures: Captured[]) {
  try {
    captures.forEach((captured) => (captured[2].id ??= uuid()));
    localStorage[unsentKey(site)] = JSON.stringify(
      JSON.parse(localStorage[unsentKey(site)] || '[]')
        .concat(captures)
        .slice(-1000),
    );
    captures.length = 0;
  } catch {
    /* kept in the page */
  }
}

/**
 * In `anonymous` (nothing may be kept on the device), at pagehide or hidden before delivery has loaded: sends the
 * captured events (page views, page leaves, scroll depths, consent changes) as delivery would queue them, numbered in
 * `session`, in one beacon; and returns what is left for delivery, should the page live on (the calls, which need
 * delivery's processing, or everything if the beacon could not be queued).
 */
export function postUnsent(site: string, endpoint: URL, session: Session, captures: Captured[]): Captured[] {
  const { state } = session;
  const events: object[] = [];
  const rest = captures.filter(
    ([method, args, context]) =>
      method ||
      !events.push({
        id: uuid(),
        ...context,
        name: args[0],
        props: args[0] == 'page_view' ? { ...(args[1] as object), page_index: ++state.pages } : args[1],
        ...(args[2] as object),
        seq: ++state.seq,
      }),
  );
  const batch = { v: PROTOCOL_VERSION, site, consent: 'anonymous', sent_at: Date.now(), sdk: SDK_VERSION, events };
  return !events.length || navigator.sendBeacon(endpoint, JSON.stringify(batch)) ? rest : captures;
}

/**
 * The kept captures, in the order they were captured (delivery, as it loads): only in `granted`, where device storage
 * is allowed. A page where delivery loads in another mode leaves them for a later one.
 */
export function pickUnsent(site: string, mode: ConsentMode): Captured[] {
  if (mode != 'granted') return [];
  try {
    return JSON.parse(localStorage[unsentKey(site)] || '[]');
  } catch {
    return [];
  }
}

/** Deletes the `picked` captures once they are in the queue; captures kept meanwhile (another tab) stay. */
export function forgetUnsent(site: string, picked: Captured[]) {
  if (!picked.length) return;
  const ids = new Set(picked.map(([, , { id }]) => id));
  try {
    const rest = (JSON.parse(localStorage[unsentKey(site)] || '[]') as Captured[]).filter(([, , { id }]) => !ids.has(id));
    if (rest.length) localStorage[unsentKey(site)] = JSON.stringify(rest);
    else localStorage.removeItem(unsentKey(site));
  } catch {
    /* no storage: nothing kept */
  }
}
