import type { createTracker } from 'pathmark';
import type { Cart } from './cart.ts';
import type { Product } from './catalog.ts';

export type Tracker = ReturnType<typeof createTracker>;

export interface Order {
  id: string;
  lines: { product: Product; quantity: number }[];
  total: number;
}

/** What every view may use: the shop's state and the tracker. */
export interface AppContext {
  cart: Cart;
  tracker: Tracker;
  navigate: (url: string) => void;
  /** Orders placed in this tab, for the confirmation page. */
  orders: Map<string, Order>;
  toast: (message: string) => void;
}
