import { ConfigError, loadConfig } from './config/load-config';
import { createApp } from './create-app';

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
  const app = await createApp(config);
  await app.listen(config.server.port, config.server.host);
  const url = await app.getUrl();
  console.log(`Lightning checkout server listening on ${url} (public URL ${config.server.publicUrl}); API docs at ${config.server.publicUrl}/docs`);
}

main().catch((err) => {
  console.error('Failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
