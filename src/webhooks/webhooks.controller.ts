import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, AUTH_PROBLEMS, BODY_PROBLEMS, WRITE_PROBLEMS } from '../common/api-problems';
import type { Response } from 'express';
import { ApiKeyGuard, CurrentStore } from '../stores/api-key.guard';
import { Policy, RequirePermission } from '../stores/permissions';
import { Store } from '../stores/store.entity';
import {
  attemptView,
  deliverySummary,
  endpointView,
  WebhookDeliveryDetailView,
  WebhookDeliveryPage,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookList,
  WebhookWithSecretView,
} from './webhook.views';
import { CreateWebhookDto, ListDeliveriesQuery, RotateSecretDto, UpdateWebhookDto } from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequirePermission(Policy.CanModifyWebhooks)
@ApiProblems(AUTH_PROBLEMS)
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** The response carries the signing secret; it is not shown again (rotate to get a new one). */
  @Post()
  @ApiOperation({ summary: 'Register a webhook', description: 'The answer holds the signing secret once; `Location` names the webhook.' })
  @ApiCreatedResponse({ type: WebhookWithSecretView })
  @ApiProblems(
    BODY_PROBLEMS,
    WRITE_PROBLEMS,
    'invalid_webhook_url',
    'webhook_url_forbidden',
    'webhook_url_unresolvable',
    'invalid_webhook_secret',
    'too_many_webhooks',
  )
  async create(@CurrentStore() store: Store, @Body() dto: CreateWebhookDto, @Res({ passthrough: true }) res: Response): Promise<WebhookWithSecretView> {
    const { endpoint, secret } = await this.webhooks.create(store.id, dto);
    res.setHeader('Location', `/api/v1/webhooks/${endpoint.id}`);
    return { ...endpointView(endpoint), secret };
  }

  @Get()
  @ApiOperation({ summary: "List the store's webhooks" })
  @ApiOkResponse({ type: WebhookList })
  async list(@CurrentStore() store: Store) {
    return { items: (await this.webhooks.list(store.id)).map(endpointView) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a webhook' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiProblems('nul_character', 'webhook_not_found')
  async get(@CurrentStore() store: Store, @Param('id') id: string) {
    return endpointView(await this.webhooks.get(store.id, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a webhook', description: 'Absent fields stay as they are.' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'webhook_not_found', 'invalid_webhook_url', 'webhook_url_forbidden', 'webhook_url_unresolvable')
  async update(@CurrentStore() store: Store, @Param('id') id: string, @Body() dto: UpdateWebhookDto) {
    return endpointView(await this.webhooks.update(store.id, id, dto));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a webhook' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'webhook_not_found')
  async remove(@CurrentStore() store: Store, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(store.id, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Rotate a webhook's signing secret",
    description: 'Deliveries carry a second signature made with the old secret for previousSecretTtlSeconds, so receivers can switch without losing any.',
  })
  @ApiOkResponse({ type: WebhookWithSecretView })
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'webhook_not_found', 'invalid_webhook_secret')
  async rotate(@CurrentStore() store: Store, @Param('id') id: string, @Body() dto: RotateSecretDto) {
    const { endpoint, secret } = await this.webhooks.rotateSecret(store.id, id, dto.secret, dto.previousSecretTtlSeconds);
    return { ...endpointView(endpoint), secret };
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "List a webhook's deliveries", description: 'Newest first.' })
  @ApiOkResponse({ type: WebhookDeliveryPage })
  @ApiProblems('nul_character', 'webhook_not_found', 'validation_failed')
  async deliveries(@CurrentStore() store: Store, @Param('id') id: string, @Query() query: ListDeliveriesQuery) {
    const page = await this.webhooks.listDeliveries(store.id, id, query);
    return { ...page, items: page.items.map(deliverySummary) };
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperation({ summary: 'Get a delivery with its body and every attempt' })
  @ApiOkResponse({ type: WebhookDeliveryDetailView })
  @ApiProblems('nul_character', 'webhook_not_found', 'webhook_delivery_not_found')
  async delivery(@CurrentStore() store: Store, @Param('id') id: string, @Param('deliveryId') deliveryId: string): Promise<WebhookDeliveryDetailView> {
    const { delivery, attempts } = await this.webhooks.getDelivery(store.id, id, deliveryId);
    return { ...deliverySummary(delivery), body: delivery.body, attemptLog: attempts.map(attemptView) };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @ApiOperation({
    summary: 'Send a delivery again',
    description: 'A new delivery of the same event and body (`isRedelivery`), queued at once; `Location` names it.',
  })
  @ApiCreatedResponse({ type: WebhookDeliveryView })
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'webhook_not_found', 'webhook_delivery_not_found')
  async redeliver(@CurrentStore() store: Store, @Param('id') id: string, @Param('deliveryId') deliveryId: string, @Res({ passthrough: true }) res: Response) {
    const delivery = await this.webhooks.redeliver(store.id, id, deliveryId);
    res.setHeader('Location', `/api/v1/webhooks/${id}/deliveries/${delivery.id}`);
    return deliverySummary(delivery);
  }
}
