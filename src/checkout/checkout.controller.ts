import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, AUTH_PROBLEMS, BODY_PROBLEMS, WRITE_PROBLEMS } from '../common/api-problems';
import type { Response } from 'express';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { ApiKeyGuard, CurrentStore } from '../stores/api-key.guard';
import { Policy, RequirePermission } from '../stores/permissions';
import { Store } from '../stores/store.entity';
import { CreateCheckoutDto, ListCheckoutsQuery } from './checkout.dto';
import { CheckoutService } from './checkout.service';
import { CheckoutPage, CheckoutView, checkoutView } from './checkout.view';

@ApiTags('checkouts')
@ApiBearerAuth()
@ApiProblems(AUTH_PROBLEMS)
@UseGuards(ApiKeyGuard)
@Controller('api/v1/checkouts')
export class CheckoutController {
  constructor(
    private readonly checkouts: CheckoutService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @RequirePermission(Policy.CanCreateInvoice)
  @ApiOperation({
    summary: 'Create a checkout',
    description: 'Issues a Lightning invoice for the amount (fiat is converted at a rate locked now) and returns the checkout with its hosted page link.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'The same key with the same body returns the same checkout (200, `Idempotent-Replayed: true`)',
  })
  @ApiCreatedResponse({ type: CheckoutView, description: 'Created; `Location` names it' })
  @ApiOkResponse({ type: CheckoutView, description: 'A replay of an earlier request with the same Idempotency-Key' })
  @ApiProblems(
    BODY_PROBLEMS,
    WRITE_PROBLEMS,
    'invalid_idempotency_key',
    'idempotency_key_reused',
    'invalid_amount',
    'amount_required',
    'amount_too_small',
    'amount_too_large',
    'unsupported_currency',
    'lightning_unavailable',
    'rate_unavailable',
  )
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
  @ApiOperation({ summary: 'List checkouts', description: 'Newest first; filter by status or orderId.' })
  @ApiOkResponse({ type: CheckoutPage })
  @ApiProblems('nul_character', 'validation_failed')
  async list(@CurrentStore() store: Store, @Query() query: ListCheckoutsQuery) {
    const page = await this.checkouts.list(store, query);
    return { ...page, items: page.items.map((c) => checkoutView(c, this.config.server.publicUrl)) };
  }

  @Get(':id')
  @RequirePermission(Policy.CanViewInvoices)
  @ApiOperation({ summary: 'Get a checkout' })
  @ApiOkResponse({ type: CheckoutView })
  @ApiProblems('nul_character', 'checkout_not_found')
  async get(@CurrentStore() store: Store, @Param('id') id: string) {
    return checkoutView(await this.checkouts.get(store, id), this.config.server.publicUrl);
  }

  @Post(':id/cancel')
  @RequirePermission(Policy.CanModifyInvoices)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Cancel a New checkout',
    description: 'The checkout becomes Invalid and its invoice is canceled on the node, so it can no longer be paid.',
  })
  @ApiOkResponse({ type: CheckoutView, description: 'The canceled checkout (status Invalid)' })
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'checkout_not_found', 'checkout_not_cancelable')
  async cancel(@CurrentStore() store: Store, @Param('id') id: string) {
    return checkoutView(await this.checkouts.cancel(store, id), this.config.server.publicUrl);
  }
}
