import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiProblems, AUTH_PROBLEMS, BODY_PROBLEMS, WRITE_PROBLEMS } from '../../src/common/api-problems';
import { GreenfieldOperation } from './greenfield-api-docs';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, FindOptionsWhere, In, LessThanOrEqual, MoreThanOrEqual, Raw, Repository } from 'typeorm';
import { Checkout } from '../../src/checkout/checkout.entity';
import { CheckoutService } from '../../src/checkout/checkout.service';
import { CheckoutStatus } from '../../src/checkout/checkout-status';
import { ProblemException } from '../../src/common/problem';
import { AppConfig } from '../../src/config/app-config';
import { UnitOfWork } from '../../src/database/unit-of-work';
import { parsePlatformPayload } from '../../src/plugins/webhook-payload';
import { ApiKeyGuard, CurrentStore } from '../../src/stores/api-key.guard';
import { Policy, RequirePermission } from '../../src/stores/permissions';
import { Store } from '../../src/stores/store.entity';
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
    private readonly checkouts: CheckoutService,
    @InjectRepository(Checkout) private readonly repo: Repository<Checkout>,
    private readonly options: GreenfieldOptions,
    private readonly config: AppConfig,
    private readonly uow: UnitOfWork,
  ) {}

  @Post()
  @RequirePermission(Policy.CanCreateInvoice)
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Create an invoice', 'invoice')
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'invalid_idempotency_key', 'idempotency_key_reused', 'invalid_amount', 'amount_required', 'amount_too_small', 'amount_too_large', 'unsupported_currency', 'lightning_unavailable', 'rate_unavailable')
  async create(@CurrentStore() store: Store, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string) {
    // BTCPay ignores fields it does not know; so do we, for clients written against newer BTCPay versions.
    const dto = parsePlatformPayload(CreateGreenfieldInvoiceDto, body, 'validation_failed');
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'invalid_idempotency_key', 'Idempotency-Key must be 1-200 visible ASCII characters.');
    }
    const metadata = dto.metadata ?? {};
    const orderId = metadata.orderId === undefined || metadata.orderId === null ? undefined : String(metadata.orderId).slice(0, 200);
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
    return greenfieldInvoice(checkout, this.config.server.publicUrl);
  }

  @Get()
  @RequirePermission(Policy.CanViewInvoices)
  @GreenfieldOperation('List invoices', 'invoice', { array: true })
  @ApiProblems('nul_character', 'validation_failed')
  async list(@CurrentStore() store: Store, @Query() query: ListGreenfieldInvoicesQuery) {
    const where: FindOptionsWhere<Checkout> = { storeId: store.id };
    if (!query.includeArchived) where.archived = false;
    if (query.orderId?.length) where.orderId = In(query.orderId);
    if (query.status?.length) {
      // Lightning has no "Processing" (unconfirmed) phase: a payment is settled or not there.
      const statuses = query.status.filter((s): s is CheckoutStatus => s !== 'Processing');
      where.status = In(statuses);
    }
    const start = query.startDate !== undefined ? new Date(query.startDate * 1000) : undefined;
    const end = query.endDate !== undefined ? new Date(query.endDate * 1000) : undefined;
    if (start && end) where.createdAt = Between(start, end);
    else if (start) where.createdAt = MoreThanOrEqual(start);
    else if (end) where.createdAt = LessThanOrEqual(end);
    const items = await this.repo.find({ where: withTextSearch(where, query.textSearch), order: { createdAt: 'DESC', id: 'ASC' }, skip: query.skip ?? 0, take: query.take ?? 100 });
    return items.map((c) => greenfieldInvoice(c, this.config.server.publicUrl));
  }

  @Get(':invoiceId')
  @RequirePermission(Policy.CanViewInvoices)
  @GreenfieldOperation('Get an invoice', 'invoice')
  @ApiProblems('nul_character', 'checkout_not_found')
  async get(@CurrentStore() store: Store, @Param('invoiceId') invoiceId: string) {
    return greenfieldInvoice(await this.checkouts.get(store, invoiceId), this.config.server.publicUrl);
  }

  /** BTCPay replaces the metadata as a whole; `orderId` in it is the invoice's order id. */
  @RequirePermission(Policy.CanModifyInvoices)
  @Put(':invoiceId')
  @GreenfieldOperation("Replace an invoice's metadata", 'invoice')
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'checkout_not_found')
  async update(@CurrentStore() store: Store, @Param('invoiceId') invoiceId: string, @Body() body: unknown) {
    const dto = parsePlatformPayload(UpdateGreenfieldInvoiceDto, body, 'validation_failed');
    const checkout = await this.checkouts.get(store, invoiceId);
    const metadata = dto.metadata ?? {};
    const orderId = metadata.orderId === undefined || metadata.orderId === null ? null : String(metadata.orderId).slice(0, 200) || null;
    const changes: Partial<Checkout> = { metadata: Object.keys(metadata).length > 0 ? metadata : null, orderId, updatedAt: new Date() };
    await this.uow.run((m) => m.update(Checkout, { id: checkout.id, storeId: store.id }, changes as Parameters<typeof m.update>[2]));
    return greenfieldInvoice(await this.checkouts.get(store, invoiceId), this.config.server.publicUrl);
  }

  /** BTCPay's archive: the invoice leaves the lists (unless includeArchived) and is otherwise unchanged. */
  @RequirePermission(Policy.CanModifyInvoices)
  @Delete(':invoiceId')
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Archive an invoice', 'empty')
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'checkout_not_found')
  async archive(@CurrentStore() store: Store, @Param('invoiceId') invoiceId: string) {
    await this.setArchived(store, invoiceId, true);
    return {};
  }

  @RequirePermission(Policy.CanModifyInvoices)
  @Post(':invoiceId/unarchive')
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Unarchive an invoice', 'invoice')
  @ApiProblems('nul_character', WRITE_PROBLEMS, 'checkout_not_found')
  async unarchive(@CurrentStore() store: Store, @Param('invoiceId') invoiceId: string) {
    await this.setArchived(store, invoiceId, false);
    return greenfieldInvoice(await this.checkouts.get(store, invoiceId), this.config.server.publicUrl);
  }

  @Get(':invoiceId/payment-methods')
  @RequirePermission(Policy.CanViewInvoices)
  @GreenfieldOperation("An invoice's payment methods", 'paymentMethod', { array: true })
  @ApiProblems('nul_character', 'checkout_not_found')
  async paymentMethods(@CurrentStore() store: Store, @Param('invoiceId') invoiceId: string) {
    return [greenfieldPaymentMethod(await this.checkouts.get(store, invoiceId))];
  }

  @Post(':invoiceId/status')
  @RequirePermission(Policy.CanModifyInvoices)
  @HttpCode(HttpStatus.OK)
  @GreenfieldOperation('Mark an invoice Invalid', 'invoice')
  @ApiProblems(BODY_PROBLEMS, WRITE_PROBLEMS, 'checkout_not_found', 'checkout_not_cancelable', 'unsupported_status')
  async markStatus(@CurrentStore() store: Store, @Param('invoiceId') invoiceId: string, @Body() body: unknown) {
    const dto = parsePlatformPayload(MarkInvoiceStatusDto, body, 'validation_failed');
    if (dto.status === 'Settled') {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'unsupported_status', 'Invoices cannot be marked Settled by hand: a Lightning payment settles them.', {
        message: 'Invoices cannot be marked Settled by hand.',
      });
    }
    return greenfieldInvoice(await this.checkouts.cancel(store, invoiceId), this.config.server.publicUrl);
  }

  private async setArchived(store: Store, invoiceId: string, archived: boolean): Promise<void> {
    const checkout = await this.checkouts.get(store, invoiceId);
    await this.uow.run((m) => m.update(Checkout, { id: checkout.id, storeId: store.id }, { archived, updatedAt: new Date() }));
  }
}

/** `%`, `_` and the escape character itself match literally. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * BTCPay's textSearch: the invoice id, or text in its order id, description or metadata (buyer
 * email, item description, ...), case-insensitive. One OR branch per field, each with the other filters.
 */
function withTextSearch(where: FindOptionsWhere<Checkout>, text: string | undefined): FindOptionsWhere<Checkout> | FindOptionsWhere<Checkout>[] {
  const term = text?.trim();
  if (!term) return where;
  const like = likePattern(term);
  const contains = Raw((column) => `LOWER(${column}) LIKE :like ESCAPE '\\'`, { like });
  return [{ ...where, id: term }, { ...where, orderId: contains }, { ...where, description: contains }, { ...where, metadata: contains as unknown as Record<string, unknown> }];
}
