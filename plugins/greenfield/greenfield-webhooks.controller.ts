import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProblemException } from '../../src/common/problem';
import { parsePlatformPayload } from '../../src/plugins/webhook-payload';
import { ApiKeyGuard, CurrentStore } from '../../src/stores/api-key.guard';
import { Policy, RequirePermission } from '../../src/stores/permissions';
import { Store } from '../../src/stores/store.entity';
import { WebhookDelivery } from '../../src/webhooks/webhook-delivery.entity';
import { WebhookEndpoint } from '../../src/webhooks/webhook-endpoint.entity';
import { WebhooksService } from '../../src/webhooks/webhooks.service';
import { toAuthorizedEvents, toStoredEvents } from './greenfield-webhook-events';
import { CreateGreenfieldWebhookDto, UpdateGreenfieldWebhookDto } from './greenfield-webhook.dto';
import { GreenfieldStoreGuard } from './greenfield-store.guard';

const webhookView = (e: WebhookEndpoint) => ({
  id: e.id,
  enabled: e.enabled,
  automaticRedelivery: true,
  url: e.url,
  authorizedEvents: toAuthorizedEvents(e.events),
});

const deliveryView = (d: WebhookDelivery) => ({
  id: d.id,
  timestamp: Math.floor(d.createdAt.getTime() / 1000),
  httpCode: d.lastStatusCode,
  errorMessage: d.lastError,
  // BTCPay's delivery statuses.
  status: d.status === 'succeeded' ? 'HttpSuccess' : d.status === 'pending' ? 'Pending' : d.lastStatusCode ? 'HttpError' : 'Failed',
});

function eventsOrFail(authorized: CreateGreenfieldWebhookDto['authorizedEvents']): string[] {
  const events = toStoredEvents(authorized);
  if (events === null) {
    throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'no_supported_events', 'None of authorizedEvents.specificEvents is an invoice event this server sends.', {
      message: 'None of the requested events is supported.',
    });
  }
  return events;
}

/** BTCPay Greenfield webhooks, stored and delivered by the server's own webhooks module (signed with BTCPay-Sig too). */
@ApiTags('greenfield')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard, GreenfieldStoreGuard)
@RequirePermission(Policy.CanModifyWebhooks)
@Controller('api/v1/stores/:storeId/webhooks')
export class GreenfieldWebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async create(@CurrentStore() store: Store, @Body() body: unknown) {
    const dto = parsePlatformPayload(CreateGreenfieldWebhookDto, body, 'validation_failed');
    const { endpoint, secret } = await this.webhooks.create(store.id, { url: dto.url, events: eventsOrFail(dto.authorizedEvents), enabled: dto.enabled ?? true, secret: dto.secret ?? undefined, format: 'btcpay' });
    return { ...webhookView(endpoint), secret };
  }

  @Get()
  async list(@CurrentStore() store: Store) {
    return (await this.webhooks.list(store.id)).map(webhookView);
  }

  @Get(':webhookId')
  async get(@CurrentStore() store: Store, @Param('webhookId') id: string) {
    return webhookView(await this.webhooks.get(store.id, id));
  }

  @Put(':webhookId')
  async update(@CurrentStore() store: Store, @Param('webhookId') id: string, @Body() body: unknown) {
    const dto = parsePlatformPayload(UpdateGreenfieldWebhookDto, body, 'validation_failed');
    // BTCPay's clients send every field, null for "unchanged" (the PHP client's default `secret: null`).
    // One update, secret included: a refused part (events, url, secret) leaves the webhook as it was.
    const events = dto.authorizedEvents ? eventsOrFail(dto.authorizedEvents) : undefined;
    const endpoint = await this.webhooks.update(store.id, id, { url: dto.url ?? undefined, enabled: dto.enabled ?? undefined, events }, dto.secret ?? undefined);
    return webhookView(endpoint);
  }

  @Delete(':webhookId')
  @HttpCode(HttpStatus.OK)
  async remove(@CurrentStore() store: Store, @Param('webhookId') id: string) {
    await this.webhooks.remove(store.id, id);
    return {};
  }

  @Get(':webhookId/deliveries')
  async deliveries(@CurrentStore() store: Store, @Param('webhookId') id: string) {
    const page = await this.webhooks.listDeliveries(store.id, id, { limit: 50, offset: 0 });
    return page.items.map(deliveryView);
  }

  @Get(':webhookId/deliveries/:deliveryId')
  async delivery(@CurrentStore() store: Store, @Param('webhookId') id: string, @Param('deliveryId') deliveryId: string) {
    return deliveryView((await this.webhooks.getDelivery(store.id, id, deliveryId)).delivery);
  }

  @Get(':webhookId/deliveries/:deliveryId/request')
  async deliveryRequest(@CurrentStore() store: Store, @Param('webhookId') id: string, @Param('deliveryId') deliveryId: string) {
    return JSON.parse((await this.webhooks.getDelivery(store.id, id, deliveryId)).delivery.body);
  }

  /** BTCPay answers with the new delivery's id as a JSON string. */
  @Post(':webhookId/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'application/json')
  async redeliver(@CurrentStore() store: Store, @Param('webhookId') id: string, @Param('deliveryId') deliveryId: string) {
    return JSON.stringify((await this.webhooks.redeliver(store.id, id, deliveryId)).id);
  }
}
