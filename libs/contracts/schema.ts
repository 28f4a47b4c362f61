/**
 * One declarative schema per message (TypeBox): it yields the TypeScript type (`Static`), a
 * validator compiled once, and the JSON Schema the OpenAPI document embeds. Validation failures
 * become the contract's 400 with a sentence naming the field.
 *
 * A property may carry `errorMessage`: the sentence (after "Field 'name' ") used whenever that
 * property fails, so messages stay as precise as a hand-written check.
 */
import { FormatRegistry, Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { InvalidRequestError } from '@roomkey/errors';

export { Type };
export type { Static, TSchema, TObject };

const CONTROL_CHARACTER = /\p{Cc}/u;

function codePoints(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

/** Text of 1–n Unicode code points (not UTF-16 units) without control characters. */
function textFormat(min: number, max: number) {
  return (value: string) => value.isWellFormed() && !CONTROL_CHARACTER.test(value) && codePoints(value) >= min && codePoints(value) <= max;
}

/** Formats JSON Schema cannot say with `maxLength` (which counts UTF-16 units) or a pattern. */
export const TEXT_FORMATS = {
  'text-255': textFormat(1, 255),
  'text-2048': textFormat(1, 2048),
} as const;
for (const [name, check] of Object.entries(TEXT_FORMATS)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);

export interface Validator<T> {
  readonly schema: TSchema;
  /** True when `value` is valid (no allocation on success). */
  check(value: unknown): value is T;
  /** The value typed, or an InvalidRequestError naming the first field that fails. */
  parse(value: unknown, what?: string): T;
}

/** Compiles once; `parse` is what a handler calls on every request. */
export function validator<S extends TSchema>(schema: S): Validator<Static<S>> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    schema,
    check: (value): value is Static<S> => compiled.Check(value),
    parse(value, what = 'Request body') {
      if (compiled.Check(value)) return value as Static<S>;
      throw describeFailure(schema, value, compiled.Errors(value).First(), what);
    },
  };
}

interface Described {
  errorMessage?: string;
  properties?: Record<string, TSchema>;
  required?: string[];
  enum?: unknown[];
  anyOf?: TSchema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

function describeFailure(schema: TSchema, value: unknown, error: ValueError | undefined, what: string): InvalidRequestError {
  const root = schema as Described;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return new InvalidRequestError(`${what} must be a JSON object`);
  if (!error) return new InvalidRequestError(`${what} is not valid`);
  const segments = error.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field = segments[0];
  if (field === undefined) {
    if (error.type === ValueErrorType.ObjectAdditionalProperties || error.type === ValueErrorType.ObjectRequiredProperty) {
      return unknownOrMissing(root, value as Record<string, unknown>);
    }
    return new InvalidRequestError(`${what} ${root.errorMessage ?? 'is not valid'}`);
  }
  const property = root.properties?.[field] as Described | undefined;
  if (!property) return new InvalidRequestError(`Unknown field '${field}'; allowed fields are ${Object.keys(root.properties ?? {}).join(', ')}`, field);
  if ((value as Record<string, unknown>)[field] === undefined) return new InvalidRequestError(`Field '${field}' is required`, field);
  if (property.errorMessage) return new InvalidRequestError(`Field '${field}' ${property.errorMessage}`, field);
  return new InvalidRequestError(`Field '${field}' ${genericHint(property, error)}`, field);
}

function unknownOrMissing(root: Described, body: Record<string, unknown>): InvalidRequestError {
  const allowed = Object.keys(root.properties ?? {});
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown !== undefined) return new InvalidRequestError(`Unknown field '${unknown}'; allowed fields are ${allowed.join(', ')}`, unknown);
  const missing = (root.required ?? []).find((key) => body[key] === undefined);
  return new InvalidRequestError(`Field '${missing}' is required`, missing);
}

function genericHint(property: Described, error: ValueError): string {
  const options = property.anyOf?.map((s) => (s as Described).const).filter((c) => c !== undefined);
  if (options?.length) return `must be one of ${options.join(', ')}`;
  switch (error.type) {
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
      return 'must be a whole number';
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
      return `must be from ${property.minimum ?? '…'} to ${property.maximum ?? '…'}`;
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.ArrayMinItems:
    case ValueErrorType.ArrayMaxItems:
      return `must hold ${property.minItems ?? 0}–${property.maxItems ?? '…'} items`;
    case ValueErrorType.Object:
      return 'must be a JSON object';
    default:
      return 'has an invalid value';
  }
}

/** A request object that refuses unknown fields (so `room` for `rooms` does not pass silently). */
export function RequestBody<P extends TProperties>(properties: P, options: { description?: string; title?: string } = {}): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}
