// The demo's consent manager for the plain-HTML journal (served as /consent.js).
// Those pages track with nothing but the Pathmark script tag and data-pm-*
// attributes; this script only passes the visitor's privacy choice to
// `window.pathmark`, as any consent-management platform would.
import type { ConsentMode } from 'pathmark/protocol';
import { readChoice, type ConsentChoice } from './consent-choice.ts';
import { mountConsentUi } from './consent-ui.ts';

interface PathmarkGlobal {
  consent: { set(mode: ConsentMode): void; get(): ConsentMode };
  forget(): void;
}

declare global {
  interface Window {
    pathmark?: PathmarkGlobal;
  }
}

/** Runs `use` once the async Pathmark script has created `window.pathmark`. */
function whenTrackerReady(use: (pathmark: PathmarkGlobal) => void): void {
  if (window.pathmark?.consent) {
    use(window.pathmark);
    return;
  }
  const script = document.querySelector('script[src$="/pathmark.js"]');
  script?.addEventListener('load', () => {
    if (window.pathmark?.consent) use(window.pathmark);
  });
}

function main(): void {
  let fallbackMode: ConsentMode = readChoice(sessionStorage) ?? 'pending';
  const ui = mountConsentUi({
    currentMode: () => (window.pathmark?.consent ? window.pathmark.consent.get() : fallbackMode),
    apply: (mode: ConsentChoice) => {
      fallbackMode = mode;
      whenTrackerReady((pathmark) => pathmark.consent.set(mode));
    },
    forget: () => window.pathmark?.forget(),
  });
  const choice = readChoice(sessionStorage);
  whenTrackerReady((pathmark) => {
    if (choice && pathmark.consent.get() !== choice) pathmark.consent.set(choice);
    ui.refresh();
  });
}

main();
