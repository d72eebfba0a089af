import type { ConsentMode } from 'pathmark/protocol';

/** What the visitor can pick in the banner or the privacy panel. */
export type ConsentChoice = Extract<ConsentMode, 'granted' | 'anonymous' | 'denied'>;

export const CHOICES: readonly { mode: ConsentChoice; label: string; explains: string }[] = [
  {
    mode: 'granted',
    label: 'Accept',
    explains:
      'A random id is kept on this device (IndexedDB) so your visits can be linked and no event is lost offline. ' +
      'The collector replaces the id with a pseudonym before anything is stored.',
  },
  {
    mode: 'anonymous',
    label: 'Anonymous only',
    explains:
      'Events are sent without any identifier and nothing is written to this device. ' +
      'The collector counts visitors with a hash that changes every day.',
  },
  {
    mode: 'denied',
    label: 'Reject',
    explains: 'Nothing is recorded and nothing is sent. Nothing is written to IndexedDB, cookies or localStorage.',
  },
];

// The choice itself is kept in sessionStorage: it is forgotten when the tab
// closes, and Reject leaves no trace in localStorage, cookies or IndexedDB.
const CHOICE_KEY = 'pathmark-demo.consent';

export function readChoice(storage: Storage): ConsentChoice | undefined {
  const value = storage.getItem(CHOICE_KEY);
  return CHOICES.some((c) => c.mode === value) ? (value as ConsentChoice) : undefined;
}

export function saveChoice(storage: Storage, mode: ConsentChoice): void {
  storage.setItem(CHOICE_KEY, mode);
}

const SHORT_LABELS: Record<ConsentMode, string> = {
  granted: 'Accepted',
  anonymous: 'Anonymous only',
  denied: 'Rejected',
  pending: 'Not decided',
};

/** The mode in a word or two, as the header badge and the panel show it. */
export function describeMode(mode: ConsentMode): string {
  return SHORT_LABELS[mode] ?? mode;
}
