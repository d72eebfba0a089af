/**
 * Sending many messages to a queue within `sendBatch`'s limits: at most 100 messages and
 * 256 KB per call (1 KB = 1,000 bytes, and each message counts about 100 bytes of
 * metadata besides its body). https://developers.cloudflare.com/queues/platform/limits/
 */

export const SEND_BATCH_MAX_MESSAGES = 100;
export const SEND_BATCH_MAX_BYTES = 256_000;
const METADATA_BYTES_PER_MESSAGE = 100;

const encoder = new TextEncoder();

/** UTF-8 size of a message body; n UTF-16 units never take more than 3n bytes. */
export function bodyBytes(body: string): number {
  return body.length * 3 <= 1024 ? body.length * 3 : encoder.encode(body).byteLength;
}

/** Groups message indices into `sendBatch` calls that respect both limits, in order. */
export function sendBatchGroups(sizes: readonly number[]): number[][] {
  const groups: number[][] = [];
  let group: number[] = [];
  let bytes = 0;
  sizes.forEach((size, index) => {
    const cost = size + METADATA_BYTES_PER_MESSAGE;
    if (group.length > 0 && (group.length === SEND_BATCH_MAX_MESSAGES || bytes + cost > SEND_BATCH_MAX_BYTES)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(index);
    bytes += cost;
  });
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Sends every body (as text) in as few `sendBatch` calls as the limits allow, all at
 * once. Resolves with the error of each body that was not accepted, by index; an empty
 * map means the queue holds them all.
 */
export async function sendAll(
  queue: Queue<string>,
  bodies: readonly string[],
  sizes: readonly number[] = bodies.map(bodyBytes),
): Promise<Map<number, unknown>> {
  const failed = new Map<number, unknown>();
  await Promise.all(
    sendBatchGroups(sizes).map(async (group) => {
      try {
        await queue.sendBatch(group.map((index) => ({ body: bodies[index]!, contentType: 'text' as const })));
      } catch (error) {
        for (const index of group) failed.set(index, error);
      }
    }),
  );
  return failed;
}
