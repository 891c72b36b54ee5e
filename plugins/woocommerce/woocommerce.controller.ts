import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parsePlatformPayload, ProblemException, rejectUnpayableOrder, verifyHmacSha256Base64 } from '../../src/plugin-api';
import { WC_ORDER_TOPICS, WooOrderPayload, WooOrderRef } from './woocommerce-order.dto';
import { WooCommerceService } from './woocommerce.service';

/** Receives WooCommerce order webhooks (Settings → Advanced → Webhooks, topics Order created/updated, optionally deleted). */
@ApiExcludeController()
@Controller('plugins/woocommerce')
export class WooCommerceController {
  constructor(private readonly woo: WooCommerceService) {}

  @Post('webhook/:storeId')
  @HttpCode(HttpStatus.OK)
  async webhook(@Param('storeId') storeId: string, @Req() req: RawBodyRequest<Request>) {
    const site = this.woo.site(storeId);
    const signature = req.headers['x-wc-webhook-signature'];
    // Saving a webhook in WooCommerce sends an unsigned `webhook_id=<id>` form post that must get a 200.
    const ping = (req.body as { webhook_id?: unknown } | undefined)?.webhook_id;
    if (signature === undefined && req.is('application/x-www-form-urlencoded') && typeof ping === 'string') {
      return { ok: true, ping };
    }
    if (!verifyHmacSha256Base64(site.webhookSecret, req.rawBody, signature)) {
      throw new ProblemException(
        HttpStatus.UNAUTHORIZED,
        'invalid_signature',
        'X-WC-Webhook-Signature does not match the body signed with the webhook secret.',
      );
    }
    const topic = req.headers['x-wc-webhook-topic'];
    if (topic === 'order.deleted') {
      // Trashed or deleted: the body is just `{ "id": ... }`. Its open checkout must not be paid any more.
      const { id } = parsePlatformPayload(WooOrderRef, req.body);
      const closed = await this.woo.closeForOrder(site, String(id));
      return closed ? { result: 'checkout', checkoutId: closed.id, status: closed.status } : { result: 'ignored', reason: 'no checkout for this order' };
    }
    // Anything but order topics is acknowledged: WooCommerce disables a webhook after repeated failures.
    if (typeof topic !== 'string' || !WC_ORDER_TOPICS.includes(topic)) return { result: 'ignored', reason: `topic ${String(topic)} is not handled` };
    const order = parsePlatformPayload(WooOrderPayload, req.body);
    return rejectUnpayableOrder(() => this.woo.onOrder(site, order));
  }

  /**
   * A payment link for the thank-you page or the order e-mail:
   * `<publicUrl>/plugins/woocommerce/pay/<storeId>/<order id>?key=<order key>`.
   */
  @Get('pay/:storeId/:orderId')
  async pay(@Param('storeId') storeId: string, @Param('orderId') orderId: string, @Query('key') key: unknown, @Res() res: Response) {
    const checkoutId = await this.woo.checkoutForVisitor(this.woo.site(storeId), orderId, typeof key === 'string' ? key : '');
    res.redirect(HttpStatus.SEE_OTHER, `/i/${encodeURIComponent(checkoutId)}`);
  }
}
