import { AttemptOutcome } from './delivery-worker';

export type DeliveryHandler = (deliveryId: string) => Promise<AttemptOutcome>;

/**
 * Decides when a delivery is tried; never what its state is (that lives in the database).
 * Enqueueing a delivery that is already queued, scheduled or running is a no-op.
 */
export abstract class DeliveryQueue {
  abstract readonly mode: 'in-process' | 'bullmq';
  abstract start(handler: DeliveryHandler): Promise<void>;
  /**
   * `generation` is the delivery's lease generation: a new one (its lease was taken back from a dead
   * instance) must not be swallowed by the dead instance's job for the same delivery.
   */
  abstract enqueue(deliveryId: string, at: Date, generation?: number): Promise<void>;
  /** Stops taking work and waits for the attempts in flight to finish. */
  abstract stop(): Promise<void>;
}
