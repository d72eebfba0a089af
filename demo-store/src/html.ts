/** Markup that is already safe and must not be escaped again. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

type Hole = string | number | SafeHtml | null | undefined | false | readonly Hole[];

function render(hole: Hole): string {
  if (hole === null || hole === undefined || hole === false) return '';
  if (hole instanceof SafeHtml) return hole.value;
  if (Array.isArray(hole)) return hole.map(render).join('');
  return escapeHtml(String(hole));
}

/** Template tag that escapes every interpolated value unless it is `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...holes: Hole[]): SafeHtml {
  let out = strings[0] ?? '';
  holes.forEach((hole, i) => {
    out += render(hole) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}
