import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { CheckoutEvent } from './checkout-event.entity';

/**
 * In-process notification that an event was committed. Only a hint for live views (SSE) and
 * the dispatchers' wake-up: the durable record is the outbox row, which is what gets delivered.
 */
@Injectable()
export class CheckoutEventsBus {
  private readonly subject = new Subject<CheckoutEvent>();
  readonly events$: Observable<CheckoutEvent> = this.subject.asObservable();

  publish(events: CheckoutEvent[]): void {
    for (const event of events) this.subject.next(event);
  }
}
