import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AppConfig } from '../../src/config/app-config';
import { deepMerge, loadConfig } from '../../src/config/load-config';
import { createApp } from '../../src/create-app';
import { StoresService } from '../../src/stores/stores.service';
import { OpenApiResponseValidator } from './openapi-validation';
import { createTestDatabase, TestDatabase } from './test-db';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** Base URL when started with `listen: true`. */
  url: string;
  /** Every response it receives is validated against the app's OpenAPI document (see openapi-validation.ts). */
  http: ReturnType<typeof request>;
  openapi: OpenApiResponseValidator;
  db: TestDatabase;
  /** Creates a store and returns its id and API key (with the CLI's default permissions unless given). */
  createStore(name?: string, permissions?: string[]): Promise<{ storeId: string; apiKey: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Config overrides merged over config/default.yaml (the database is chosen by TEST_DB). */
  config?: Record<string, unknown>;
  listen?: boolean;
  /** Reuse a database (e.g. to restart the app on the same data). */
  db?: TestDatabase;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const config = loadConfig({
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    overrides: deepMerge({ database: db.config, server: { port: 0 }, webhooks: { allowPrivateTargets: true } }, options.config ?? {}),
  });
  const app = await createApp(config);
  let url = '';
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    config.server.publicUrl = url;
  } else {
    await app.init();
  }
  const stores = app.get(StoresService);
  const openapi = await OpenApiResponseValidator.create((await request(app.getHttpServer()).get('/docs/openapi.json').expect(200)).body);
  return {
    app,
    config,
    url,
    http: validating(request(app.getHttpServer()), openapi),
    openapi,
    db,
    createStore: async (name = 'Test shop', permissions?: string[]) => {
      const { store, key } = await stores.createStore(name, null, 'default', permissions);
      return { storeId: store.id, apiKey: key };
    },
    close: async () => {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/**
 * The same supertest client, with one more assertion on every request: the response matches the
 * OpenAPI document (status documented for the operation, media type, body schema). It runs before
 * the test's own expectations, so a mismatch fails the test with the validator's message.
 */
function validating(client: ReturnType<typeof request>, openapi: OpenApiResponseValidator): ReturnType<typeof request> {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !HTTP_METHODS.has(prop) || typeof value !== 'function') return value;
      return (url: string) =>
        (value as (url: string) => request.Test).call(target, url).expect((res: request.Response) => {
          const problems = openapi.check(prop, url, res);
          if (problems.length > 0) throw new Error(`OpenAPI: ${problems.join('; ')}`);
        });
    },
  });
}
