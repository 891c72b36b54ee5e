import type { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity';
import type { WebhooksService } from '../webhooks/webhooks.service';
import { PluginWebhooks } from './plugin-webhooks';

const stored = {
  id: 'wh1',
  storeId: 's1',
  url: 'https://shop.example/hook',
  description: null,
  events: [],
  enabled: true,
  format: 'btcpay',
  secret: 'whsec_current-secret-value',
  previousSecret: 'whsec_previous-secret-value',
  previousSecretExpiresAt: new Date(),
  disabledReason: null,
  createdAt: new Date(),
  updatedAt: new Date(),
} as WebhookEndpoint;

describe('PluginWebhooks', () => {
  const service = {
    create: jest.fn(async () => ({ endpoint: stored, secret: stored.secret })),
    list: jest.fn(async () => [stored]),
    get: jest.fn(async () => stored),
    update: jest.fn(async () => stored),
  };
  const webhooks = new PluginWebhooks(service as unknown as WebhooksService);

  it('hands out endpoints without their secrets; the secret only once, beside the endpoint, on create', async () => {
    const created = await webhooks.create('s1', { url: stored.url, events: [], format: 'btcpay' });
    expect(created.secret).toBe(stored.secret);
    for (const endpoint of [
      created.endpoint,
      ...(await webhooks.list('s1')),
      await webhooks.get('s1', 'wh1'),
      await webhooks.update('s1', 'wh1', { enabled: false }),
    ]) {
      expect(endpoint).toMatchObject({ id: 'wh1', url: stored.url, format: 'btcpay' });
      expect(JSON.stringify(endpoint)).not.toContain('secret-value');
    }
  });

  it('scopes every call to the store it is given', async () => {
    await webhooks.update('s1', 'wh1', { url: 'https://shop.example/new' }, 'a-new-secret-123');
    expect(service.update).toHaveBeenLastCalledWith('s1', 'wh1', { url: 'https://shop.example/new' }, 'a-new-secret-123');
  });
});
