import { isIPv4, isIPv6 } from 'node:net';
import Ajv, { type ValidateFunction } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';
// har-schema: the HAR 1.2 spec as JSON Schema (draft-06), one schema per HAR object.
import harSchemas from 'har-schema';

function isUri(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (validate) return validate;
  // The schemas carry a non-standard `min` keyword (HAR uses -1 for "unknown"): strict mode off ignores it.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(draft6);
  ajv.addFormat('date-time', (v: string) => !Number.isNaN(Date.parse(v)));
  ajv.addFormat('ipv4', (v: string) => isIPv4(v));
  ajv.addFormat('ipv6', (v: string) => isIPv6(v));
  ajv.addFormat('uri', isUri);
  for (const [name, schema] of Object.entries(harSchemas)) {
    if (name !== 'default' && name !== 'har') ajv.addSchema(schema);
  }
  validate = ajv.compile(harSchemas.har!);
  return validate;
}

/** Errors of `har` against HAR 1.2 (an empty list when it is valid). */
export function harSchemaErrors(har: unknown): string[] {
  const check = validator();
  if (check(har)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
