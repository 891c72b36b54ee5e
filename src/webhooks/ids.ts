import { randomBytes } from 'node:crypto';

/** Endpoint ids: short, unguessable, recognisable. */
export const newEndpointId = () => `wh_${randomBytes(12).toString('base64url')}`;

/** Delivery ids double as the `webhook-id` header (Standard Webhooks uses `msg_...`). No ':' (BullMQ job ids). */
export const newDeliveryId = () => `msg_${randomBytes(16).toString('base64url')}`;
