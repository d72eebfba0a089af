import type { Queue } from './queue.ts';
import type { Session } from './session.ts';
import { watchCommerce } from './commerce.ts';
import { toEvent } from './serialize.ts';
import type { Captured, CaptureContext } from './unsent.ts';
import { uuid } from './lib/uuid.ts';

/** Processing a burst of calls yields after this long (ms), well below a long task (50 ms) even on a slow phone. */
const PROCESS_SLICE_MS = 8;

/**
 * How captures become queued events (part of delivery): each in turn, an ecommerce call validated or an event as it
 * was emitted, in the page, at the time and with the title it was captured with (and the id it was given when kept
 * unsent), numbered in `session`. What fails is reported, and the next capture goes on. Takes the processed captures
 * off the front of `todo`: at most PROCESS_SLICE_MS of them, so that a burst of calls never makes a long task (the
 * rest in a later task), or all of them (`all`: the page going away, flush, a consent change); `true` if some are left.
 */
export function processCaptures(session: Session, queue: Queue, warn: (...problem: unknown[]) => void) {
  let current: CaptureContext;
  const emit = (name: string, props?: object, extra?: object) => {
    const event = toEvent({ id: uuid(), ...current, name, props, ...extra }, session);
    if (event) queue.enqueue(event);
    else warn('too large', name);
  };
  const commerce = watchCommerce({ emit, warn, session });
  const processOne = ([method, args, context]: Captured) => {
    current = context;
    try {
      (method ? commerce[method] : emit)(...(args as [never, never, never]));
    } catch (error) {
      warn(error);
    }
  };
  return (todo: Captured[], all?: boolean) => {
    const until = Date.now() + PROCESS_SLICE_MS;
    let done = 0;
    while (done < todo.length && (all || Date.now() < until)) processOne(todo[done++]!);
    todo.splice(0, done);
    return todo.length > 0;
  };
}
