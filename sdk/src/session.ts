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

export interface Session {
  /** Advances the session for a new event (starting a new one after the timeout) and returns it, to read at once. */
  touch(pageView?: boolean): SessionState;
  /** `true`: persist first-party (granted); `false`: forget anything persisted. */
  persist(on: boolean): void;
  ids(): { anonymous_id?: string; session_id?: string };
  /** The current search id; `null` ends the search journey. */
  searchId(next?: string | null): string | undefined;
}

export function createSession(site: string, now: () => number, timeoutMs: number): Session {
  const key = deviceKey(site);
  const fresh = (): SessionState => ({ sid: uuid(), seq: 0, pages: 0, last: now() });
  let state = fresh();
  let persisted = false;
  /** `state` was read from localStorage in this task, and is written back at its end. */
  let synced = false;

  // localStorage throws in sandboxed frames, with storage blocked, or over quota: memory is the fallback.
  const load = (): SessionState | undefined => {
    try {
      const stored = JSON.parse(localStorage[key]);
      return now() - stored.last < timeoutMs ? stored : undefined;
    } catch {
      /* nothing stored, or no storage */
    }
  };
  const save = (value?: SessionState) => {
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
  };

  return {
    touch(pageView) {
      // Granted: other tabs of the site advance the same session, so it is read again, but once per task and
      // written back at the end of it: a burst of events must not parse and write it each time. (localStorage has
      // no transactions: tabs sending at the same instant may repeat a seq either way.)
      if (persisted && !synced) {
        state = load() || state;
        synced = true;
        Promise.resolve().then(() => {
          synced = false;
          if (persisted) save(state);
        });
      }
      if (now() - state.last > timeoutMs) state = { ...fresh(), aid: state.aid };
      state.seq++;
      if (pageView) state.pages++;
      state.last = now();
      return state;
    },
    persist(on) {
      persisted = on;
      const stored = load();
      // Off: a new session id too, so that nothing links what follows (after forget(), a new identity) to before.
      state = on
        ? { ...state, ...stored, aid: stored?.aid ?? state.aid ?? uuid() }
        : { ...state, sid: uuid(), aid: undefined, search: undefined };
      save(on ? state : undefined);
    },
    ids: () => (persisted ? { anonymous_id: state.aid, session_id: state.sid } : {}),
    searchId(next) {
      if (next !== undefined) {
        state.search = next ?? undefined;
        if (persisted) save(state);
      }
      return state.search;
    },
  };
}
