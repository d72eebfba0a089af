import type { AccessResponse, ErasureReceipt } from 'pathmark/protocol';
import type { AppContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import type { View } from '../router.ts';

/**
 * `/privacy`: what Pathmark keeps about this browser (tracker.rights.access()), its erasure (tracker.forget(), which
 * resolves the collector's receipt) and the receipt's state (tracker.rights.receipt(id)); and the browser's
 * anonymous id, for a visitor who asks by e-mail (docs/rights.md).
 */

/** Where the page keeps the last receipt id, so the visitor can check it after a reload. */
const RECEIPT_KEY = 'demo:erasure-receipt';

/**
 * The SDK's random id, from its documented first-party storage (`localStorage["pathmark:<site>"]`, docs/consent.md):
 * shown so a visitor can quote it in an e-mail. Absent outside `granted` mode.
 */
function anonymousId(): string | null {
  try {
    const stored = JSON.parse(localStorage.getItem('pathmark:demo') ?? 'null') as { aid?: unknown } | null;
    return typeof stored?.aid === 'string' ? stored.aid : null;
  } catch {
    return null;
  }
}

const when = (epochMs: unknown) =>
  typeof epochMs === 'number' ? new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19) : '';
const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));

function keptTable(answer: AccessResponse): SafeHtml {
  if (answer.kept === 'nothing') return html`<p data-rights-nothing>Nothing is kept about you: ${answer.reason ?? ''}</p>`;
  if (answer.records.length === 0) return html`<p data-rights-nothing>Pathmark keeps no record about this browser.</p>`;
  return html`<p>
      Pathmark keeps <strong data-rights-count>${answer.records.length}${answer.truncated ? '+' : ''}</strong> records about this
      browser, under a pseudonym (it never stores your id itself).
    </p>
    <table class="cart-table" data-rights-records>
      <thead>
        <tr>
          <th>When</th>
          <th>What</th>
          <th>Page</th>
          <th>Details</th>
          <th>Policy</th>
        </tr>
      </thead>
      <tbody>
        ${answer.records.map(
          (record) =>
            html`<tr data-record="${text(record.event_id)}">
              <td>${when(record.ts)}</td>
              <td>${text(record.name)}</td>
              <td>${text(record.path)}</td>
              <td><code>${text(record.props)}</code></td>
              <td>${text((record.audit as { policy_version?: string } | undefined)?.policy_version)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <details>
      <summary>What each field of a record is</summary>
      <dl class="fields">
        ${Object.entries(answer.fields).map(
          ([name, meaning]) =>
            html`<dt><code>${name}</code></dt>
              <dd>${meaning}</dd>`,
        )}
      </dl>
    </details>`;
}

function receiptBlock(receipt: ErasureReceipt): SafeHtml {
  return html`<div class="receipt" data-receipt="${receipt.receipt_id}">
    <p>
      Erasure requested ${receipt.requested_at}: <strong data-receipt-status>${receipt.status}</strong>${
        receipt.completed_at ? html`, completed ${receipt.completed_at}` : ''
      }.
    </p>
    <ul>
      ${Object.entries(receipt.steps).map(([step, state]) => html`<li data-step="${step}">${step}: ${state}</li>`)}
    </ul>
    <p class="muted">Receipt <code data-receipt-id>${receipt.receipt_id}</code></p>
    <button type="button" class="btn btn-small" data-receipt-check>Check again</button>
  </div>`;
}

export function privacyView(ctx: AppContext): View {
  const id = anonymousId();
  return {
    title: 'Your privacy — Pathmark Outfitters',
    body: html`<header class="page-head"><h1>What Pathmark keeps about me</h1></header>
      <section class="privacy-page">
        <p>
          This shop measures visits with Pathmark. With your consent to analytics, your browser holds a random id; the collector
          keeps your events under a pseudonym of it. You can see them here, and erase them.
        </p>
        <p>
          Your browser's id:
          ${id ? html`<code data-anonymous-id>${id}</code>` : html`<span data-anonymous-id>none (analytics consent is not "granted")</span>`}
          <br /><span class="muted">To ask by e-mail instead, send this id to the shop; nobody can look you up without it.</span>
        </p>
        <div data-rights-kept><p>Asking the collector…</p></div>
        <p><button type="button" class="btn btn-primary" data-rights-erase>Erase what Pathmark keeps about me</button></p>
        <div data-rights-receipt></div>
      </section>`,
    bind(root) {
      const kept = root.querySelector<HTMLElement>('[data-rights-kept]')!;
      const receiptBox = root.querySelector<HTMLElement>('[data-rights-receipt]')!;
      const showReceipt = (receipt: ErasureReceipt) => {
        sessionStorage.setItem(RECEIPT_KEY, receipt.receipt_id);
        receiptBox.innerHTML = receiptBlock(receipt).value;
      };
      const fail = (into: HTMLElement) => (error: unknown) => {
        into.innerHTML = html`<p class="error" role="alert">The collector could not answer: ${String(error)}</p>`.value;
      };
      ctx.tracker.rights.access().then((answer) => {
        kept.innerHTML = keptTable(answer).value;
      }, fail(kept));
      const previous = sessionStorage.getItem(RECEIPT_KEY);
      if (previous) ctx.tracker.rights.receipt(previous).then(showReceipt, fail(receiptBox));

      root.querySelector('[data-rights-erase]')?.addEventListener('click', () => {
        void ctx.tracker.forget().then((receipt) => {
          if (receipt) showReceipt(receipt);
          else receiptBox.innerHTML = html`<p>Nothing was kept by the collector; this device's data is deleted.</p>`.value;
          kept.innerHTML = html`<p data-rights-nothing>Erased. This device now has a new random id (or none).</p>`.value;
        });
      });
      receiptBox.addEventListener('click', (event) => {
        const id =
          event.target instanceof Element && event.target.closest('[data-receipt-check]') && sessionStorage.getItem(RECEIPT_KEY);
        if (id) ctx.tracker.rights.receipt(id).then(showReceipt, fail(receiptBox));
      });
    },
  };
}
