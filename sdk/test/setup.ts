import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { destroyTrackers, drain, requests, server } from './support.ts';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  if (typeof document == 'undefined') return; // the SSR test runs in Node
  // A fresh device per test: no IndexedDB databases, no storage, a known URL and title.
  globalThis.indexedDB = new IDBFactory();
  localStorage.clear();
  sessionStorage.clear();
  history.replaceState(null, '', '/');
  document.title = 'Home';
  document.body.innerHTML = '';
  requests.length = 0;
});
afterEach(async () => {
  if (typeof document == 'undefined') return;
  destroyTrackers();
  vi.useRealTimers();
  // Requests still in flight finish against this test's handlers, not the next test's.
  await drain();
  server.resetHandlers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  // A request the test did not expect is a failure, not just a console line.
  expect(requests.filter((r) => r.unhandled).map((r) => r.url)).toEqual([]);
});
afterAll(() => server.close());
