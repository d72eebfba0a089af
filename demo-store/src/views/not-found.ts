import { html } from '../html.ts';
import type { View } from '../router.ts';

export function notFoundView(): View {
  return {
    title: 'Not found — Pathmark Outfitters',
    body: html`<section class="confirmation">
      <h1>This trail ends here.</h1>
      <p class="lede">The page does not exist in this demo store.</p>
      <p><a class="btn btn-primary" href="/">Back to the shop</a></p>
    </section>`,
  };
}
