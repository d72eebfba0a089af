import { deviceKey, UNSENT } from './lib/deviceKey.ts';
import { uuid } from './lib/uuid.ts';

/** Identity and session, kept in `localStorage` in `granted` mode and in memory otherwise. */
export interface SessionState {
  /** Pseudonymous device id, only created once consent is granted. */
  aid?: string;
  sid: string;
  /** Last event's `seq`. */
  seq: number;
  /** Last page view's `page_index`. */
  pages: number;
  /** Time of the last event, epoch ms. */
  last: number;
  /** The search the journey started from, carried to cart and purchase events. */
  search?: string;
}

/**
 * A tracker's session. The page keeps it and switches its storage with the consent mode; processing advances it
 * for each event and carries the search (advanceSession.ts, part of delivery: nothing advances it before a mode
 * allows sending).
 */
export interface Session {
  state: SessionState;
  /** Persisted first-party (granted). */
  persistent?: boolean;
  /** `state` was read from localStorage in this task, and is written back at its end (advanceSession.ts). */
  synced?: boolean;
  sessionTimeoutMs: number;
  clock: () => number;
  /** The stored session, unless it timed out (or there is none, or no storage). */
  loadState(): SessionState | undefined;
  /** Stores the session; `undefined` forgets it. */
  saveState(value?: SessionState): void;
  /** `true`: persist first-party (granted); `false`: forget anything persisted. */
  persist(on: boolean): void;
  ids(): { anonymous_id?: string; session_id?: string };
}

/** A new session, its first event still to come. */
export const freshSession = (now: () => number): SessionState => ({ sid: uuid(), seq: 0, pages: 0, last: now() });

export function createSession(site: string, now: () => number, timeoutMs: number): Session {
  const key = deviceKey(site);
  const session: Session = {
    state: freshSession(now),
    sessionTimeoutMs: timeoutMs,
    clock: now,
    // localStorage throws in sandboxed frames, with storage blocked, or over quota: memory is the fallback.
    loadState() {
      try {
        const stored = JSON.parse(localStorage[key]);
        return now() - stored.last < timeoutMs ? stored : undefined;
      } catch {
        /* nothing stored, or no storage */
      }
    },
    saveState(value) {
      try {
        if (value) localStorage[key] = JSON.stringify(value);
        else {
          localStorage.removeItem(key);
          // Forgotten with the session: captures kept unsent by a page of this visitor (unsent.ts).
          localStorage.removeItem(key + UNSENT);
        }
      } catch {
        /* no storage: the session lives in memory */
      }
    },
    persist(on) {
      session.persistent = on;
      const stored = session.loadState();
      const { state } = session;
      // Off: a new session id too, so that nothing links what follows (after forget(), a new identity) to before.
      session.state = on
        ? { ...state, ...stored, aid: stored?.aid ?? state.aid ?? uuid() }
        : { ...state, sid: uuid(), aid: undefined, search: undefined };
      session.saveState(on ? session.state : undefined);
    },
    ids: () => (session.persistent ? { anonymous_id: session.state.aid, session_id: session.state.sid } : {}),
  };
  return session;
}
