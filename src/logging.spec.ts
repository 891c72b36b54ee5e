import { Writable } from 'node:stream';
import pino from 'pino';
import { quietStartupLogger, REDACTION } from './logging';

function capture(): { logger: pino.Logger; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: 'debug', ...REDACTION }, stream), text: () => out };
}

describe('log redaction', () => {
  it.each([
    ['a top-level macaroon', { macaroon: 'MDAxY2xvY2F0aW9uIGxuZAo' }],
    ['a nested webhook secret', { endpoint: { url: 'https://shop.example', secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' } }],
    ['an API key field', { apiKey: 'lck_abcdefghijklmnopqrstuvwxyz' }],
    ['a platform token', { shop: { accessToken: 'shpat_0123456789abcdef' } }],
    ['an outgoing Authorization header', { request: { url: 'https://shop.example/wp-json', headers: { authorization: 'Basic Y2tfMTIzOmNzXzQ1Ng==' } } }],
    ['an incoming Authorization header', { req: { headers: { authorization: 'token lck_abcdefghijklmnopqrstuvwxyz' } } }],
    ['a wallet seed', { seed: 'abandon ability able about above absent absorb abstract' }],
  ])('hides %s', (_what, fields) => {
    const { logger, text } = capture();
    logger.debug(fields, 'something happened');
    const secret = JSON.stringify(fields).match(/"(MDAx[^"]*|whsec_[^"]*|lck_[^"]*|shpat_[^"]*|Basic [^"]*|token [^"]*|abandon[^"]*)"/)![1];
    expect(text()).toContain('[redacted]');
    expect(text()).not.toContain(secret);
    expect(text()).toContain('something happened');
  });

  it.each([
    ['a macaroon three objects down', { backend: { members: { lnd1: { macaroon: 'MDAxZGVlcGx5bmVzdGVk' } } } }, 'MDAxZGVlcGx5bmVzdGVk'],
    ['a password in an array of objects', { nodes: [{ name: 'a' }, { auth: { password: 'hunter2-deep' } }] }, 'hunter2-deep'],
    ['an API key six levels down', { a: { b: { c: { d: { e: { apiKey: 'lck_sixlevelsdownxxxxxxxx' } } } } } }, 'lck_sixlevelsdownxxxxxxxx'],
    [
      'an Authorization header deep in a request log',
      { call: { request: { options: { headers: { Authorization: 'token lck_headerdeep' } } } } },
      'lck_headerdeep',
    ],
    ['a database URL with a password, nested', { config: { database: { url: 'postgres://app:s3cr3t-pw@db.internal:5432/shop' } } }, 's3cr3t-pw'],
    ['a Redis URL with only a password', { queue: { redisUrl: 'redis://:r3dis-pw@cache:6379/0' } }, 'r3dis-pw'],
    ['a webhook secret under any name ending in Secret', { store: { webhook: { signingSecret: 'whsec_nestednested' } } }, 'whsec_nestednested'],
    ['a token in a connection string parameter', { target: { dsn: 'https://rates.example/api?apikey=k3y-in-query&x=1' } }, 'k3y-in-query'],
  ])('hides %s', (_what, fields, secret) => {
    const { logger, text } = capture();
    logger.debug(fields, 'deep');
    expect(text()).toContain('deep');
    expect(text()).not.toContain(secret);
  });

  it('hides a password of a URL in the message text', () => {
    const { logger, text } = capture();
    logger.error('cannot connect to postgres://app:msg-pw-123@db:5432/shop');
    expect(text()).not.toContain('msg-pw-123');
    expect(text()).toContain('postgres://app:***@db:5432/shop');
  });

  it.each([
    ['an @', 'postgres://app:pa@ss-at@db:5432/shop', 'ss-at'],
    ['a /', 'postgres://app:pa/ss-slash@db:5432/shop', 'ss-slash'],
    ['a #', 'redis://:pw#hash-part@cache:6379', 'hash-part'],
  ])('hides all of an unencoded URL password holding %s', (_what, url, secretPart) => {
    const { logger, text } = capture();
    logger.error(`cannot connect to ${url} (retrying)`);
    expect(text()).not.toContain(secretPart);
    expect(JSON.parse(text()).msg).toMatch(/^cannot connect to \w+:\/\/\w*:\*\*\*@(db:5432\/shop|cache:6379) \(retrying\)$/);
  });

  it('keeps a port and a path with an @ as they are', () => {
    const { logger, text } = capture();
    logger.info('fetched http://rates.example:8080/u/@ann and http://rates.example/x');
    expect(JSON.parse(text()).msg).toBe('fetched http://rates.example:8080/u/@ann and http://rates.example/x');
  });

  it('is cycle safe and leaks nothing through the cycle', () => {
    const { logger, text } = capture();
    const node: Record<string, unknown> = { name: 'lnd-1', macaroon: 'MDAxY3ljbGVjeWNsZQ' };
    node.self = node;
    node.peers = [{ back: node }];
    logger.info({ node }, 'cyclic');
    expect(text()).toContain('cyclic');
    expect(text()).toContain('lnd-1');
    expect(text()).not.toContain('MDAxY3ljbGVjeWNsZQ');
  });

  it('does not change the logged object', () => {
    const { logger } = capture();
    const settings = { database: { url: 'postgres://app:keep-me@db/x' }, lnd: { macaroon: 'MDAxa2VlcA' } };
    logger.info({ settings }, 'settings');
    expect(settings).toEqual({ database: { url: 'postgres://app:keep-me@db/x' }, lnd: { macaroon: 'MDAxa2VlcA' } });
  });

  it('survives a very deeply nested value', () => {
    const { logger, text } = capture();
    let deep: Record<string, unknown> = { password: 'bottom-pw' };
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    logger.info({ deep }, 'deep value');
    expect(text()).toContain('deep value');
    expect(text()).not.toContain('bottom-pw');
  });

  it.each([
    ['an error logged alone', (logger: pino.Logger) => logger.error(new Error('cannot connect to postgres://app:alone-pw@db:5432/shop'))],
    [
      'an error logged as { err } without a message (Nest Logger.error(err) through nestjs-pino)',
      (logger: pino.Logger) => logger.error({ err: new Error('cannot connect to postgres://app:alone-pw@db:5432/shop'), context: 'TypeOrmModule' }),
    ],
  ])('hides a URL password in the message pino takes from %s', (_what, log) => {
    const { logger, text } = capture();
    log(logger);
    expect(text()).not.toContain('alone-pw');
    expect(JSON.parse(text()).msg).toBe('cannot connect to postgres://app:***@db:5432/shop');
  });

  it("hides a URL password in an error's cause", () => {
    const { logger, text } = capture();
    const err = new Error('queue unavailable', { cause: new Error('connect to redis://:cause-pw@cache:6379 failed') });
    logger.error({ err }, 'webhook fan-out failed');
    expect(text()).not.toContain('cause-pw');
    expect(JSON.parse(text()).err.message).toBe('queue unavailable: connect to redis://:***@cache:6379 failed');
  });

  it("hides secrets in an error's own fields (a client's options, a nested error's URL)", () => {
    const { logger, text } = capture();
    const err = Object.assign(new Error('request failed'), {
      options: { host: 'lnd-1', macaroon: 'MDAxZXJyb3JmaWVsZA' },
      target: 'redis://:field-pw@cache:6379',
    });
    logger.error({ err }, 'failed');
    logger.warn({ detail: { error: err } }, 'nested');
    expect(text()).not.toContain('MDAxZXJyb3JmaWVsZA');
    expect(text()).not.toContain('field-pw');
    expect(JSON.parse(text().split('\n')[0]).err).toMatchObject({ message: 'request failed', options: { host: 'lnd-1', macaroon: '[redacted]' } });
  });

  it('hides secrets in class instances (configuration sections) and URL objects', () => {
    class NodeSettings {
      name = 'lnd-1';
      macaroon = 'MDAxY2xhc3NpbnN0YW5jZQ';
      database = { url: 'postgres://app:class-pw@db/shop' };
    }
    const { logger, text } = capture();
    logger.info({ settings: { node: new NodeSettings() }, target: new URL('postgres://app:url-object-pw@db/shop') }, 'settings');
    expect(text()).not.toContain('MDAxY2xhc3NpbnN0YW5jZQ');
    expect(text()).not.toContain('class-pw');
    expect(text()).not.toContain('url-object-pw');
    expect(JSON.parse(text())).toMatchObject({ settings: { node: { name: 'lnd-1', macaroon: '[redacted]' } }, target: 'postgres://app:***@db/shop' });
  });

  it('keeps logging when a logged value has a getter that throws', () => {
    const { logger, text } = capture();
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    expect(() => logger.info({ nested: { hostile } }, 'still logged')).not.toThrow();
    expect(text()).toContain('still logged');
  });

  it('keeps ordinary fields', () => {
    const { logger, text } = capture();
    logger.info({ node: 'lnd-1', checkoutId: 'abc', amountSats: 21 }, 'invoice created');
    expect(JSON.parse(text())).toMatchObject({ node: 'lnd-1', checkoutId: 'abc', amountSats: 21 });
  });
});

describe('quietStartupLogger', () => {
  it("moves Nest's route and module lines to debug and keeps everything else", () => {
    const calls: string[] = [];
    const record =
      (level: string) =>
      (message: unknown, ...params: unknown[]) =>
        void calls.push(`${level} ${String(message)} ${params.join(',')}`);
    const logger = quietStartupLogger({ log: record('info'), error: record('error'), warn: record('warn'), debug: record('debug') });
    logger.log('Mapped {/, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('webhook delivery started', 'WebhookDispatcher');
    logger.warn('Using the embedded DEV Lightning backend', 'LightningService');
    logger.error('boom', 'RouterExplorer');
    expect(calls).toEqual([
      'debug Mapped {/, GET} route RouterExplorer',
      'debug AppModule dependencies initialized InstanceLoader',
      'info webhook delivery started WebhookDispatcher',
      'warn Using the embedded DEV Lightning backend LightningService',
      'error boom RouterExplorer',
    ]);
  });
});
