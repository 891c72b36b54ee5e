import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ApiKeyGuard,
  ApiProblems,
  AUTH_PROBLEMS,
  BODY_PROBLEMS,
  CurrentStore,
  parsePlatformPayload,
  PluginWebhooks,
  Policy,
  ProblemException,
  RequirePermission,
  type StoreView,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  WRITE_PROBLEMS,
} from '../../src/plugin-api';
import { GreenfieldOperation } from './greenfield-api-docs';
import { toAuthorizedEvents, toStoredEvents } from './greenfield-webhook-events';
import { CreateGreenfieldWebhookDto, UpdateGreenfieldWebhookDto } from './greenfield-webhook.dto';
import { GreenfieldStoreGuard } from './greenfield-store.guard';

const webhookView = (e: WebhookEndpointView) => ({
  id: e.id,
  enabled: e.enabled,
  automaticRedelivery: true,
  url: e.url,
  authorizedEvents: toAuthorizedEvents(e.events),
});

const deliveryView = (d: WebhookDeliveryView) => ({
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
    throw new ProblemException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'no_supported_events',
      'None of authorizedEvents.specificEvents is an invoice event this server sends.',
      {
        message: 'None of the requested events is supported.',
      },
    );
  }
  return events;
}

/** BTCPay Greenfield webhooks, stored and delivered by the server's own webhooks module (signed with BTCPay-Sig too). */
@ApiTags('greenfield')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard, GreenfieldStoreGuard)
@RequirePermission(Policy.CanModifyWebhooks)
@ApiProblems(AUTH_PROBLEMS, 'store_forbidden')
@Controller('api/v1/stores/:storeId/webhooks')
export class GreenfieldWebhooksController {
  constructor(private readonly webhooks: PluginWebhooks) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Register a webhook', 'webhook')
  @ApiProblems(
    BODY_PROBLEMS,
    WRITE_PROBLEMS,
    'no_supported_events',
    'invalid_webhook_url',
    'webhook_url_forbidden',
    'webhook_url_unresolvable',
    'invalid_webhook_secret',
    'too_many_webhooks',
  )
  async create(@CurrentStore() store: StoreView, @Body() body: unknown) {
    const dto = parsePlatformPayload(CreateGreenfieldWebhookDto, body, 'validation_failed');
    const { endpoint, secret } = await this.webhooks.create(store.id, {
      url: dto.url,
      events: eventsOrFail(dto.authorizedEvents),
      enabled: dto.enabled ?? true,
      secret: dto.secret ?? undefined,
      format: 'btcpay',
    });
    return { ...webhookView(endpoint), secret };
  }

  @Get()
  @GreenfieldOperation('List webhooks', 'webhook', { array: true })
  async list(@CurrentStore() store: StoreView) {
    return (await this.webhooks.list(store.id)).map(webhookView);
  }

  @Get(':webhookId')
  @GreenfieldOperation('Get a webhook', 'webhook')
  @ApiProblems('nul_character', 'webhook_not_found')
  async get(@CurrentStore() store: StoreView, @Param('webhookId') id: string) {
    return webhookView(await this.webhooks.get(store.id, id));
  }

  @Put(':webhookId')
  @GreenfieldOperation('Change a webhook', 'webhook')
  @ApiProblems(
    BODY_PROBLEMS,
    WRITE_PROBLEMS,
    'webhook_not_found',
    'no_supported_events',
    'invalid_webhook_url',
    'webhook_url_forbidden',
    'webhook_url_unresolvable',
    'invalid_webhook_secret',
  )
  async update(@CurrentStore() store: StoreView, @Param('webhookId') id: string, @Body() body: unknown) {
    const dto = parsePlatformPayload(UpdateGreenfieldWebhookDto, body, 'validation_failed');
    // BTCPay's clients send every field, null for "unchanged" (the PHP client's default `secret: null`).
    // One update, secret included: a refused part (events, url, secret) leaves the webhook as it was.
    const events = dto.authorizedEvents ? eventsOrFail(dto.authorizedEvents) : undefined;
    const endpoint = await this.webhooks.update(
      store.id,
      id,
      { url: dto.url ?? undefined, enabled: dto.enabled ?? undefined, events },
      dto.secret ?? undefined,
    );
    return webhookView(endpoint);
  }

  @Delete(':webhookId')
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Delete a webhook', 'empty')
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'webhook_not_found')
  async remove(@CurrentStore() store: StoreView, @Param('webhookId') id: string) {
    await this.webhooks.remove(store.id, id);
    return {};
  }

  @Get(':webhookId/deliveries')
  @GreenfieldOperation("A webhook's latest deliveries", 'delivery', { array: true })
  @ApiProblems('nul_character', 'webhook_not_found')
  async deliveries(@CurrentStore() store: StoreView, @Param('webhookId') id: string) {
    return (await this.webhooks.deliveries(store.id, id, { limit: 50, offset: 0 })).map(deliveryView);
  }

  @Get(':webhookId/deliveries/:deliveryId')
  @GreenfieldOperation('Get a delivery', 'delivery')
  @ApiProblems('nul_character', 'webhook_not_found', 'webhook_delivery_not_found')
  async delivery(@CurrentStore() store: StoreView, @Param('webhookId') id: string, @Param('deliveryId') deliveryId: string) {
    return deliveryView(await this.webhooks.delivery(store.id, id, deliveryId));
  }

  @Get(':webhookId/deliveries/:deliveryId/request')
  @GreenfieldOperation('The body a delivery sent', 'eventBody')
  @ApiProblems('nul_character', 'webhook_not_found', 'webhook_delivery_not_found')
  async deliveryRequest(@CurrentStore() store: StoreView, @Param('webhookId') id: string, @Param('deliveryId') deliveryId: string) {
    return JSON.parse((await this.webhooks.delivery(store.id, id, deliveryId)).body) as unknown;
  }

  /** BTCPay answers with the new delivery's id as a JSON string. */
  @Post(':webhookId/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'application/json')
  @GreenfieldOperation('Send a delivery again', 'deliveryId')
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'webhook_not_found', 'webhook_delivery_not_found')
  async redeliver(@CurrentStore() store: StoreView, @Param('webhookId') id: string, @Param('deliveryId') deliveryId: string) {
    return JSON.stringify((await this.webhooks.redeliver(store.id, id, deliveryId)).id);
  }
}
