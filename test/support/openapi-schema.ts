/**
 * A strict checker for the subset of OpenAPI 3.0 schema keywords the
 * gateway's document uses, so tests can validate real bodies against it
 * without a JSON Schema library. A keyword outside that subset throws, so a
 * schema the checker does not understand can never pass by accident.
 */

export interface SchemaObject {
  [keyword: string]: unknown;
}

const ANNOTATIONS = new Set(['description', 'example', 'examples', 'title', 'format']);
const ASSERTIONS = new Set(['$ref', 'type', 'nullable', 'enum', 'properties', 'items', 'additionalProperties', 'required', 'oneOf', 'anyOf']);

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      throw new Error(`The schema checker does not support the type "${type}".`);
  }
}

/**
 * Returns every place where `value` breaks `schema`, as "path: problem"
 * lines. An empty list means the value is valid. `$ref`s resolve against
 * `schemas` (the document's components.schemas).
 */
export function schemaViolations(schema: SchemaObject, value: unknown, schemas: Record<string, SchemaObject>, path = '$'): string[] {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword)) throw new Error(`The schema checker does not support the keyword "${keyword}" at ${path}.`);
  }

  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = schemas[name];
    if (target === undefined) throw new Error(`${path}: $ref ${schema.$ref} is not in components.schemas.`);
    return schemaViolations(target, value, schemas, path);
  }

  if (value === null) return schema.nullable === true || schema.type === undefined ? [] : [`${path}: null is not allowed`];

  const violations: string[] = [];
  if (typeof schema.type === 'string' && !typeMatches(schema.type, value)) {
    return [`${path}: ${JSON.stringify(value)} is not of type ${schema.type}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    violations.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, index) => violations.push(...schemaViolations(schema.items as SchemaObject, item, schemas, `${path}[${index}]`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    violations.push(...objectViolations(schema, value as Record<string, unknown>, schemas, path));
  }
  if (Array.isArray(schema.anyOf)) {
    const matching = (schema.anyOf as SchemaObject[]).filter((branch) => schemaViolations(branch, value, schemas, path).length === 0);
    if (matching.length === 0) violations.push(`${path}: matches none of the anyOf branches`);
  }
  if (Array.isArray(schema.oneOf)) {
    const matching = (schema.oneOf as SchemaObject[]).filter((branch) => schemaViolations(branch, value, schemas, path).length === 0);
    if (matching.length !== 1) violations.push(`${path}: matches ${matching.length} oneOf branches, not exactly 1`);
  }
  return violations;
}

function objectViolations(schema: SchemaObject, value: Record<string, unknown>, schemas: Record<string, SchemaObject>, path: string): string[] {
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject>;
  const violations: string[] = [];

  for (const name of (schema.required ?? []) as string[]) {
    if (!(name in value)) violations.push(`${path}: required property ${name} is missing`);
  }
  for (const [name, propertyValue] of Object.entries(value)) {
    const propertySchema = properties[name];
    if (propertySchema !== undefined) {
      violations.push(...schemaViolations(propertySchema, propertyValue, schemas, `${path}.${name}`));
    } else if (schema.additionalProperties === false) {
      violations.push(`${path}: property ${name} is not allowed`);
    }
  }
  return violations;
}
