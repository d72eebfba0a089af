/**
 * Summarises a V8 CPU profile (.cpuprofile from `node --cpu-prof` or the
 * DevTools Profiler): the functions with the most self time, and the
 * inclusive time of functions whose source URL matches `focus`.
 */
export function summariseProfile(profile, { top = 20, focus = /collector\/src/ } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map();
  profile.samples.forEach((id, i) => selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfById.values()].reduce((a, b) => a + b, 0) || 1;
  const name = (n) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')}:${n.callFrame.lineNumber + 1}`;
  const self = new Map();
  const inclusive = new Map();
  for (const [id, t] of selfById) {
    const node = byId.get(id);
    self.set(name(node), (self.get(name(node)) ?? 0) + t);
    const seen = new Set();
    for (let cur = id; cur != null; cur = parent.get(cur)) {
      const n = byId.get(cur);
      const key = name(n);
      if (!seen.has(key) && focus.test(n.callFrame.url)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + t);
      }
    }
  }
  const rank = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, t]) => ({ fn, percent: (100 * t) / total }));
  return { totalMs: total / 1000, self: rank(self), inclusive: rank(inclusive) };
}

export function printSummary(summary) {
  const lines = [`total ${summary.totalMs.toFixed(0)} ms sampled`, 'self time:'];
  for (const { fn, percent } of summary.self) lines.push(`  ${percent.toFixed(1).padStart(5)}%  ${fn}`);
  lines.push('inclusive (focus):');
  for (const { fn, percent } of summary.inclusive) lines.push(`  ${percent.toFixed(1).padStart(5)}%  ${fn}`);
  return lines.join('\n');
}
