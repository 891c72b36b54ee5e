import { ApiProperty } from '@nestjs/swagger';
import { CHECKOUT_EVENT_TYPES } from '../checkout/checkout-status';
import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WEBHOOK_FORMATS, WebhookEndpoint, WebhookFormat } from './webhook-endpoint.entity';

const dateTime = (nullable = false, description?: string) => ({ type: String, format: 'date-time', nullable, ...(description ? { description } : {}) });
const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'];

export class WebhookEndpointView {
  @ApiProperty() id: string;
  @ApiProperty() storeId: string;
  @ApiProperty({ format: 'uri' }) url: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ isArray: true, enum: CHECKOUT_EVENT_TYPES, enumName: 'CheckoutEventType', description: 'Empty: every event' }) events: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: WEBHOOK_FORMATS, enumName: 'WebhookFormat' }) format: WebhookFormat;
  @ApiProperty({ type: String, nullable: true, description: 'Why the server disabled it, if it did' }) disabledReason: string | null;
  @ApiProperty(dateTime(true, 'Until when deliveries also carry a signature made with the previous secret')) previousSecretExpiresAt: string | null;
  @ApiProperty(dateTime()) createdAt: string;
  @ApiProperty(dateTime()) updatedAt: string;
}

/** Only on create and rotate: the signing secret is not shown again. */
export class WebhookWithSecretView extends WebhookEndpointView {
  @ApiProperty({ description: 'The signing secret (whsec_...): shown once' }) secret: string;
}

export class WebhookList {
  @ApiProperty({ type: [WebhookEndpointView] }) items: WebhookEndpointView[];
}

export class WebhookDeliveryView {
  @ApiProperty() id: string;
  @ApiProperty() webhookId: string;
  @ApiProperty() eventId: string;
  @ApiProperty({ example: 'InvoiceSettled' }) type: string;
  @ApiProperty() checkoutId: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ type: 'integer' }) attempts: number;
  @ApiProperty(dateTime(true, 'When pending: the next attempt')) nextAttemptAt: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty() isRedelivery: boolean;
  @ApiProperty({ type: String, nullable: true }) originalDeliveryId: string | null;
  @ApiProperty(dateTime()) createdAt: string;
  @ApiProperty(dateTime(true)) completedAt: string | null;
}

export class WebhookDeliveryPage {
  @ApiProperty({ type: [WebhookDeliveryView] }) items: WebhookDeliveryView[];
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) limit: number;
  @ApiProperty({ type: 'integer' }) offset: number;
}

export class WebhookAttemptView {
  @ApiProperty({ type: 'integer' }) attempt: number;
  @ApiProperty(dateTime()) attemptedAt: string;
  @ApiProperty({ format: 'uri' }) url: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) requestHeaders: Record<string, string>;
  @ApiProperty({ type: 'integer', nullable: true }) responseStatus: number | null;
  @ApiProperty({ type: String, nullable: true }) responseBody: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: 'integer' }) latencyMs: number;
}

export class WebhookDeliveryDetailView extends WebhookDeliveryView {
  @ApiProperty({ description: 'The exact body sent (the signature is over these bytes)' }) body: string;
  @ApiProperty({ type: [WebhookAttemptView] }) attemptLog: WebhookAttemptView[];
}

/** An endpoint as the API shows it: the secret never appears here. */
export function endpointView(e: WebhookEndpoint): WebhookEndpointView {
  return {
    id: e.id,
    storeId: e.storeId,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    format: e.format,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now() ? e.previousSecretExpiresAt.toISOString() : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export function deliverySummary(d: WebhookDelivery): WebhookDeliveryView {
  return {
    id: d.id,
    webhookId: d.endpointId,
    eventId: d.eventId,
    type: d.type,
    checkoutId: d.checkoutId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    isRedelivery: d.isRedelivery,
    originalDeliveryId: d.originalDeliveryId,
    createdAt: d.createdAt.toISOString(),
    completedAt: d.completedAt ? d.completedAt.toISOString() : null,
  };
}

export function attemptView(a: WebhookAttempt): WebhookAttemptView {
  return {
    attempt: a.attempt,
    attemptedAt: a.attemptedAt.toISOString(),
    url: a.url,
    requestHeaders: a.requestHeaders,
    responseStatus: a.responseStatus,
    responseBody: a.responseBody,
    error: a.error,
    latencyMs: a.latencyMs,
  };
}
