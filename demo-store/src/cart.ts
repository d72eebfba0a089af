import { findProduct, type Product } from './catalog.ts';

export interface CartLine {
  product: Product;
  quantity: number;
}

interface StoredLine {
  id: string;
  quantity: number;
}

// The cart is the shop's own state, not analytics: it lives in sessionStorage so
// that a visitor who rejects tracking still finds nothing in localStorage,
// cookies or IndexedDB.
const CART_KEY = 'pathmark-demo.cart';

/** The shopping cart, kept in this tab's sessionStorage. */
export class Cart {
  private lines: StoredLine[];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage) {
    this.lines = readLines(storage);
  }

  items(): CartLine[] {
    return this.lines.flatMap((line) => {
      const product = findProduct(line.id);
      return product ? [{ product, quantity: line.quantity }] : [];
    });
  }

  count(): number {
    return this.lines.reduce((n, line) => n + line.quantity, 0);
  }

  total(): number {
    return this.items().reduce((sum, line) => sum + line.product.price * line.quantity, 0);
  }

  add(id: string, quantity = 1): void {
    const line = this.lines.find((l) => l.id === id);
    if (line) line.quantity += quantity;
    else this.lines.push({ id, quantity });
    this.save();
  }

  /** Removes the whole line and returns how many units it held. */
  remove(id: string): number {
    const quantity = this.lines.find((l) => l.id === id)?.quantity ?? 0;
    this.lines = this.lines.filter((l) => l.id !== id);
    this.save();
    return quantity;
  }

  clear(): void {
    this.lines = [];
    this.save();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private save(): void {
    this.storage.setItem(CART_KEY, JSON.stringify(this.lines));
    for (const listener of this.listeners) listener();
  }
}

function readLines(storage: Storage): StoredLine[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(CART_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((l): l is StoredLine => typeof l?.id === 'string' && Number.isInteger(l?.quantity) && l.quantity > 0);
  } catch {
    return [];
  }
}
