import { ConfigError, deepMerge, loadConfig } from '../../src/config/load-config';
import { createApp } from '../../src/create-app';
import { PluginsReport } from '../../src/plugins/plugins.module';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-db';

describe('plugin loader at start-up', () => {
  let db: TestDatabase;
  let t: TestApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const configWith = (plugins: Record<string, unknown>) =>
    loadConfig({ env: { LOG_LEVEL: 'silent' }, overrides: deepMerge({ database: db.config, server: { port: 0 } }, { plugins }) });

  it('stops start-up on an unknown plugin, naming it', async () => {
    await expect(createApp(configWith({ enabled: ['woocommerce', 'magento'] }))).rejects.toThrow(/plugins\.enabled: unknown plugin "magento" \(known: woocommerce, shopify, greenfield\)/);
  });

  it('stops start-up on invalid plugin settings, naming the key', async () => {
    const err = await createApp(configWith({ enabled: ['woocommerce'], woocommerce: { sites: [{ storeId: 's1', url: 'https://shop.example', consumerKey: 'ck_1', consumerSecret: '', webhookSecret: 'long-enough' }] } })).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('plugins.woocommerce.sites.0.consumerSecret: consumerSecret is required');
    const site = { storeId: 's1', url: 'https://shop.example', consumerKey: 'ck_1', consumerSecret: 'cs_1', webhookSecret: 'long-enough' };
    await expect(createApp(configWith({ enabled: ['woocommerce'], woocommerce: { sites: [site, { ...site, url: 'https://other.example' }] } }))).rejects.toThrow(/plugins\.woocommerce\.sites: sites must name each storeId once/);
  });

  it('with onError: disable, starts without the broken plugin and serves the others', async () => {
    t = await startTestApp({ db, config: { plugins: { enabled: ['shopify', 'greenfield'], onError: 'disable', shopify: { shops: [{ storeId: 's1', shop: 'x.myshopify.com', accessToken: '' }] } } } });
    const report = t.app.get(PluginsReport);
    expect(report.loaded).toEqual([{ name: 'greenfield', version: '1.0.0' }]);
    expect(report.disabled).toEqual([{ name: 'shopify', reason: expect.stringContaining('plugins.shopify.shops.0.accessToken') }]);
    await t.http.post('/plugins/shopify/webhook/s1').send({}).expect(404);
    const { apiKey } = await t.createStore();
    await t.http.get('/api/v1/server/info').set('Authorization', `token ${apiKey}`).expect(200);
  });

  it('loads no plugin routes by default', async () => {
    const plain = await startTestApp();
    try {
      expect(plain.app.get(PluginsReport).loaded).toEqual([]);
      await plain.http.get('/api/v1/server/info').expect(404);
    } finally {
      await plain.close();
    }
  });
});
