import { join } from 'node:path';
import { satisfies } from 'semver';
import { SERVER_VERSION } from '../../src/common/version';
import { ConfigError, deepMerge, loadConfig } from '../../src/config/load-config';
import { pluginManifest } from '../../src/plugins/checkout-plugin.decorator';
import { enabledPlugins } from '../../src/plugins/registry';
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

  it('stops start-up on an unknown plugin, naming it, the built-in plugins and what else was tried', async () => {
    const err = await createApp(configWith({ enabled: ['woocommerce', 'magento'] })).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toContain(
      `plugins.enabled: unknown plugin "magento": not a built-in plugin (built-in: greenfield, shopify, woocommerce), not an npm package installed in ${join(process.cwd(), 'node_modules')} or above, and not a path (start it with ./ or /)`,
    );
  });

  it('registers only the enabled plugins, from plugins/<name>, and their settings under the manifest name', async () => {
    const plugins = enabledPlugins(configWith({ enabled: ['greenfield'] }));
    expect(plugins.loaded.map((p) => [p.name, pluginManifest(p.plugin).compatibility])).toEqual([['greenfield', expect.any(String)]]);
    // The shipped plugins are released with the server: their range has to admit its version.
    expect(satisfies(SERVER_VERSION, pluginManifest(plugins.loaded[0].plugin).compatibility)).toBe(true);
  });

  it('stops start-up on invalid plugin settings, naming the key', async () => {
    const err = await createApp(
      configWith({
        enabled: ['woocommerce'],
        woocommerce: { sites: [{ storeId: 's1', url: 'https://shop.example', consumerKey: 'ck_1', consumerSecret: '', webhookSecret: 'long-enough' }] },
      }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('plugins.woocommerce.sites.0.consumerSecret: consumerSecret is required');
    const site = { storeId: 's1', url: 'https://shop.example', consumerKey: 'ck_1', consumerSecret: 'cs_1', webhookSecret: 'long-enough' };
    await expect(
      createApp(configWith({ enabled: ['woocommerce'], woocommerce: { sites: [site, { ...site, url: 'https://other.example' }] } })),
    ).rejects.toThrow(/plugins\.woocommerce\.sites: sites must name each storeId once/);
  });

  it('with onError: disable, starts without the broken plugin and serves the others', async () => {
    t = await startTestApp({
      db,
      config: {
        plugins: { enabled: ['shopify', 'greenfield'], onError: 'disable', shopify: { shops: [{ storeId: 's1', shop: 'x.myshopify.com', accessToken: '' }] } },
      },
    });
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
