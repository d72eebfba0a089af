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

/**
 * Reads a body as UTF-8 text, refusing more than `maxBytes` without buffering it: the
 * declared Content-Length is checked first, then the stream is counted as it arrives
 * (a chunked body has no length to trust).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new ClientError(413, 'payload_too_large', `body: larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return '';
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
  return new TextDecoder().decode(bytes);
}

/** `text/plain` (sendBeacon, preflight-free fetch) or `application/json`, any charset. */
export function isBatchContentType(header: string | undefined): boolean {
  const media = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return media === 'text/plain' || media === 'application/json';
}
