import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRouters } from '../../../src/core/api/app.js';
import { API_ROUTES } from '../../../src/shared/api/index.js';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';

type Operation = { requestBody?: unknown; parameters?: { in: string; name: string }[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

let t: TestRelay;
let doc: Document;

beforeAll(async () => {
  t = await startTestRelay();
  const res = await fetch(`${t.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});
afterAll(() => t.stop());

/** "METHOD /path/{param}" for every API route the Koa app serves (the UI's pattern routes left out). */
function koaRoutes(): string[] {
  const out = new Set<string>();
  for (const router of apiRouters(t.relay.services, null)) {
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string') continue;
      const path = (layer.path.replace(/\/$/, '') || '/').replace(/:(\w+)/g, '{$1}');
      for (const m of layer.methods) if (m !== 'HEAD') out.add(`${m} ${path}`);
    }
  }
  return [...out].sort();
}

const documented = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();

describe('GET /openapi.json', () => {
  it('describes exactly the routes the app serves', () => {
    expect(koaRoutes().length).toBeGreaterThan(30);
    expect(documented()).toEqual(koaRoutes());
  });

  it('is generated from the shared route table: every answer and request with its schema', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const r of API_ROUTES) {
      const op = doc.paths[r.path][r.method];
      expect(Object.keys(op.responses).map(Number).sort(), `${r.method} ${r.path}`).toEqual(Object.keys(r.responses).map(Number).sort());
      for (const [status, res] of Object.entries(op.responses)) {
        const declared = r.responses[Number(status)].content;
        if (declared) expect(Object.values(res.content ?? {})[0]?.schema, `${r.method} ${r.path} ${status}`).toBeDefined();
      }
      expect(op.requestBody !== undefined, `${r.method} ${r.path} body`).toBe(r.request?.body !== undefined);
      const params = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
      expect(params, `${r.method} ${r.path} query`).toEqual(Object.keys(r.request?.query?.shape ?? {}).sort());
    }
    // no description string stands in for a schema
    expect(JSON.stringify(doc.paths)).not.toMatch(/"description":"\{/);
    expect(doc.components.schemas).toHaveProperty('AddMessagesAnswer');
  });

  it('names the schema of every event-stream frame', () => {
    expect(JSON.stringify(doc.paths['/api/events'].get.responses[200])).toContain('#/components/schemas/EventFrames');
    for (const id of ['EventFrames', 'MessagesFrame', 'CapturedFrame', 'PublicSettings', 'StatsFrame', 'ReportOutcome']) expect(doc.components.schemas).toHaveProperty(id);
  });

  it('public routes need no token, the rest say how to give one', () => {
    expect(doc.paths['/health'].get).toMatchObject({ security: [] });
    expect(doc.paths['/api/messages'].get).not.toHaveProperty('security');
    expect(JSON.stringify(doc)).toContain('"X-API-Token"');
  });
});
