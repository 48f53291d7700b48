/**
 * Loads Gusto's OpenAPI document (../shared/gusto/openapi.v2025-11-15.yaml next to the repo) and
 * validates sandbox responses against its response schemas with ajv (JSON Schema 2020-12, which
 * OpenAPI 3.1 uses). The 1.7 MB YAML is parsed once per test file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const SPEC_PATH = path.resolve(repoRoot, '../shared/gusto/openapi.v2025-11-15.yaml');
const SPEC_ID = 'https://gusto.example/openapi.v2025-11-15.json';

type Node = Record<string, unknown>;

// Both packages are CommonJS: imported from ESM, the default import is `module.exports`, and each
// also exposes itself as `module.exports.default`, which is what the type declarations describe.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

export const specAvailable = (): boolean => existsSync(SPEC_PATH);

/**
 * A few description strings in the published file close a multi-line single-quoted scalar on a
 * line of its own at column 0, which strict YAML parsers (the `yaml` package) reject. Indenting
 * those closing quotes changes no value: leading blanks of folded continuation lines are dropped.
 */
function loadSpec(): Node {
  const text = readFileSync(SPEC_PATH, 'utf8').replace(/^'$/gm, `${' '.repeat(40)}'`);
  return parse(text, { maxAliasCount: -1 }) as Node;
}

function pointer(doc: Node, ref: string): Node {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Node>((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Node, doc);
}

/** Rewrites local refs so a schema cut out of the document still resolves against it. */
function anchorRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(anchorRefs);
  if (value && typeof value === 'object') {
    const out: Node = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${SPEC_ID}${v}` : anchorRefs(v);
    }
    return out;
  }
  return value;
}

export class SpecValidator {
  private readonly doc = loadSpec();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    // OpenAPI's numeric formats; on string-typed money fields "float" means a decimal string.
    this.ajv.addFormat('float', { type: 'string', validate: (s: string) => /^-?\d+(\.\d+)?$/.test(s) });
    this.ajv.addFormat('double', { type: 'number', validate: () => true });
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('binary', { type: 'string', validate: () => true });
    this.ajv.addSchema({ $id: SPEC_ID, components: this.doc.components }, SPEC_ID);
  }

  operation(method: string, template: string): Node | undefined {
    const item = (this.doc.paths as Node)[template] as Node | undefined;
    return item?.[method.toLowerCase()] as Node | undefined;
  }

  /** The documented response statuses of an operation ('200', '404', ...). */
  statuses(method: string, template: string): string[] {
    return Object.keys((this.operation(method, template)?.responses as Node | undefined) ?? {});
  }

  responseSchema(method: string, template: string, status: number): Node | null {
    const responses = this.operation(method, template)?.responses as Node | undefined;
    let response = responses?.[String(status)] as Node | undefined;
    if (!response) return null;
    if (typeof response.$ref === 'string') response = pointer(this.doc, response.$ref);
    const content = response.content as Node | undefined;
    return ((content?.['application/json'] as Node | undefined)?.schema as Node | undefined) ?? null;
  }

  componentSchema(name: string): Node {
    return { $ref: `${SPEC_ID}#/components/schemas/${name}` };
  }

  /** Errors of `body` against `schema` (empty when it conforms). */
  check(schema: Node, body: unknown, key: string): string[] {
    const validate = this.cache.get(key) ?? this.ajv.compile(anchorRefs(schema) as Node);
    this.cache.set(key, validate);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
}
