import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { API_ROUTES } from '../../shared/api/routes.js';

type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** Either header carries the token; a route with `security: []` is public. */
const security: Record<string, string[]>[] = [{ ApiToken: [] }, { Bearer: [] }];

/** GET /openapi.json: generated from the shared route table, so it describes what the routes parse and answer. */
export function openApiDocument(version: string): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'ApiToken', { type: 'apiKey', in: 'header', name: 'X-API-Token' });
  registry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' });
  for (const route of API_ROUTES) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Genro Mail Relay',
      version,
      description: "genro-mail-proxy compatible API (classic /commands/*, /account, /messages) and the relay's own /api routes.",
    },
    security,
  });
}
