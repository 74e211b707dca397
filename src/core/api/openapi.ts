import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

/** Every route module registers its paths here at import time; GET /openapi.json renders it. */
export const openapi = new OpenAPIRegistry();

openapi.registerComponent('securitySchemes', 'ApiToken', { type: 'apiKey', in: 'header', name: 'X-API-Token' });
openapi.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' });

export const security: Record<string, string[]>[] = [{ ApiToken: [] }, { Bearer: [] }];

export function openApiDocument(version: string): object {
  return new OpenApiGeneratorV31(openapi.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Genro Mail Relay',
      version,
      description:
        'genro-mail-proxy compatible API (classic /commands/*, /account, /messages) and the relay\'s own /api routes.',
    },
    security,
  });
}
