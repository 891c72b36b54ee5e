import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotFound, ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { UnitOfWork } from '../database/unit-of-work';
import { newDeliveryId, newEndpointId } from './ids';
import { assertPublicTarget, ForbiddenTargetError, parseWebhookUrl } from './ssrf-guard';
import { WebhookAttempt } from './webhook-attempt.entity';
import { redeliveryBody } from './webhook-body';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { generateSecret, isAcceptableSecret } from './webhook-secret';
import { CreateWebhookDto, ListDeliveriesQuery, UpdateWebhookDto } from './webhooks.dto';

const MAX_ENDPOINTS_PER_STORE = 50;

/** Endpoint management and the delivery log, always scoped to one store. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(WebhookEndpoint) private readonly endpoints: Repository<WebhookEndpoint>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(WebhookAttempt) private readonly attempts: Repository<WebhookAttempt>,
    private readonly dispatcher: WebhookDispatcher,
    private readonly uow: UnitOfWork,
    private readonly config: AppConfig,
  ) {}

  /** Returns the endpoint and its secret: the only time the secret is shown, with rotate. */
  async create(storeId: string, dto: CreateWebhookDto): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    await this.checkTarget(dto.url);
    const secret = this.acceptSecret(dto.secret);
    if ((await this.endpoints.count({ where: { storeId } })) >= MAX_ENDPOINTS_PER_STORE) {
      throw new ProblemException(HttpStatus.CONFLICT, 'too_many_webhooks', `A store can have at most ${MAX_ENDPOINTS_PER_STORE} webhook endpoints.`);
    }
    const endpoint = this.endpoints.create({
      id: newEndpointId(),
      storeId,
      url: dto.url,
      description: dto.description ?? null,
      events: dto.events ?? [],
      enabled: dto.enabled ?? true,
      format: dto.format ?? 'standard',
      secret,
      previousSecret: null,
      previousSecretExpiresAt: null,
      disabledReason: null,
      updatedAt: new Date(),
    });
    await this.uow.run((m) => m.save(WebhookEndpoint, endpoint));
    return { endpoint: await this.get(storeId, endpoint.id), secret };
  }

  list(storeId: string): Promise<WebhookEndpoint[]> {
    return this.endpoints.find({ where: { storeId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(storeId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.findOne({ where: { id, storeId } });
    if (!endpoint) throw NotFound('webhook', id);
    return endpoint;
  }

  /**
   * `secret` (BTCPay's webhook update carries it) replaces the secret in the same write, as
   * rotateSecret does: everything is checked first, so a refused update changes nothing.
   */
  async update(storeId: string, id: string, dto: UpdateWebhookDto, secret?: string | null): Promise<WebhookEndpoint> {
    const endpoint = await this.get(storeId, id);
    if (dto.url !== undefined) await this.checkTarget(dto.url);
    const changes: Partial<WebhookEndpoint> = { updatedAt: new Date() };
    if (secret !== undefined && secret !== null) Object.assign(changes, this.secretChange(endpoint, this.acceptSecret(secret)));
    if (dto.url !== undefined) changes.url = dto.url;
    if (dto.events !== undefined) changes.events = dto.events;
    if (dto.format !== undefined) changes.format = dto.format;
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.enabled !== undefined) {
      changes.enabled = dto.enabled;
      changes.disabledReason = null;
    }
    await this.uow.run((m) => m.update(WebhookEndpoint, { id: endpoint.id }, changes));
    // Re-enabled: its pending deliveries resume, in order.
    if (dto.enabled) await this.dispatcher.kick([endpoint.id]).catch(() => undefined);
    return this.get(storeId, id);
  }

  async remove(storeId: string, id: string): Promise<void> {
    const endpoint = await this.get(storeId, id);
    await this.uow.run((m) => m.delete(WebhookEndpoint, { id: endpoint.id }));
  }

  /**
   * Replaces the secret. For `previousSecretTtlSeconds` (default a day) deliveries carry a second
   * `v1` signature made with the old secret, so a receiver can switch over without rejecting any.
   */
  async rotateSecret(
    storeId: string,
    id: string,
    supplied?: string | null,
    previousSecretTtlSeconds = 86400,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const endpoint = await this.get(storeId, id);
    const secret = this.acceptSecret(supplied);
    await this.uow.run((m) =>
      m.update(WebhookEndpoint, { id: endpoint.id }, { ...this.secretChange(endpoint, secret, previousSecretTtlSeconds), updatedAt: new Date() }),
    );
    return { endpoint: await this.get(storeId, id), secret };
  }

  private secretChange(endpoint: WebhookEndpoint, secret: string, previousSecretTtlSeconds = 86400): Partial<WebhookEndpoint> {
    const keepOld = previousSecretTtlSeconds > 0;
    return {
      secret,
      previousSecret: keepOld ? endpoint.secret : null,
      previousSecretExpiresAt: keepOld ? new Date(Date.now() + previousSecretTtlSeconds * 1000) : null,
    };
  }

  async listDeliveries(storeId: string, endpointId: string, query: ListDeliveriesQuery) {
    await this.get(storeId, endpointId);
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const [items, total] = await this.deliveries.findAndCount({
      where: { endpointId, ...(query.status ? { status: query.status } : {}) },
      order: { seq: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { items, total, limit, offset };
  }

  async getDelivery(storeId: string, endpointId: string, deliveryId: string): Promise<{ delivery: WebhookDelivery; attempts: WebhookAttempt[] }> {
    await this.get(storeId, endpointId);
    const delivery = await this.deliveries.findOne({ where: { id: deliveryId, endpointId } });
    if (!delivery) throw NotFound('webhook_delivery', deliveryId);
    const attempts = await this.attempts.find({ where: { deliveryId }, order: { attempt: 'ASC' } });
    return { delivery, attempts };
  }

  /** Sends the same event again under a new webhook-id, after the endpoint's other pending deliveries. */
  async redeliver(storeId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    const { delivery: original } = await this.getDelivery(storeId, endpointId, deliveryId);
    const id = newDeliveryId();
    await this.uow.run((m) =>
      m.insert(WebhookDelivery, {
        id,
        endpointId,
        storeId,
        eventId: original.eventId,
        type: original.type,
        checkoutId: original.checkoutId,
        body: redeliveryBody(original.body, id),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: new Date(),
        lockedUntil: null,
        lastStatusCode: null,
        lastError: null,
        isRedelivery: true,
        originalDeliveryId: original.originalDeliveryId ?? original.id,
        completedAt: null,
      }),
    );
    await this.dispatcher.kick([endpointId]).catch(() => undefined);
    return this.deliveries.findOneOrFail({ where: { id } });
  }

  /** null means "make one", as absent does: BTCPay's clients send null for that. */
  private acceptSecret(supplied: string | null | undefined): string {
    if (supplied === undefined || supplied === null) return generateSecret();
    if (!isAcceptableSecret(supplied)) {
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'invalid_webhook_secret',
        'secret must be whsec_ followed by base64 of 24-64 bytes, or 16-128 visible ASCII characters.',
      );
    }
    return supplied;
  }

  /** Refuses URLs that resolve to internal addresses (SSRF), unless private targets are allowed. */
  private async checkTarget(raw: string): Promise<void> {
    let url: URL;
    try {
      url = parseWebhookUrl(raw);
    } catch (err) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid_webhook_url', (err as Error).message);
    }
    if (this.config.webhooks.allowPrivateTargets) return;
    try {
      await assertPublicTarget(url);
    } catch (err) {
      if (err instanceof ForbiddenTargetError) throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'webhook_url_forbidden', err.message);
      throw new ProblemException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'webhook_url_unresolvable',
        `${url.hostname} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
  }
}
