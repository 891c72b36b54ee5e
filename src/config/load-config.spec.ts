import { join } from 'node:path';
import { ConfigError, loadConfig, localPublicUrl } from './load-config';

function configError(options: Parameters<typeof loadConfig>[0]): string {
  try {
    loadConfig(options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads the embedded default: sqlite and the dev backend', () => {
    const config = loadConfig({ env: {} });
    expect(config.database.type).toBe('sqlite');
    expect(config.lightning.backend.type).toBe('dev');
    expect(config.server.port).toBe(3000);
  });

  it('applies APP_ environment overrides with their types', () => {
    const config = loadConfig({ env: { APP_SERVER__PORT: '8080', APP_WEBHOOKS__ALLOW_PRIVATE_TARGETS: 'true' } });
    expect(config.server.port).toBe(8080);
    expect(config.webhooks.allowPrivateTargets).toBe(true);
  });

  it('switches to postgres when DATABASE_URL is set', () => {
    const config = loadConfig({ env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' } });
    expect(config.database.type).toBe('postgres');
  });

  it('names the bad key in the error', () => {
    expect(() => loadConfig({ env: { APP_SERVER__PORT: 'eighty' } })).toThrow(/server\.port/);
    expect(() => loadConfig({ env: { APP_DATABASE__TYPE: 'mysql' } })).toThrow(/database\.type/);
    expect(() => loadConfig({ overrides: { lightning: { backend: { type: 'lnd', name: 'a' } } } })).toThrow(/lightning\.backend\.socket/);
  });

  it('wants a dead instance to have missed several heartbeats', () => {
    expect(loadConfig({ env: {} }).instances).toEqual({ heartbeatMs: 1000, deadAfterMs: 4000 });
    expect(() => loadConfig({ overrides: { instances: { heartbeatMs: 3000, deadAfterMs: 4000 } } })).toThrow(/instances\.deadAfterMs/);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ env: { APP_SERVER__PORT: '-1', APP_CHECKOUT__EXPIRY_SECONDS: '1' } });
      fail('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.join('\n')).toMatch(/server\.port[\s\S]*checkout\.expirySeconds/);
    }
  });

  describe('public URL', () => {
    it('follows PORT when publicUrl is not set', () => {
      const config = loadConfig({ env: { PORT: '4411' } });
      expect(config.server.publicUrl).toBe('http://localhost:4411');
      expect(config.server.publicUrlFromPort).toBe(true);
    });

    it('is http://localhost:3000 on the defaults', () => {
      expect(loadConfig({ env: {} }).server.publicUrl).toBe('http://localhost:3000');
    });

    it('names a non-local host as it is', () => {
      expect(loadConfig({ env: { HOST: '192.0.2.7', PORT: '8080' } }).server.publicUrl).toBe('http://192.0.2.7:8080');
      expect(localPublicUrl('0.0.0.0', 80)).toBe('http://localhost:80');
      expect(localPublicUrl('fd00::5', 3000)).toBe('http://[fd00::5]:3000');
    });

    it('keeps a configured publicUrl whatever the port', () => {
      const config = loadConfig({ env: { PORT: '4411', PUBLIC_URL: 'https://pay.shop.example' } });
      expect(config.server.publicUrl).toBe('https://pay.shop.example');
      expect(config.server.publicUrlFromPort).toBeFalsy();
    });

    it('reports only the port when the port is bad', () => {
      const message = configError({ env: { PORT: 'eighty' } });
      expect(message).toMatch(/server\.port/);
      expect(message).not.toMatch(/publicUrl/);
    });
  });

  describe('DATA_DIR', () => {
    it('keeps the database in data/ by default', () => {
      expect(loadConfig({ env: {} }).database.path).toBe(join('data', 'checkout.sqlite'));
    });

    it('moves the SQLite database into DATA_DIR', () => {
      const config = loadConfig({ env: { DATA_DIR: '/srv/checkout' } });
      expect(config.dataDir).toBe('/srv/checkout');
      expect(config.database.path).toBe('/srv/checkout/checkout.sqlite');
    });

    it('leaves an explicit database.path alone', () => {
      expect(loadConfig({ env: { DATA_DIR: '/srv/checkout', APP_DATABASE__PATH: '/var/lib/x.sqlite' } }).database.path).toBe('/var/lib/x.sqlite');
    });
  });

  describe('errors never show secrets', () => {
    it.each([
      [
        'a database URL with a typo in the scheme',
        { DATABASE_URL: 'postgress://shop:Tr0ub4dor-3@db.internal:5432/shop' },
        'Tr0ub4dor-3',
        /database\.url.*postgress:\/\/shop:\*\*\*@db\.internal:5432\/shop/,
      ],
      ['a MySQL URL', { DATABASE_URL: 'mysql://root:my-sql-pw@127.0.0.1/shop' }, 'my-sql-pw', /database\.url.*mysql:\/\/root:\*\*\*@127\.0\.0\.1\/shop/],
      ['a database URL missing its colon', { DATABASE_URL: 'postgres//shop:no-colon-pw@db/shop' }, 'no-colon-pw', /database\.url/],
      ['a password in a query parameter', { DATABASE_URL: 'pg://db.internal/shop?user=shop&password=qu3ry-pw' }, 'qu3ry-pw', /database\.url.*password=\*\*\*/],
      ['a Redis URL with a typo', { REDIS_URL: 'redis:/:r3dis-pw@cache:6379' }, 'r3dis-pw', /redis\.url/],
      [
        'a Redis URL with the wrong scheme',
        { REDIS_URL: 'http://default:r3dis-pw2@cache:6379' },
        'r3dis-pw2',
        /redis\.url.*http:\/\/default:\*\*\*@cache:6379/,
      ],
    ])('%s', (_what, env, secret, shown) => {
      const message = configError({ env });
      expect(message).toMatch(shown);
      expect(message).not.toContain(secret);
    });

    it('leaves out the value of a secret key entirely', () => {
      const macaroon = '0201036c6e6402f801030a10b3bf6906c1937139ac0684ac4417139d';
      const message = configError({ overrides: { lightning: { backend: { type: 'lnd', name: 'a', socket: 'x', cert: 'c', macaroon: 12345 } } } });
      expect(message).toMatch(/lightning\.backend\.macaroon.*not shown/);
      expect(message).not.toContain('12345');
      const nested = configError({
        overrides: {
          lightning: {
            backend: { type: 'pool', name: 'p', members: [{ type: 'lnd', name: 'n1', socket: 's', cert: 'c', macaroon: macaroon, timeoutMs: 'slow' }] },
          },
        },
      });
      expect(nested).toMatch(/timeoutMs/);
      expect(nested).not.toContain(macaroon);
    });

    it('hides a macaroon in pool members written as a mapping instead of a list', () => {
      // class-transformer makes them class instances, which the redaction used to pass over.
      const macaroon = '0201036c6e6402f801030a10b3bf6906c1937139ac0684ac4417139d';
      const member = { type: 'lnd', name: 'n1', socket: 'lnd-1:10009', cert: 'c', macaroon };
      for (const backend of [
        { type: 'pool', name: 'p', members: { one: member } },
        { type: 'cluster', name: 'c', clusterMembers: member },
      ]) {
        const message = configError({ overrides: { lightning: { backend } } });
        expect(message).toMatch(/must be an array/);
        expect(message).toContain('lnd-1:10009');
        expect(message).not.toContain(macaroon);
      }
    });

    it('hides secrets inside an object shown as a bad value', () => {
      const message = configError({ overrides: { lightning: { healthIntervalSeconds: { url: 'postgres://a:obj-pw@db/x', token: 'obj-token' } } } });
      expect(message).toMatch(/lightning\.healthIntervalSeconds.*postgres:\/\/a:\*\*\*@db\/x/);
      expect(message).not.toContain('obj-pw');
      expect(message).not.toContain('obj-token');
    });

    it('shows an ordinary bad value as it was given', () => {
      expect(configError({ overrides: { checkout: { allowedFrameOrigins: 'https://shop.example' } } })).toContain('(got "https://shop.example")');
    });

    it('does not quote the YAML file in a parse error', () => {
      const { mkdtempSync, writeFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
      const { tmpdir } = jest.requireActual<typeof import('node:os')>('node:os');
      const dir = mkdtempSync(join(tmpdir(), 'lc-config-'));
      writeFileSync(join(dir, 'bad.yaml'), 'database:\n  type: postgres\n  url: "postgres://shop:yaml-pw@db/shop\n');
      const message = configError({ env: { CONFIG_FILE: join(dir, 'bad.yaml') } });
      expect(message).toMatch(/not valid YAML/);
      expect(message).not.toContain('yaml-pw');
    });
  });

  it('takes per-peer addresses for a cluster and names a bad one', () => {
    const cluster = (peerAddresses: unknown) => ({
      lightning: {
        backend: { type: 'cluster', name: 'c', clusterMembers: [{ name: 'a', socket: 'a:10009', cert: 'x', macaroon: 'y' }], peerAddresses },
      },
    });
    const pubkey = '02' + 'ab'.repeat(32);
    const config = loadConfig({ env: {}, overrides: cluster([{ pubkey, address: 'peer.example:9735' }]) });
    expect(config.lightning.backend.peerAddresses).toEqual([{ pubkey, address: 'peer.example:9735' }]);
    expect(() => loadConfig({ env: {}, overrides: cluster([{ pubkey: 'abc', address: 'peer.example:9735' }]) })).toThrow(/peerAddresses\.0\.pubkey/);
    expect(() => loadConfig({ env: {}, overrides: cluster([{ pubkey, address: 'peer.example' }]) })).toThrow(/peerAddresses\.0\.address/);
  });
});
