import { WebhookAttempt } from './webhook-attempt.entity';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

/** An endpoint as the API shows it: the secret never appears here. */
export function endpointView(e: WebhookEndpoint) {
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

export function deliverySummary(d: WebhookDelivery) {
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

export function attemptView(a: WebhookAttempt) {
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
