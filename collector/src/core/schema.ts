/**
 * A small schema compiler for the wire format's hot path. Each schema is declared once, as
 * data (validate.ts: the table of fields, their kind and their bounds), and turned here
 * into one specialised closure per field when the table is built: no interpreter walks a
 * schema per event, no issue objects or output copies are made for valid input, and a
 * failing field costs one message. The messages are valibot's own wording
 * (`Invalid type: Expected number but received "x"`), which clients and tests know;
 * collector/test-core/validate.differential.test.ts holds the two to the same answers.
 */

/** Why a value failed, with the keys from the checked value down to the failing one (innermost first). */
export class Issue {
  readonly trail: (string | number)[] = [];
  constructor(readonly message: string) {}
}

/** A compiled check: the value as the output holds it (objects rebuilt with their known keys only), or the first Issue. */
export interface Schema<T> {
  readonly run: (value: unknown) => T | Issue;
  /** What the schema expects, as valibot spells it in messages (`string`, `("load" | "push")`). */
  readonly expects: string;
}

/** A key that may be absent. */
export interface OptionalSchema<T> extends Schema<T> {
  readonly optional: true;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Entries = Record<string, Schema<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type InferObject<E extends Entries> = Simplify<
  { [K in keyof E as E[K] extends OptionalSchema<unknown> ? never : K]: Infer<E[K]> } & {
    [K in keyof E as E[K] extends OptionalSchema<unknown> ? K : never]?: Infer<E[K]>;
  }
>;

/** How valibot shows a received value: strings quoted as they are, objects by constructor name. */
function received(input: unknown): string {
  const type = typeof input;
  if (type === 'string') return `"${input as string}"`;
  if (type === 'number' || type === 'bigint' || type === 'boolean') return `${input as number}`;
  if (type === 'object' || type === 'function') {
    if (!input) return 'null';
    return (Object.getPrototypeOf(input) as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'null';
  }
  return type;
}

const invalid = (label: string, expected: string | null, got: string): Issue =>
  new Issue(`Invalid ${label}: ${expected ? `Expected ${expected} but r` : 'R'}eceived ${got}`);

const typeIssue = (expects: string, input: unknown): Issue => invalid('type', expects, received(input));

/** A test with the message it fails with (a custom message, as the protocol's formats have). */
export type Rule<T> = readonly [test: (value: T) => boolean, message: string];

export interface StringOptions {
  maxLength?: number;
  /** In this order after the length: a format, then a custom test. */
  pattern?: readonly [RegExp, string];
  check?: Rule<string>;
}

export function string({ maxLength, pattern, check }: StringOptions = {}): Schema<string> {
  const [regex, regexMessage] = pattern ?? [];
  const [test, testMessage] = check ?? [];
  return {
    expects: 'string',
    run(value) {
      if (typeof value !== 'string') return typeIssue('string', value);
      if (maxLength !== undefined && value.length > maxLength) return invalid('length', `<=${maxLength}`, `${value.length}`);
      if (regex && !regex.test(value)) return new Issue(regexMessage!);
      if (test && !test(value)) return new Issue(testMessage!);
      return value;
    },
  };
}

export interface NumberOptions {
  /** Checked first: a whole number, or (for fractions) a finite one. */
  integer?: boolean;
  finite?: boolean;
  min?: number;
  max?: number;
}

export function number({ integer, finite, min, max }: NumberOptions = {}): Schema<number> {
  return {
    expects: 'number',
    run(value) {
      if (typeof value !== 'number' || Number.isNaN(value)) return typeIssue('number', value);
      if (integer && !Number.isInteger(value)) return invalid('integer', null, received(value));
      if (finite && !Number.isFinite(value)) return invalid('finite', null, received(value));
      if (min !== undefined && !(value >= min)) return invalid('value', `>=${received(min)}`, received(value));
      if (max !== undefined && !(value <= max)) return invalid('value', `<=${received(max)}`, received(value));
      return value;
    },
  };
}

const joinExpects = (values: string[]): string => {
  const list = [...new Set(values)];
  return list.length > 1 ? `(${list.join(' | ')})` : (list[0] ?? 'never');
};

export function picklist<const T extends readonly (string | number)[]>(options: T): Schema<T[number]> {
  const expects = joinExpects(options.map(received));
  const allowed: ReadonlySet<unknown> = new Set(options);
  return {
    expects,
    run: (value) => (allowed.has(value) ? (value as T[number]) : typeIssue(expects, value)),
  };
}

export function literal<const T extends string | number>(expected: T): Schema<T> {
  const expects = received(expected);
  return { expects, run: (value) => (value === expected ? expected : typeIssue(expects, value)) };
}

/** `''` or a string `schema` accepts (a referrer: empty, or a URL). */
export function emptyOr(schema: Schema<string>): Schema<string> {
  const expects = joinExpects(['""', schema.expects]);
  return {
    expects,
    run: (value) => (value === '' ? '' : typeof value === 'string' ? schema.run(value) : typeIssue(expects, value)),
  };
}

export const optional = <T>(schema: Schema<T>): OptionalSchema<T> => ({ ...schema, optional: true });

/** Any value, as it is (checked elsewhere). */
export const unknown: Schema<unknown> = { expects: 'unknown', run: (value) => value };

/**
 * An object with these keys, in this order (the output has the present ones, in the
 * order of `entries`; other keys are dropped). `refine` runs once every key is valid.
 */
export function object<E extends Entries>(entries: E, refine?: Rule<InferObject<E>>): Schema<InferObject<E>> {
  const fields = Object.entries(entries).map(([key, schema]) => ({
    key,
    run: schema.run,
    optional: 'optional' in schema,
    missing: `Invalid key: Expected "${key}" but received undefined`,
  }));
  const [test, testMessage] = refine ?? [];
  return {
    expects: 'Object',
    run(value) {
      if (typeof value !== 'object' || value === null) return typeIssue('Object', value);
      const input = value as Record<string, unknown>;
      const output: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        // JSON has no `undefined`: a key that reads undefined is absent.
        const raw = input[field.key];
        if (raw === undefined) {
          if (field.optional) continue;
          const issue = new Issue(field.missing);
          issue.trail.push(field.key);
          return issue;
        }
        const result = field.run(raw);
        if (result instanceof Issue) {
          result.trail.push(field.key);
          return result;
        }
        output[field.key] = result;
      }
      if (test && !test(output as InferObject<E>)) return new Issue(testMessage!);
      return output as InferObject<E>;
    },
  };
}

export interface ArrayOptions {
  /** Fewer elements: this message. */
  minLength?: readonly [number, string];
  maxLength?: number;
}

export function array<T>(item: Schema<T>, { minLength, maxLength }: ArrayOptions = {}): Schema<T[]> {
  const [min, minMessage] = minLength ?? [];
  const runItem = item.run;
  // The items are checked before the length, as valibot's pipe does.
  return {
    expects: 'Array',
    run(value) {
      if (!Array.isArray(value)) return typeIssue('Array', value);
      const output: T[] = [];
      for (let i = 0; i < value.length; i++) {
        const result = runItem(value[i]);
        if (result instanceof Issue) {
          result.trail.push(i);
          return result;
        }
        output.push(result);
      }
      if (min !== undefined && value.length < min) return new Issue(minMessage!);
      if (maxLength !== undefined && value.length > maxLength) return invalid('length', `<=${maxLength}`, `${value.length}`);
      return output;
    },
  };
}
