import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** A fault of the client, answered as `{ error, detail }` with a 4xx status. */
export class ClientError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${detail}`);
  }
}

const utf8 = new TextDecoder();

/**
 * Reads a body as UTF-8 text, refusing more than `maxBytes`. A body with a Content-Length
 * within the limit is read in one piece: over HTTP, workerd reads exactly the declared
 * bytes (a longer body is cut there, and a Transfer-Encoding removes the header), and the
 * byte count is checked again for a Request built in code whose header says otherwise. A
 * body without a length (chunked) is counted as it arrives and refused at the limit
 * without being buffered.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new ClientError(413, 'payload_too_large', `body: larger than ${maxBytes} bytes`);
  const declared = request.headers.get('Content-Length');
  if (Number(declared) > maxBytes) throw tooLarge();
  if (!request.body) return '';
  if (declared !== null) {
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > maxBytes) throw tooLarge();
    return utf8.decode(bytes);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return utf8.decode(bytes);
}

/** `text/plain` (sendBeacon, preflight-free fetch) or `application/json`, any charset. */
export function isBatchContentType(header: string | undefined): boolean {
  const media = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return media === 'text/plain' || media === 'application/json';
}
