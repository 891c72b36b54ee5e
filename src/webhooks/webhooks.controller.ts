import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyGuard, CurrentStore } from '../stores/api-key.guard';
import { Policy, RequirePermission } from '../stores/permissions';
import { Store } from '../stores/store.entity';
import { attemptView, deliverySummary, endpointView } from './webhook.views';
import { CreateWebhookDto, ListDeliveriesQuery, RotateSecretDto, UpdateWebhookDto } from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequirePermission(Policy.CanModifyWebhooks)
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** The response carries the signing secret; it is not shown again (rotate to get a new one). */
  @Post()
  async create(@CurrentStore() store: Store, @Body() dto: CreateWebhookDto, @Res({ passthrough: true }) res: Response) {
    const { endpoint, secret } = await this.webhooks.create(store.id, dto);
    res.setHeader('Location', `/api/v1/webhooks/${endpoint.id}`);
    return { ...endpointView(endpoint), secret };
  }

  @Get()
  async list(@CurrentStore() store: Store) {
    return { items: (await this.webhooks.list(store.id)).map(endpointView) };
  }

  @Get(':id')
  async get(@CurrentStore() store: Store, @Param('id') id: string) {
    return endpointView(await this.webhooks.get(store.id, id));
  }

  @Patch(':id')
  async update(@CurrentStore() store: Store, @Param('id') id: string, @Body() dto: UpdateWebhookDto) {
    return endpointView(await this.webhooks.update(store.id, id, dto));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentStore() store: Store, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(store.id, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  async rotate(@CurrentStore() store: Store, @Param('id') id: string, @Body() dto: RotateSecretDto) {
    const { endpoint, secret } = await this.webhooks.rotateSecret(store.id, id, dto.secret, dto.previousSecretTtlSeconds);
    return { ...endpointView(endpoint), secret };
  }

  @Get(':id/deliveries')
  async deliveries(@CurrentStore() store: Store, @Param('id') id: string, @Query() query: ListDeliveriesQuery) {
    const page = await this.webhooks.listDeliveries(store.id, id, query);
    return { ...page, items: page.items.map(deliverySummary) };
  }

  @Get(':id/deliveries/:deliveryId')
  async delivery(@CurrentStore() store: Store, @Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    const { delivery, attempts } = await this.webhooks.getDelivery(store.id, id, deliveryId);
    return { ...deliverySummary(delivery), body: delivery.body, attemptLog: attempts.map(attemptView) };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  async redeliver(@CurrentStore() store: Store, @Param('id') id: string, @Param('deliveryId') deliveryId: string, @Res({ passthrough: true }) res: Response) {
    const delivery = await this.webhooks.redeliver(store.id, id, deliveryId);
    res.setHeader('Location', `/api/v1/webhooks/${id}/deliveries/${delivery.id}`);
    return deliverySummary(delivery);
  }
}
