import { INestApplication, Logger, ShutdownSignal } from '@nestjs/common';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { redactUrlCredentials } from './common/redact';
import { SERVER_NAME, SERVER_VERSION } from './common/version';
import { prepareDataDir } from './config/data-dir';
import { ConfigError, loadConfig, localPublicUrl } from './config/load-config';
import { createApp } from './create-app';
import { DrainState } from './health/drain';
import { enabledPlugins } from './plugins/registry';

/** If closing hangs (a stuck connection, a hook that never returns), exit anyway after this. */
const CLOSE_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    prepareDataDir(config);
    // Plugins are part of the configuration: one that cannot be found or loaded is a config error too.
    enabledPlugins(config);
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
  const bound = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  // No publicUrl configured: links name the port actually bound (PORT=0 picks one only now).
  if (config.server.publicUrlFromPort) config.server.publicUrl = localPublicUrl(config.server.host, bound);
  const publicUrl = config.server.publicUrl.replace(/\/$/, '');
  console.log(`${SERVER_NAME} ${SERVER_VERSION} listening on ${url} (open ${publicUrl}/ in a browser; API docs at ${publicUrl}/docs)`);
  const startBegan = Number(process.env.LC_START_BEGAN_AT_MS);
  if (startBegan > 0) console.log(`npm start took ${formatDuration(Date.now() - startBegan)} (dependencies and build included)`);
  if (config.server.publicUrlFromPort)
    console.log('Checkout links point at this machine; set PUBLIC_URL (server.publicUrl) to the address shops and customers reach it at.');
  process.once('SIGTERM', () => void drainAndClose(app, config.server.shutdownDrainMs));
}

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
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
  console.error('Failed to start:', redactUrlCredentials(err instanceof Error ? err.message : String(err)));
  process.exit(1);
});
