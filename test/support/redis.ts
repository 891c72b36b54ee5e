import IORedis from 'ioredis';

/** The machine's Redis, where the BullMQ-flavoured suites keep their keys under a prefix of their own. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Removes every key a suite wrote under its prefix. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
