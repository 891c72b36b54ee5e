import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Observable, Subject, Subscription } from 'rxjs';
import { In, Repository } from 'typeorm';
import { Checkout } from '../checkout.entity';
import { CheckoutEventsBus } from '../checkout-events.bus';

/** How often watched checkouts are re-read, so a change made by another replica is seen too. */
export const RECHECK_INTERVAL_MS = 3_000;
const RECHECK_BATCH = 500;

interface Watched {
  subject: Subject<Checkout>;
  watchers: number;
}

/**
 * Feeds the hosted pages' live views. The in-process bus says at once when this replica changed
 * a checkout; a change committed by another replica is only in the database, so every watched
 * checkout is re-read on a timer. One query per tick covers all open pages of this replica,
 * however many there are, instead of one query per page.
 */
@Injectable()
export class CheckoutWatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CheckoutWatcher.name);
  private readonly watched = new Map<string, Watched>();
  private busSubscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    @InjectRepository(Checkout) private readonly checkouts: Repository<Checkout>,
    private readonly bus: CheckoutEventsBus,
  ) {}

  onModuleInit(): void {
    this.busSubscription = this.bus.events$.subscribe((event) => {
      if (this.watched.has(event.checkoutId)) void this.reload([event.checkoutId]);
    });
    this.timer = setInterval(() => void this.tick(), RECHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.busSubscription?.unsubscribe();
    for (const { subject } of this.watched.values()) subject.complete();
    this.watched.clear();
  }

  /** The checkout as re-read after each hint or tick (duplicates included: callers de-duplicate). */
  watch(id: string): Observable<Checkout> {
    return new Observable<Checkout>((subscriber) => {
      let entry = this.watched.get(id);
      if (!entry) {
        entry = { subject: new Subject<Checkout>(), watchers: 0 };
        this.watched.set(id, entry);
      }
      entry.watchers++;
      const inner = entry.subject.subscribe(subscriber);
      const watchedEntry = entry;
      return () => {
        inner.unsubscribe();
        if (--watchedEntry.watchers === 0 && this.watched.get(id) === watchedEntry) this.watched.delete(id);
      };
    });
  }

  /** Number of checkouts with at least one open live view on this replica. */
  get size(): number {
    return this.watched.size;
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.watched.size === 0) return;
    this.ticking = true;
    try {
      const ids = [...this.watched.keys()];
      for (let i = 0; i < ids.length; i += RECHECK_BATCH) await this.reload(ids.slice(i, i + RECHECK_BATCH));
    } finally {
      this.ticking = false;
    }
  }

  private async reload(ids: string[]): Promise<void> {
    try {
      const found = await this.checkouts.find({ where: { id: In(ids) } });
      for (const checkout of found) this.watched.get(checkout.id)?.subject.next(checkout);
    } catch (err) {
      // The next tick tries again; an open page just sees the change a little later.
      this.logger.warn({ err }, 'could not re-read watched checkouts');
    }
  }
}
