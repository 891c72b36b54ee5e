import { Controller, Get, Header, Headers, HttpException, HttpStatus, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { merge, of, Subscription } from 'rxjs';
import { ProblemException } from '../../common/problem';
import { AppConfig } from '../../config/app-config';
import { LightningService } from '../../lightning/lightning.service';
import { StoresService } from '../../stores/stores.service';
import { Checkout } from '../checkout.entity';
import { CheckoutTransitions } from '../checkout-transitions';
import { CheckoutService } from '../checkout.service';
import { CheckoutWatcher } from './checkout-watcher';
import { EventStreams } from './event-streams';
import { renderCheckoutPage, renderErrorPage, renderNotFoundPage } from './hosted-page.view';
import { newNonce, setApiSecurityHeaders, setPageSecurityHeaders } from './page-security';
import { finalAt, PublicStatus, publicStatus, safeRedirectUrl, sameStatus } from './public-status';
import { QrCodeRenderer } from './qr-code';
import { checkLogoUrl } from '../../stores/store-logo';
import { isLanguage, pickLanguage } from './i18n';

/** Remembers the language picked with ?lang= for the shopper's later visits (and the no-JS reloads). */
const LANGUAGE_COOKIE = 'checkout_lang';
const LANGUAGE_COOKIE_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

interface PageContext {
  checkout: Checkout;
  storeName: string;
  storeWebsite: string | null;
  logoUrl: string | null;
  redirectUrl: string | null;
}

/** The customer-facing checkout page: `/i/:id`, its live status, and the dev payment simulator. */
@ApiExcludeController()
@Controller('i')
export class HostedPageController {
  private readonly logger = new Logger(HostedPageController.name);

  constructor(
    private readonly checkouts: CheckoutService,
    private readonly transitions: CheckoutTransitions,
    private readonly stores: StoresService,
    private readonly lightning: LightningService,
    private readonly watcher: CheckoutWatcher,
    private readonly streams: EventStreams,
    private readonly qr: QrCodeRenderer,
    private readonly config: AppConfig,
  ) {}

  /**
   * The page in the shopper's language: `?lang=` (the picker's links, remembered in a cookie),
   * else that cookie, else Accept-Language, else English.
   */
  @Get(':id')
  async page(@Param('id') id: string, @Query('lang') lang: unknown, @Query('view') view: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const nonce = newNonce();
    const frameOrigins = this.config.checkout.allowedFrameOrigins ?? [];
    const language = pickLanguage(lang, cookieValue(req.headers.cookie, LANGUAGE_COOKIE), req.headers['accept-language']);
    if (isLanguage(lang)) {
      res.cookie(LANGUAGE_COOKIE, lang, { path: '/i', maxAge: LANGUAGE_COOKIE_MAX_AGE_MS, sameSite: 'lax', httpOnly: true, secure: req.secure });
    }
    res.setHeader('Content-Language', language);
    res.vary('Accept-Language').vary('Cookie');
    setPageSecurityHeaders(res, nonce, frameOrigins);
    res.type('html');
    let ctx: PageContext | null;
    let svg = '';
    try {
      ctx = await this.load(id);
      if (ctx) svg = await this.qr.svg(`LIGHTNING:${ctx.checkout.bolt11.toUpperCase()}`);
    } catch (err) {
      this.logger.error({ err }, 'could not render the hosted page');
      res.status(HttpStatus.SERVICE_UNAVAILABLE).setHeader('Retry-After', '10');
      res.send(renderErrorPage(nonce, language));
      return;
    }
    if (!ctx) {
      res.status(HttpStatus.NOT_FOUND).send(renderNotFoundPage(nonce, language));
      return;
    }
    if (ctx.logoUrl) setPageSecurityHeaders(res, nonce, frameOrigins, [ctx.logoUrl]);
    const keepQuery: Record<string, string> = view === 'modal' ? { view } : {};
    res
      .status(HttpStatus.OK)
      .send(renderCheckoutPage({ ...ctx, qrSvg: svg, nonce, devBackend: this.lightning.isDev, now: new Date(), frameOrigins, language, keepQuery }));
  }

  /** The polling fallback of the page's live status. */
  @Get(':id/status')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async status(@Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<PublicStatus> {
    setApiSecurityHeaders(res);
    const ctx = await this.require(id);
    return publicStatus(ctx.checkout, ctx.redirectUrl);
  }

  /**
   * Server-Sent Events: the current status at once, then every change, until nothing more can
   * change. A change on this replica arrives through the events bus; a change made by another
   * replica through the watcher's periodic re-read.
   */
  @Get(':id/events')
  async events(@Param('id') id: string, @Res() res: Response): Promise<void> {
    setApiSecurityHeaders(res);
    const ctx = await this.require(id);
    const stream = this.streams.open(res);
    let last: Checkout | null = null;
    let sent: PublicStatus | null = null;
    let endTimer: NodeJS.Timeout | undefined;
    const finish = () => {
      if (!stream.isOpen) return;
      stream.send('end', {});
      stream.end();
    };
    const subscription: Subscription = merge(this.watcher.watch(id), of(ctx.checkout)).subscribe((checkout) => {
      // Two re-reads can finish out of order; a status never goes back, so older rows are stale.
      if (last && checkout.updatedAt.getTime() < last.updatedAt.getTime()) return;
      last = checkout;
      const status = publicStatus(checkout, ctx.redirectUrl);
      if (!sent || !sameStatus(sent, status)) {
        sent = status;
        stream.send('status', status);
      }
      const at = finalAt(checkout);
      if (at === null) return;
      clearTimeout(endTimer);
      endTimer = setTimeout(finish, Math.max(0, at - Date.now()));
    });
    stream.onClose(() => {
      subscription.unsubscribe();
      clearTimeout(endTimer);
    });
  }

  /**
   * Dev backend only: pays the checkout's test invoice; works as a plain HTML form post. Answers
   * once the dev node has stored the payment AND the checkout's transition and outbox event are
   * committed, so a crash after the answer loses nothing (and one before it is reconciled).
   */
  @Post(':id/simulate-payment')
  async simulatePayment(@Param('id') id: string, @Headers('accept') accept: string | undefined, @Res() res: Response): Promise<void> {
    setApiSecurityHeaders(res);
    if (!this.lightning.isDev) {
      throw new ProblemException(HttpStatus.NOT_FOUND, 'simulation_unavailable', 'Payments can only be simulated on the dev Lightning backend.');
    }
    const checkout = await this.checkouts.getPublic(id);
    const settlement = await this.lightning.simulatePayment(checkout.paymentHash);
    const outcome = await this.transitions.applyPayment(settlement);
    if (accept?.includes('application/json')) {
      res.status(HttpStatus.ACCEPTED).json({ simulated: true, outcome, amountPaidSats: settlement.amountPaidSats });
      return;
    }
    res.redirect(HttpStatus.SEE_OTHER, `/i/${encodeURIComponent(checkout.id)}`);
  }

  private async require(id: string): Promise<PageContext> {
    const ctx = await this.load(id);
    if (!ctx) throw new ProblemException(HttpStatus.NOT_FOUND, 'checkout_not_found', `No checkout with id ${id}`);
    return ctx;
  }

  /** The checkout and what the page shows of its store; null when there is no such checkout. */
  private async load(id: string): Promise<PageContext | null> {
    let checkout: Checkout;
    try {
      checkout = await this.checkouts.getPublic(id);
    } catch (err) {
      if (err instanceof HttpException && err.getStatus() === HttpStatus.NOT_FOUND) return null;
      throw err;
    }
    const store = await this.stores.get(checkout.storeId);
    // Checked when it was set; checked again so a row written otherwise never reaches the page or its CSP.
    const logo = store.logoUrl ? checkLogoUrl(store.logoUrl) : null;
    return {
      checkout,
      storeName: store.name,
      storeWebsite: safeRedirectUrl(store.website),
      logoUrl: logo && 'url' in logo ? logo.url : null,
      redirectUrl: safeRedirectUrl(checkout.redirectUrl, store.website),
    };
  }
}

/** One cookie's value from a Cookie header (the page needs only its language cookie). */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
