import { INestApplication, Logger, ShutdownSignal } from '@nestjs/common';
import { ConfigError, loadConfig } from './config/load-config';
import { createApp } from './create-app';
import { DrainState } from './health/drain';

/** If closing hangs (a stuck connection, a hook that never returns), exit anyway after this. */
const CLOSE_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await createApp(config, { shutdownSignals: Object.values(ShutdownSignal).filter((s) => s !== ShutdownSignal.SIGTERM) });
  await app.listen(config.server.port, config.server.host);
  const url = await app.getUrl();
  console.log(`Lightning checkout server listening on ${url} (public URL ${config.server.publicUrl}); API docs at ${config.server.publicUrl}/docs`);
  process.once('SIGTERM', () => void drainAndClose(app, config.server.shutdownDrainMs));
}

/** SIGTERM: out of rotation first (readiness 503), still serving for `drainMs`, then closed. */
async function drainAndClose(app: INestApplication, drainMs: number): Promise<void> {
  const logger = new Logger('Shutdown');
  setTimeout(() => {
    logger.error(`did not close within ${CLOSE_TIMEOUT_MS} ms of the drain; exiting`);
    process.exit(1);
  }, drainMs + CLOSE_TIMEOUT_MS).unref();
  app.get(DrainState).start();
  if (drainMs > 0) {
    logger.log({ drainMs }, 'SIGTERM: readiness now answers 503; requests are still served until the drain ends');
    await new Promise((resolve) => setTimeout(resolve, drainMs));
  }
  try {
    await app.close();
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'error while closing');
    process.exit(1);
  }
  process.exit(0);
}

main().catch((err) => {
  console.error('Failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
