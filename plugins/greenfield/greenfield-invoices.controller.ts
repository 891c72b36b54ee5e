import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ApiKeyGuard,
  ApiProblems,
  AUTH_PROBLEMS,
  BODY_PROBLEMS,
  type CheckoutRecord,
  CheckoutStatus,
  CurrentStore,
  parsePlatformPayload,
  PluginCheckouts,
  PluginServer,
  Policy,
  ProblemException,
  RequirePermission,
  type StoreView,
  WRITE_PROBLEMS,
} from '../../src/plugin-api';
import { GreenfieldOperation } from './greenfield-api-docs';
import { CreateGreenfieldInvoiceDto, ListGreenfieldInvoicesQuery, MarkInvoiceStatusDto, UpdateGreenfieldInvoiceDto } from './greenfield-invoice.dto';
import { greenfieldInvoice, greenfieldPaymentMethod } from './greenfield-invoice.view';
import { GreenfieldStoreGuard } from './greenfield-store.guard';
import { GreenfieldOptions } from './greenfield.options';

/** BTCPay Greenfield invoices, backed by checkouts. */
@ApiTags('greenfield')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard, GreenfieldStoreGuard)
@ApiProblems(AUTH_PROBLEMS, 'store_forbidden')
@Controller('api/v1/stores/:storeId/invoices')
export class GreenfieldInvoicesController {
  constructor(
    private readonly checkouts: PluginCheckouts,
    private readonly options: GreenfieldOptions,
    private readonly server: PluginServer,
  ) {}

  @Post()
  @RequirePermission(Policy.CanCreateInvoice)
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Create an invoice', 'invoice')
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
  async create(@CurrentStore() store: StoreView, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string) {
    // BTCPay ignores fields it does not know; so do we, for clients written against newer BTCPay versions.
    const dto = parsePlatformPayload(CreateGreenfieldInvoiceDto, body, 'validation_failed');
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'invalid_idempotency_key', 'Idempotency-Key must be 1-200 visible ASCII characters.');
    }
    const metadata = dto.metadata ?? {};
    const orderId = metadata.orderId === undefined || metadata.orderId === null ? undefined : orderIdText(metadata.orderId).slice(0, 200);
    const itemDesc = typeof metadata.itemDesc === 'string' ? metadata.itemDesc.slice(0, 500) : undefined;
    const minutes = dto.checkout?.expirationMinutes;
    const { checkout } = await this.checkouts.create(
      store,
      {
        // No amount: BTCPay's top-up invoice, the customer pays what they choose.
        amount: dto.amount ?? null,
        currency: dto.currency ?? this.options.defaultCurrency,
        orderId: orderId || undefined,
        description: itemDesc,
        redirectUrl: dto.checkout?.redirectURL,
        // Our invoices live at least a minute: a Lightning payment needs time to route.
        // null is how BTCPay's PHP client sends an unset option: the store's expiry applies.
        expirySeconds: minutes === undefined || minutes === null ? undefined : Math.max(60, minutes * 60),
        metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
      },
      idempotencyKey,
    );
    return this.view(checkout);
  }

  @Get()
  @RequirePermission(Policy.CanViewInvoices)
  @GreenfieldOperation('List invoices', 'invoice', { array: true })
  @ApiProblems('nul_character', 'validation_failed')
  async list(@CurrentStore() store: StoreView, @Query() query: ListGreenfieldInvoicesQuery) {
    const items = await this.checkouts.list({
      storeId: store.id,
      includeArchived: query.includeArchived,
      orderIds: query.orderId?.length ? query.orderId : undefined,
      // Lightning has no "Processing" (unconfirmed) phase: a payment is settled or not there.
      statuses: query.status?.length ? query.status.filter((s): s is CheckoutStatus => s !== 'Processing') : undefined,
      createdFrom: query.startDate !== undefined ? new Date(query.startDate * 1000) : undefined,
      createdTo: query.endDate !== undefined ? new Date(query.endDate * 1000) : undefined,
      // BTCPay's textSearch: the invoice id, or text in its order id, description or metadata (buyer email, item description, ...).
      textSearch: query.textSearch,
      skip: query.skip,
      take: query.take,
    });
    return items.map((c) => this.view(c));
  }

  @Get(':invoiceId')
  @RequirePermission(Policy.CanViewInvoices)
  @GreenfieldOperation('Get an invoice', 'invoice')
  @ApiProblems('nul_character', 'checkout_not_found')
  async get(@CurrentStore() store: StoreView, @Param('invoiceId') invoiceId: string) {
    return this.view(await this.checkouts.get(store.id, invoiceId));
  }

  /** BTCPay replaces the metadata as a whole; `orderId` in it is the invoice's order id. */
  @RequirePermission(Policy.CanModifyInvoices)
  @Put(':invoiceId')
  @GreenfieldOperation("Replace an invoice's metadata", 'invoice')
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'checkout_not_found')
  async update(@CurrentStore() store: StoreView, @Param('invoiceId') invoiceId: string, @Body() body: unknown) {
    const dto = parsePlatformPayload(UpdateGreenfieldInvoiceDto, body, 'validation_failed');
    const metadata = dto.metadata ?? {};
    const orderId = metadata.orderId === undefined || metadata.orderId === null ? null : orderIdText(metadata.orderId).slice(0, 200) || null;
    return this.view(await this.checkouts.setMetadata(store.id, invoiceId, { metadata: Object.keys(metadata).length > 0 ? metadata : null, orderId }));
  }

  /** BTCPay's archive: the invoice leaves the lists (unless includeArchived) and is otherwise unchanged. */
  @RequirePermission(Policy.CanModifyInvoices)
  @Delete(':invoiceId')
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Archive an invoice', 'empty')
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'checkout_not_found')
  async archive(@CurrentStore() store: StoreView, @Param('invoiceId') invoiceId: string) {
    await this.checkouts.setArchived(store.id, invoiceId, true);
    return {};
  }

  @RequirePermission(Policy.CanModifyInvoices)
  @Post(':invoiceId/unarchive')
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Unarchive an invoice', 'invoice')
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'checkout_not_found')
  async unarchive(@CurrentStore() store: StoreView, @Param('invoiceId') invoiceId: string) {
    return this.view(await this.checkouts.setArchived(store.id, invoiceId, false));
  }

  @Get(':invoiceId/payment-methods')
  @RequirePermission(Policy.CanViewInvoices)
  @GreenfieldOperation("An invoice's payment methods", 'paymentMethod', { array: true })
  @ApiProblems('nul_character', 'checkout_not_found')
  async paymentMethods(@CurrentStore() store: StoreView, @Param('invoiceId') invoiceId: string) {
    return [greenfieldPaymentMethod(await this.checkouts.get(store.id, invoiceId))];
  }

  @Post(':invoiceId/status')
  @RequirePermission(Policy.CanModifyInvoices)
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Mark an invoice Invalid', 'invoice')
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'checkout_not_found', 'checkout_not_cancelable', 'unsupported_status')
  async markStatus(@CurrentStore() store: StoreView, @Param('invoiceId') invoiceId: string, @Body() body: unknown) {
    const dto = parsePlatformPayload(MarkInvoiceStatusDto, body, 'validation_failed');
    if (dto.status === 'Settled') {
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'unsupported_status',
        'Invoices cannot be marked Settled by hand: a Lightning payment settles them.',
        {
          message: 'Invoices cannot be marked Settled by hand.',
        },
      );
    }
    return this.view(await this.checkouts.cancel(store.id, invoiceId));
  }

  private view(checkout: CheckoutRecord) {
    return greenfieldInvoice(checkout, this.server.publicUrl);
  }
}

/** BTCPay shops send orderId as a string or a number; anything else is kept as its JSON text. */
function orderIdText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : JSON.stringify(value);
}
