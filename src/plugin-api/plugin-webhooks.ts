import { Injectable } from '@nestjs/common';
import type { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import type { WebhookEndpoint, WebhookFormat } from '../webhooks/webhook-endpoint.entity';
import { WebhooksService } from '../webhooks/webhooks.service';
import type { WebhookDeliveryView, WebhookEndpointView } from './views';

export interface WebhookEndpointInput {
  url: string;
  /** Event names to send (in the endpoint's format); empty means every event. */
  events: string[];
  enabled?: boolean;
  /** Generated when absent. */
  secret?: string;
  format?: WebhookFormat;
}

export interface WebhookEndpointChanges {
  url?: string;
  events?: string[];
  enabled?: boolean;
}

const endpointView = (e: WebhookEndpoint): WebhookEndpointView => ({
  id: e.id,
  storeId: e.storeId,
  url: e.url,
  description: e.description,
  events: e.events,
  enabled: e.enabled,
  format: e.format,
  disabledReason: e.disabledReason,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

const deliveryView = (d: WebhookDelivery): WebhookDeliveryView => ({
  id: d.id,
  endpointId: d.endpointId,
  storeId: d.storeId,
  eventId: d.eventId,
  type: d.type,
  checkoutId: d.checkoutId,
  body: d.body,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  isRedelivery: d.isRedelivery,
  originalDeliveryId: d.originalDeliveryId,
  createdAt: d.createdAt,
  completedAt: d.completedAt,
});

/**
 * A store's webhook endpoints and their delivery log, for plugins that expose them under another
 * server's API (Greenfield). Deliveries are made by the core's webhooks module, as for its own API;
 * the same store scoping, URL checks and problem codes apply.
 */
@Injectable()
export class PluginWebhooks {
  constructor(private readonly webhooks: WebhooksService) {}

  /** The only time the secret is returned. */
  async create(storeId: string, input: WebhookEndpointInput): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
    const { endpoint, secret } = await this.webhooks.create(storeId, input);
    return { endpoint: endpointView(endpoint), secret };
  }

  async list(storeId: string): Promise<WebhookEndpointView[]> {
    return (await this.webhooks.list(storeId)).map(endpointView);
  }

  async get(storeId: string, id: string): Promise<WebhookEndpointView> {
    return endpointView(await this.webhooks.get(storeId, id));
  }

  /** One change, secret included: a refused part leaves the endpoint as it was. */
  async update(storeId: string, id: string, changes: WebhookEndpointChanges, secret?: string): Promise<WebhookEndpointView> {
    return endpointView(await this.webhooks.update(storeId, id, changes, secret));
  }

  remove(storeId: string, id: string): Promise<void> {
    return this.webhooks.remove(storeId, id);
  }

  /** Newest first. */
  async deliveries(storeId: string, endpointId: string, page: { limit: number; offset: number }): Promise<WebhookDeliveryView[]> {
    return (await this.webhooks.listDeliveries(storeId, endpointId, page)).items.map(deliveryView);
  }

  async delivery(storeId: string, endpointId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    return deliveryView((await this.webhooks.getDelivery(storeId, endpointId, deliveryId)).delivery);
  }

  /** Queues the delivery's body again, as a new delivery. */
  async redeliver(storeId: string, endpointId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    return deliveryView(await this.webhooks.redeliver(storeId, endpointId, deliveryId));
  }
}
