import type { KeyRef } from './core/anonymize.ts';
import { hmacKey } from './core/hmac.ts';

/**
 * The daily salt of the anonymous visitor hash, shared by every isolate through D1 and
 * cached per isolate. A salt is created on the first request of a UTC day and deleted
 * once the day is over (by the next day's first request or the hourly cron), so no salt
 * lives longer than 48 hours and old hashes cannot be recomputed by anyone.
 */

export const utcDay = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

export class SaltStore {
  #cached: { day: string; ref: KeyRef } | null = null;

  async today(db: D1Database, now: number): Promise<KeyRef> {
    const day = utcDay(now);
    if (this.#cached?.day === day) return this.#cached.ref;
    let row = await db.prepare('SELECT salt FROM salts WHERE day = ?').bind(day).first<{ salt: string }>();
    if (!row) {
      const fresh = toHex(crypto.getRandomValues(new Uint8Array(32)));
      await db.batch([
        db.prepare('INSERT OR IGNORE INTO salts (day, salt, created_at) VALUES (?, ?, ?)').bind(day, fresh, now),
        db.prepare('DELETE FROM salts WHERE day < ?').bind(day),
      ]);
      // Another isolate may have won the race: everyone uses the row that was stored.
      row = await db.prepare('SELECT salt FROM salts WHERE day = ?').bind(day).first<{ salt: string }>();
      if (!row) throw new Error('daily salt could not be stored');
    }
    const ref = { id: `salt:${day}`, key: hmacKey(fromHex(row.salt)) };
    this.#cached = { day, ref };
    return ref;
  }
}

/** Deletes every salt of a day that is over. */
export async function pruneSalts(db: D1Database, now: number): Promise<void> {
  await db.prepare('DELETE FROM salts WHERE day < ?').bind(utcDay(now)).run();
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
