import type { ConsentMode } from 'pathmark/protocol';
import { CHOICES, describeMode, readChoice, saveChoice, type ConsentChoice } from './consent-choice.ts';
import { html } from './html.ts';

export interface ConsentUiOptions {
  /** The mode the tracker is in right now. */
  currentMode: () => ConsentMode;
  /** Applies the visitor's choice to the tracker. */
  apply: (mode: ConsentChoice) => void;
  /** Deletes what the tracker keeps about this visitor. */
  forget?: () => void;
  storage?: Storage;
}

/**
 * The demo's consent manager: a banner until the visitor decides, and a
 * privacy panel opened by any `[data-privacy-open]` button, on every page.
 */
export function mountConsentUi(options: ConsentUiOptions): { refresh: () => void } {
  const storage = options.storage ?? sessionStorage;
  const banner = document.createElement('section');
  banner.className = 'consent-banner';
  banner.setAttribute('aria-label', 'Privacy choices');
  banner.innerHTML = html` <div class="consent-text">
      <strong>This is a demo shop for Pathmark analytics.</strong>
      Nothing is for sale. Choose what the demo may record about your visit; you can change it any time under
      <em>Privacy</em>.
    </div>
    <div class="consent-actions">
      ${CHOICES.map((c) => html`<button type="button" class="btn ${c.mode === 'granted' ? 'btn-primary' : ''}" data-consent-choice="${c.mode}">${c.label}</button>`)}
    </div>`.value;

  const panel = document.createElement('dialog');
  panel.className = 'privacy-panel';
  panel.setAttribute('aria-labelledby', 'privacy-title');

  const renderPanel = (): void => {
    const mode = options.currentMode();
    panel.innerHTML = html` <form method="dialog" class="privacy-inner">
      <h2 id="privacy-title">Privacy settings</h2>
      <p class="privacy-current">Current mode: <strong data-privacy-mode="${mode}">${describeMode(mode)}</strong></p>
      <div class="privacy-options">
        ${CHOICES.map(
          (c) =>
            html` <button
              type="button"
              class="privacy-option ${c.mode === mode ? 'is-current' : ''}"
              data-consent-choice="${c.mode}"
            >
              <span class="privacy-option-label">${c.label}</span>
              <span class="privacy-option-text">${c.explains}</span>
            </button>`,
        )}
      </div>
      <p class="muted">Your choice is kept in this tab's sessionStorage only. This shop is a demo: nothing is sold.</p>
      <div class="privacy-footer">
        ${options.forget ? html`<button type="button" class="btn" data-privacy-forget>Delete what was stored on this device</button>` : ''}
        <button class="btn btn-primary" value="close">Done</button>
      </div>
    </form>`.value;
  };

  const refresh = (): void => {
    const mode = options.currentMode();
    for (const badge of document.querySelectorAll<HTMLElement>('[data-privacy-badge]')) {
      badge.textContent = describeMode(mode);
      badge.dataset.mode = mode;
    }
    if (panel.open) renderPanel();
  };

  const choose = (mode: ConsentChoice): void => {
    saveChoice(storage, mode);
    options.apply(mode);
    banner.remove();
    refresh();
  };

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const choice = target?.closest<HTMLElement>('[data-consent-choice]');
    if (choice) {
      choose(choice.dataset.consentChoice as ConsentChoice);
      return;
    }
    if (target?.closest('[data-privacy-forget]')) {
      options.forget?.();
      refresh();
      return;
    }
    if (target?.closest('[data-privacy-open]')) {
      event.preventDefault();
      renderPanel();
      panel.showModal();
    }
  });

  document.body.append(panel);
  if (!readChoice(storage)) document.body.append(banner);
  refresh();
  return { refresh };
}
