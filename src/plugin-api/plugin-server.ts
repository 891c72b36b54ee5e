import { Injectable } from '@nestjs/common';
import { APP_VERSION } from '../common/app-version';
import { AppConfig } from '../config/app-config';
import { LightningService } from '../lightning/lightning.service';

/** What a plugin may know about the server it runs in. */
@Injectable()
export class PluginServer {
  /** This server's version (package.json). */
  readonly version = APP_VERSION;

  constructor(
    private readonly config: AppConfig,
    private readonly lightning: LightningService,
  ) {}

  /** Where customers and platforms reach this server. */
  get publicUrl(): string {
    return this.config.server.publicUrl;
  }

  /** How long a checkout created without its own expiry stays payable. */
  get checkoutExpirySeconds(): number {
    return this.config.checkout.expirySeconds;
  }

  /** The hosted checkout page. */
  checkoutLink(checkoutId: string): string {
    return `${this.publicUrl.replace(/\/$/, '')}/i/${checkoutId}`;
  }

  /** Whether a Lightning node can issue invoices now, i.e. new checkouts can be created. */
  canTakePayments(): boolean {
    return this.lightning.health().some((n) => n.canIssue);
  }
}
