import { findCategory, products } from '../catalog.ts';
import { html } from '../html.ts';
import type { View } from '../router.ts';
import { categoryNav, productGrid } from './common.ts';

export function categoryView(id: string): View | undefined {
  const category = findCategory(id);
  if (!category) return undefined;
  const items = products.filter((p) => p.category === id);
  return {
    title: `${category.name} — Pathmark Outfitters`,
    body: html` <header class="page-head">
        <h1>${category.name}</h1>
        <p class="lede">${category.blurb}</p>
      </header>
      ${categoryNav(id)} ${productGrid(items)}`,
  };
}
