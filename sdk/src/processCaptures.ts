import type { Queue } from './queue.ts';
import type { Session } from './session.ts';
import { watchCommerce } from './commerce.ts';
import { toEvent } from './serialize.ts';
import type { Captured, CaptureContext } from './unsent.ts';
import { uuid } from './lib/uuid.ts';

/**
 * How captures become queued events (part of delivery): each in turn, an ecommerce call validated or an event as it
 * was emitted, in the page, at the time and with the title it was captured with (and the id it was given when kept
 * unsent), numbered in `session`. What fails is reported, and the next capture goes on.
 */
export function processCaptures(session: Session, queue: Queue, warn: (...problem: unknown[]) => void) {
  let current: CaptureContext;
  const emit = (name: string, props?: object, extra?: object) => {
    const event = toEvent({ id: uuid(), ...current, name, props, ...extra }, session);
    if (event) queue.enqueue(event);
    else warn('too large', name);
  };
  const commerce = watchCommerce({ emit, warn, session });
  return ([method, args, context]: Captured) => {
    current = context;
    try {
      (method ? commerce[method] : emit)(...(args as [never, never, never]));
    } catch (error) {
      warn(error);
    }
  };
}
