import { jobId } from './bullmq-delivery-queue';
import { newDeliveryId } from './ids';

describe('BullMQ job ids of deliveries', () => {
  it('are the delivery id, and after a lease was taken back from a dead instance a new id per generation', () => {
    const id = newDeliveryId();
    expect(jobId(id, 0)).toBe(id);
    expect(jobId(id, 1)).toBe(`${id}.1`);
    expect(jobId(id, 2)).not.toBe(jobId(id, 1));
    // BullMQ refuses ':' in custom ids; a generation suffix never collides with another delivery's id.
    expect(jobId(id, 3)).not.toContain(':');
    expect(newDeliveryId()).not.toContain('.');
  });
});
