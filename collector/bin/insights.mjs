#!/usr/bin/env node
// `npm run insights -- rebuild --site S [--url URL]` and `npm run insights -- load-archive DIR --site S [--url URL]`:
// rebuilds a site's insights tables from `events`, or loads R2 archive NDJSON into `events` and the insights
// tables, through the Worker's /v1/admin/insights routes (docs/insights.md, "Rebuild commands").
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const usage = `Usage: npm run insights -- <rebuild|load-archive DIR> --site S [options]

  rebuild           Deletes and recomputes every insights fact and rollup of the site from its
                    events rows (days before its retention cut-off keep their rollups).
  load-archive DIR  Sends every *.ndjson file under DIR (a copy of the R2 archive, e.g. its
                    events/site=S/ prefix) to the collector in chunks; each record goes into
                    events and the insights tables like a delivered event. Records of other
                    sites are skipped. Safe to run again: a record already stored changes nothing.

Options:
  --site S       the site key (required)
  --url URL      the collector's origin (default: $PATHMARK_URL or http://localhost:8787)
  --chunk N      records per request (default 2000; at most 4 MB per request either way)

The ADMIN_TOKEN secret goes in $PATHMARK_ADMIN_TOKEN; wrangler dev on localhost needs none.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    site: { type: 'string' },
    url: { type: 'string', default: process.env.PATHMARK_URL ?? 'http://localhost:8787' },
    chunk: { type: 'string', default: '2000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const [command, dir] = positionals;
const chunkSize = Number(values.chunk);
const valid =
  values.site &&
  ((command === 'rebuild' && !dir) || (command === 'load-archive' && dir)) &&
  Number.isInteger(chunkSize) &&
  chunkSize > 0;
if (values.help || !valid) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const MAX_CHUNK_BYTES = 4 * 1024 * 1024 - 64 * 1024;
const headers = process.env.PATHMARK_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.PATHMARK_ADMIN_TOKEN}` } : {};
const site = encodeURIComponent(values.site);

async function post(path, body) {
  const url = new URL(path, values.url);
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, ...(body !== undefined && { 'Content-Type': 'application/x-ndjson' }) },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

async function* ndjsonFiles(folder) {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* ndjsonFiles(path);
    else if (entry.name.endsWith('.ndjson')) yield path;
  }
}

try {
  if (command === 'rebuild') {
    const { days } = await post(`/v1/admin/insights/${site}/rebuild`);
    console.log(`${values.site}: facts and rollups rebuilt for ${days} days`);
  } else {
    let chunk = [];
    let bytes = 0;
    let loaded = 0;
    let skipped = 0;
    let files = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      loaded += (await post(`/v1/admin/insights/${site}/events`, chunk.join('\n') + '\n')).records;
      chunk = [];
      bytes = 0;
    };
    for await (const file of ndjsonFiles(dir)) {
      files++;
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (line.trim() === '') continue;
        // The archive is partitioned by site; a copy of several sites' objects is filtered here.
        if (JSON.parse(line).site !== values.site) {
          skipped++;
          continue;
        }
        const size = Buffer.byteLength(line) + 1;
        if (chunk.length >= chunkSize || bytes + size > MAX_CHUNK_BYTES) await flush();
        chunk.push(line);
        bytes += size;
      }
    }
    await flush();
    console.log(
      `${values.site}: ${loaded} records loaded from ${files} files${skipped ? `; ${skipped} of other sites skipped` : ''}`,
    );
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
