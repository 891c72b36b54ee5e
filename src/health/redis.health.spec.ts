import { createServer, Server, Socket } from 'node:net';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { CHECK_TIMEOUT_MS } from './health-limits';
import { RedisHealthIndicator } from './redis.health';

const configFor = (url: string) => ({ redis: { url, prefix: 'spec' } }) as AppConfig;

describe('RedisHealthIndicator', () => {
  it('is down at once when nothing listens', async () => {
    const indicator = new RedisHealthIndicator(configFor('redis://127.0.0.1:1'), new HealthIndicatorService());
    try {
      const started = Date.now();
      const result = await indicator.check();
      expect(result.redis.status).toBe('down');
      expect(Date.now() - started).toBeLessThan(CHECK_TIMEOUT_MS + 500);
    } finally {
      indicator.onApplicationShutdown();
    }
  });

  it('is down within the timeout when Redis accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const indicator = new RedisHealthIndicator(configFor(`redis://127.0.0.1:${port}`), new HealthIndicatorService());
    try {
      const started = Date.now();
      const result = await indicator.check();
      expect(result.redis.status).toBe('down');
      expect(Date.now() - started).toBeLessThan(CHECK_TIMEOUT_MS + 1000);
    } finally {
      indicator.onApplicationShutdown();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });

  it('is not configured without a URL', () => {
    expect(new RedisHealthIndicator(configFor(''), new HealthIndicatorService()).configured).toBe(false);
  });
});
