import { Body, Controller, Get, Headers, HttpStatus, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { ApiKeyGuard, CurrentStore } from '../stores/api-key.guard';
import { Policy, RequirePermission } from '../stores/permissions';
import { Store } from '../stores/store.entity';
import { CreateCheckoutDto, ListCheckoutsQuery } from './checkout.dto';
import { CheckoutService } from './checkout.service';
import { checkoutView } from './checkout.view';

@ApiTags('checkouts')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('api/v1/checkouts')
export class CheckoutController {
  constructor(
    private readonly checkouts: CheckoutService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @RequirePermission(Policy.CanCreateInvoice)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key returns the same checkout' })
  async create(
    @CurrentStore() store: Store,
    @Body() dto: CreateCheckoutDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'invalid_idempotency_key', 'Idempotency-Key must be 1-200 visible ASCII characters.');
    }
    const { checkout, replayed } = await this.checkouts.create(store, dto, idempotencyKey);
    res.status(replayed ? HttpStatus.OK : HttpStatus.CREATED);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.setHeader('Location', `/api/v1/checkouts/${checkout.id}`);
    return checkoutView(checkout, this.config.server.publicUrl);
  }

  @Get()
  @RequirePermission(Policy.CanViewInvoices)
  async list(@CurrentStore() store: Store, @Query() query: ListCheckoutsQuery) {
    const page = await this.checkouts.list(store, query);
    return { ...page, items: page.items.map((c) => checkoutView(c, this.config.server.publicUrl)) };
  }

  @Get(':id')
  @RequirePermission(Policy.CanViewInvoices)
  async get(@CurrentStore() store: Store, @Param('id') id: string) {
    return checkoutView(await this.checkouts.get(store, id), this.config.server.publicUrl);
  }

  @Post(':id/cancel')
  @RequirePermission(Policy.CanModifyInvoices)
  async cancel(@CurrentStore() store: Store, @Param('id') id: string, @Res({ passthrough: true }) res: Response) {
    res.status(HttpStatus.OK);
    return checkoutView(await this.checkouts.cancel(store, id), this.config.server.publicUrl);
  }
}
