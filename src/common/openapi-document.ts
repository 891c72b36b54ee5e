import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { APP_VERSION } from './app-version';

/**
 * The API key as an HTTP bearer scheme: Swagger UI's Authorize dialog then takes the bare key and
 * sends `Authorization: Bearer <key>`, which the guard accepts beside BTCPay's `token <key>`. An
 * apiKey scheme on the Authorization header would make every user type the `token ` prefix, and
 * a request interceptor would fix only Swagger UI, not the clients generated from the document.
 */
export const API_KEY_SCHEME = 'bearer';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Lightning Checkout')
      .setDescription(
        [
          'Checkouts paid over Lightning, from a pool of LND nodes and LND clusters.',
          '',
          'Authenticate with the store API key: `Authorization: token <key>` (as BTCPay clients send it) or `Authorization: Bearer <key>`; in this page, click Authorize and paste the key alone.',
          '',
          'Every error is an `application/problem+json` body (RFC 9457) with a stable `code`; each operation lists the codes it can answer.',
        ].join('\n'),
      )
      .setVersion(APP_VERSION)
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', bearerFormat: 'store API key', description: 'The store API key, alone (no `token ` or `Bearer ` prefix)' },
        API_KEY_SCHEME,
      )
      .build(),
  );
}

export function serveOpenApiDocument(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs/openapi.json',
    swaggerOptions: { persistAuthorization: true },
  });
}
