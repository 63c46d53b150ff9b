import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';

const DESCRIPTION = [
  'The Cluster HA REST API of the netbox-proxbox plugin, served beside NetBox.',
  'Both routes are proxied live from proxbox-api and gated like the HA dashboard:',
  'the credential needs view permission on ProxmoxEndpoint, NetBoxEndpoint or FastAPIEndpoint.',
  '',
  'Click **Authorize** and enter a NetBox token with its scheme, for example `Token <40-character key>`',
  'or `Bearer nbt_<key>.<secret>`. Every error answers `{"detail": "...", "code": "..."}`.',
].join('\n');

/** Serves Swagger UI at /api/docs and the OpenAPI document at /api/docs-json. */
export function setupOpenApi(app: NestFastifyApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('proxbox-ha-gateway')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'NetBox API token with its scheme: `Token <v1 key>` or `Bearer nbt_<key>.<secret>` (NetBox 4.5+).',
      },
      'netbox-token',
    )
    .addCookieAuth('sessionid', { type: 'apiKey', in: 'cookie', name: 'sessionid', description: 'NetBox session cookie, as a logged-in browser sends it.' }, 'netbox-session')
    .build();

  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    customSiteTitle: 'proxbox-ha-gateway API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
