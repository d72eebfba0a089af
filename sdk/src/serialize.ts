import { MAX_BODY_BYTES, MAX_STRING_LENGTH, type PathmarkEvent } from './protocol.ts';
import type { Session } from './session.ts';
import { advanceSession } from './advanceSession.ts';
import { byteLength } from './lib/byteLength.ts';

/**
 * An event as it is queued (part of delivery): plain JSON (no functions for IndexedDB to choke on), long titles, URLs
 * and prop values cut to the protocol's limit rather than get the event refused; `undefined` when no request could
 * carry it. Numbered in the session now in force: events buffered while consent was pending join the session that
 * consent reveals (the stored one, in `granted`) in order, without gaps; identifiers only while the session is
 * persisted, which is exactly while consent is `granted`.
 */
export function toEvent(fields: object, session: Session): PathmarkEvent | undefined {
  const json = JSON.stringify(fields, (_, value) => (typeof value == 'string' ? value.slice(0, MAX_STRING_LENGTH) : value));
  if (byteLength(json) > MAX_BODY_BYTES - 1024) return;
  const event: PathmarkEvent = JSON.parse(json);
  const pageView = event.name == 'page_view';
  const state = advanceSession(session, pageView);
  return {
    ...event,
    ...session.ids(),
    seq: state.seq,
    props: pageView ? { ...event.props, page_index: state.pages } : event.props,
  } as PathmarkEvent;
}
