import { ConfigError, loadConfig } from './load-config';

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
    expect(() => loadConfig({ overrides: { lightning: { backend: { type: 'lnd', name: 'a' } } } })).toThrow(
      /lightning\.backend\.socket/,
    );
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
