import { z } from 'zod';
import { ErrorBody, type RouteSpec } from './route.js';

type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/**
 * Builds the OpenAPI 3.1 document from the route table. OpenAPI 3.1 schemas are JSON Schema 2020-12,
 * which is what zod 4 emits, so the document is generated, never written by hand.
 */
export function buildOpenApi(routes: readonly RouteSpec[], info: OpenApiInfo): JsonSchema {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'One of API_KEYS.' } },
    },
  };
}

function operation(route: RouteSpec, components: Components): JsonSchema {
  const parameters = [
    ...objectParameters(route.params, 'path', components),
    ...objectParameters(route.query, 'query', components),
  ];
  const op: JsonSchema = {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: route.auth === false ? [] : [{ apiKey: [] }],
    responses: responses(route, components),
  };
  if (route.description) op.description = route.description;
  if (parameters.length) op.parameters = parameters;
  if (route.body) {
    op.requestBody = {
      // An absent body is read as `{}`, so a body whose fields are all optional is not required.
      required: !route.body.safeParse({}).success,
      content: { 'application/json': { schema: components.add(route.body, 'input') } },
    };
  }
  return op;
}

function responses(route: RouteSpec, components: Components): JsonSchema {
  const out: JsonSchema = {};
  for (const [status, declared] of Object.entries(route.responses)) {
    // Error statuses declared without a schema answer with the common error body.
    const spec = Number(status) >= 400 && !declared.schema ? { ...declared, schema: ErrorBody } : declared;
    const contentType = spec.contentType ?? 'application/json';
    out[status] = {
      description: spec.description,
      ...(spec.schema
        ? { content: { [contentType]: { schema: components.add(spec.schema, 'output') } } }
        : spec.contentType
          ? { content: { [contentType]: { schema: { type: 'string', contentMediaType: contentType } } } }
          : {}),
    };
  }
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: components.add(ErrorBody, 'output') } },
  });
  // Errors every route can answer with: documented once here instead of in each row.
  out['400'] ??= error('Invalid input: `error.field` names the offending field.');
  if (route.auth !== false) out['401'] ??= error('Missing or unknown API key.');
  out['500'] ??= error('Unexpected failure (no stack traces are returned).');
  out['502'] ??= error('Temporal or Gusto failed; safe to retry.');
  return out;
}

function objectParameters(
  schema: z.ZodType | undefined,
  where: 'path' | 'query',
  components: Components,
): JsonSchema[] {
  if (!schema) return [];
  const json = components.add(schema, 'input', { inline: true });
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * Collects named schemas (zod `.meta({ id })`) into `components.schemas`. zod puts them in a local
 * `$defs`, whose `#/$defs/...` references would resolve against the document root in OpenAPI, so they
 * are hoisted and the references rewritten.
 */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  add(schema: z.ZodType, io: 'input' | 'output', opts: { inline?: boolean } = {}): JsonSchema {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      cycles: 'ref',
      reused: 'inline',
    }) as JsonSchema;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    // Input and output shapes of one schema can differ (defaults make fields optional on input); the
    // second shape seen gets a suffixed name and the references to it follow.
    const renames = new Map<string, string>();
    for (const [name, def] of Object.entries(defs))
      renames.set(name, this.register(name, rewriteRefs(def, renames)));
    for (const [name, def] of Object.entries(defs)) {
      const to = renames.get(name) ?? name;
      if (to !== name) this.schemas[to] = rewriteRefs(def, renames);
    }
    // A schema with its own id comes back as a bare `$ref` to itself; parameters need its properties.
    const rewritten = rewriteRefs(json, renames) as JsonSchema;
    const ref = typeof rewritten.$ref === 'string' ? rewritten.$ref : undefined;
    if (opts.inline && ref) return this.schemas[ref.slice('#/components/schemas/'.length)] ?? rewritten;
    return rewritten;
  }

  /** Registers under `name`, or `nameInput` when input and output shapes of one schema differ. */
  private register(name: string, def: JsonSchema): string {
    for (const candidate of [name, `${name}Input`, `${name}2`]) {
      const existing = this.schemas[candidate];
      if (!existing) {
        this.schemas[candidate] = def;
        return candidate;
      }
      if (JSON.stringify(existing) === JSON.stringify(def)) return candidate;
    }
    throw new Error(`schema id ${name} is used for three different shapes`);
  }
}

function rewriteRefs<T>(value: T, renames: Map<string, string>): T {
  if (Array.isArray(value)) return value.map((v: unknown) => rewriteRefs(v, renames)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      const name = v.slice('#/$defs/'.length);
      out[k] = `#/components/schemas/${renames.get(name) ?? name}`;
    } else {
      out[k] = rewriteRefs(v, renames);
    }
  }
  return out as T;
}
