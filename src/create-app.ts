import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { JsonDepthPipe } from './common/json-depth.pipe';
import { NoNulPipe } from './common/no-nul.pipe';
import { ReservedKeyPipe } from './common/reserved-key.pipe';
import { serveOpenApiDocument } from './common/openapi-document';
import { ProblemFilter } from './common/problem.filter';
import { createValidationPipe } from './common/validation.pipe';
import { AppConfig } from './config/app-config';
import { quietStartupLogger } from './logging';

export interface CreateAppOptions {
  /** Signals on which Nest closes the app (all it knows by default); main.ts drains on SIGTERM itself. */
  shutdownSignals?: string[];
}

/** Builds the configured app without listening: main.ts, the CLI and the e2e tests share it. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    // Webhook signatures are computed over the exact bytes received.
    rawBody: true,
  });
  app.useLogger(quietStartupLogger(app.get(Logger)));
  app.enableShutdownHooks(options.shutdownSignals);
  app.set('trust proxy', config.server.trustProxy);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: '100kb' });
  app.useGlobalPipes(new JsonDepthPipe(), new NoNulPipe(), new ReservedKeyPipe(), createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  serveOpenApiDocument(app);
  return app;
}
