import { createServer } from 'node:http';

/**
 * A loopback HTTP server for the main-thread bench: serves the pages and
 * scripts it is given, and answers every POST with 202 (a stub collector),
 * recording when each arrived and its body, so nothing leaves the machine.
 *
 * Pages are served cross-origin isolated (COOP + COEP) because Chromium
 * coarsens `performance.now()` to 100 µs otherwise, and to 5 µs when isolated.
 */
export async function startStubServer({ files }) {
  const posts = [];
  const server = createServer((req, res) => {
    const isolation = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-headers': '*',
        'access-control-allow-methods': 'POST, GET',
      });
      res.end();
      return;
    }
    if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        posts.push({ at: Date.now(), path: req.url, body });
        res.writeHead(202, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        res.end('{"accepted":0,"rejected":[]}');
      });
      return;
    }
    const path = new URL(req.url, 'http://x').pathname;
    if (path.startsWith('/v1/config/')) {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(
        JSON.stringify({
          site: 'demo',
          default_consent: 'granted',
          max_consent: 'granted',
          gpc: 'anonymous',
          query_params: [],
          policy_version: 'bench',
        }),
      );
      return;
    }
    const file = files[path];
    if (!file) {
      res.writeHead(404, isolation);
      res.end();
      return;
    }
    res.writeHead(200, { ...isolation, 'content-type': file.type, 'cross-origin-resource-policy': 'same-origin' });
    res.end(file.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    posts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
