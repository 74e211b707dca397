import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_ROUTES, SSE_FRAMES } from '../../../src/shared/api/index.js';

type Def = { type: string; [key: string]: unknown };
const defOf = (s: z.ZodType) => s._zod.def as unknown as Def;

/** Paths (in the schema tree) where `.nullable()` wraps a schema that has an OpenAPI id. */
function nullableRefs(schema: z.ZodType, path: string, seen = new Set<z.ZodType>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = defOf(schema);
  const out: string[] = [];
  const walk = (child: unknown, at: string) => {
    if (child instanceof z.ZodType) out.push(...nullableRefs(child, at, seen));
  };
  if (def.type === 'nullable' && z.globalRegistry.get(def.innerType as z.ZodType)?.id) out.push(path);
  if (def.type === 'object') for (const [k, v] of Object.entries(def.shape as Record<string, z.ZodType>)) walk(v, `${path}.${k}`);
  if (def.type === 'array') walk(def.element, `${path}[]`);
  if (def.type === 'union') (def.options as z.ZodType[]).forEach((o, i) => walk(o, `${path}|${i}`));
  if (def.type === 'record') walk(def.valueType, `${path}{}`);
  if (def.type === 'pipe') {
    walk(def.in, path);
    walk(def.out, path);
  }
  walk(def.innerType, path);
  return out;
}

function generate(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  for (const route of API_ROUTES) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: { title: 'test', version: '0' } });
}

describe('OpenAPI from the shared schemas', () => {
  it('registers every route in an OpenAPIRegistry and generates a 3.1 document', () => {
    const doc = generate();
    const paths = doc.paths ?? {};
    for (const r of API_ROUTES) expect(paths[r.path]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
    expect(Object.keys(paths)).toHaveLength(new Set(API_ROUTES.map((r) => r.path)).size);
    // schemas with an id become components, referenced from the paths
    const components = Object.keys(doc.components?.schemas ?? {});
    for (const id of ['MessageSummary', 'MessageDetail', 'MessageState', 'Priority', 'CapturedPage', 'Stats', 'Settings', 'RelayError', 'ClassicError', 'AccountView']) {
      expect(components).toContain(id);
    }
    expect(JSON.stringify(paths['/api/messages'])).toContain('#/components/schemas/MessagesPage');
  });

  it('states, priorities and nullable references come out as they are', () => {
    const schemas = generate().components?.schemas ?? {};
    expect(schemas.MessageState).toEqual({ type: 'string', enum: ['queued', 'deferred', 'sending', 'sent', 'error'] });
    // genro-mail-proxy's GET /messages answers `reported` as before
    expect(schemas.ClassicMessageState).toEqual({ type: 'string', enum: ['queued', 'deferred', 'sending', 'sent', 'error', 'reported'] });
    expect(schemas.Priority).toMatchObject({ type: 'integer', enum: [0, 1, 2, 3] });
    const summary = schemas.MessageSummary as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(summary.additionalProperties).toBe(false);
    expect(summary.properties.deferred_reason).toEqual({ anyOf: [{ $ref: '#/components/schemas/DeferredReason' }, { type: 'null' }] });
  });

  it('never wraps a schema with an id in .nullable() (zod-to-openapi would drop the null; use orNull)', () => {
    const roots: [string, z.ZodType][] = [
      ...API_ROUTES.flatMap((r) => [
        ...Object.entries(r.responses).flatMap(([status, res]) => Object.values(res.content ?? {}).map((c): [string, z.ZodType] => [`${r.path} ${status}`, c.schema])),
        ...Object.values(r.request?.body?.content ?? {}).map((c): [string, z.ZodType] => [`${r.path} body`, c.schema]),
      ]),
      ...Object.entries(SSE_FRAMES),
    ];
    expect(roots.flatMap(([name, schema]) => nullableRefs(schema, name))).toEqual([]);
  });
});
