import { freshSession, type Session, type SessionState } from './session.ts';

/**
 * Advances the session for a new event (part of delivery: starting a new one after the timeout) and returns it, to
 * read at once.
 */
export function advanceSession(session: Session, pageView?: boolean): SessionState {
  const now = session.clock;
  // Granted: other tabs of the site advance the same session, so it is read again, but once per task and
  // written back at the end of it: a burst of events must not parse and write it each time. (localStorage has
  // no transactions: tabs sending at the same instant may repeat a seq either way.)
  if (session.persistent && !session.synced) {
    session.state = session.loadState() || session.state;
    session.synced = true;
    Promise.resolve().then(() => {
      session.synced = false;
      if (session.persistent) session.saveState(session.state);
    });
  }
  let state = session.state;
  if (now() - state.last > session.sessionTimeoutMs) state = session.state = { ...freshSession(now), aid: state.aid };
  state.seq++;
  if (pageView) state.pages++;
  state.last = now();
  return state;
}

/** The current search id, carried by the cart events that follow a search; `null` ends the search journey. */
export function searchId(session: Session, next?: string | null): string | undefined {
  if (next !== undefined) {
    session.state.search = next ?? undefined;
    if (session.persistent) session.saveState(session.state);
  }
  return session.state.search;
}
