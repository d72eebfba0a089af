import type { Item } from 'pathmark/protocol';
import data from './catalog.json';

export interface Category {
  id: string;
  name: string;
  blurb: string;
}

export interface Product {
  id: string;
  name: string;
  category: string;
  brand: string;
  price: number;
  variant: string;
  blurb: string;
}

export const currency: string = data.currency;
export const categories: readonly Category[] = data.categories;
export const products: readonly Product[] = data.products;

export function findProduct(id: string): Product | undefined {
  return products.find((p) => p.id === id);
}

export function findCategory(id: string): Category | undefined {
  return categories.find((c) => c.id === id);
}

export function imageUrl(product: Product): string {
  return `/img/${product.id}.svg`;
}

export function formatPrice(amount: number): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency }).format(amount);
}

/** The product as a GA4 item, the shape every Pathmark ecommerce event carries. */
export function toItem(product: Product, quantity = 1): Item {
  return {
    item_id: product.id,
    item_name: product.name,
    item_brand: product.brand,
    item_category: findCategory(product.category)?.name ?? product.category,
    item_variant: product.variant,
    price: product.price,
    quantity,
    currency,
  };
}

/** Every word of the query must appear in the product's name, brand, category or blurb. */
export function searchProducts(query: string): Product[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  return products.filter((p) => {
    const text = `${p.name} ${p.brand} ${findCategory(p.category)?.name ?? ''} ${p.blurb}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
