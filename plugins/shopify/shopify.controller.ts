import { Controller, Get, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parsePlatformPayload, ProblemException, rejectUnpayableOrder, verifyHmacSha256Base64 } from '../../src/plugin-api';
import { ShopifyOrderPayload, ShopifyOrderRef } from './shopify-order.dto';
import { ShopifyService } from './shopify.service';
import { shopDomainMatches } from './shop-domain';

@ApiExcludeController()
@Controller('plugins/shopify')
export class ShopifyController {
  constructor(private readonly shopify: ShopifyService) {}

  /** Subscribe the app to `orders/create` (and optionally `orders/cancelled`, `orders/paid`) with this URL. */
  @Post('webhook/:storeId')
  @HttpCode(HttpStatus.OK)
  async webhook(@Param('storeId') storeId: string, @Req() req: RawBodyRequest<Request>) {
    const shop = this.shopify.shop(storeId);
    if (!verifyHmacSha256Base64(shop.webhookSecret, req.rawBody, req.headers['x-shopify-hmac-sha256'])) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid_signature', 'X-Shopify-Hmac-Sha256 does not match the body signed with the app secret.');
    }
    if (!shopDomainMatches(shop.shop, req.headers['x-shopify-shop-domain'])) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'wrong_shop', 'X-Shopify-Shop-Domain is not the shop configured for this store.');
    }
    const topic = req.headers['x-shopify-topic'];
    if (topic === 'orders/cancelled' || topic === 'orders/paid') {
      // Cancelled, or paid another way: the open checkout must not be paid as well (no-op once it is settled).
      const { id } = parsePlatformPayload(ShopifyOrderRef, req.body);
      const closed = await this.shopify.closeForOrder(shop, String(id));
      return closed ? { result: 'checkout', checkoutId: closed.id, status: closed.status } : { result: 'ignored', reason: 'no checkout for this order' };
    }
    if (topic !== 'orders/create') return { result: 'ignored', reason: `topic ${String(topic)} is not handled` };
    const order = parsePlatformPayload(ShopifyOrderPayload, req.body);
    // Redeliveries share X-Shopify-Event-Id and the order id; the order id alone makes them harmless.
    return rejectUnpayableOrder(() => this.shopify.onOrderCreated(shop, order));
  }

  /** The link for the order status page: `<publicUrl>/plugins/shopify/pay/<storeId>/{{ order.id }}`. */
  @Get('pay/:storeId/:orderId')
  async pay(@Param('storeId') storeId: string, @Param('orderId') orderId: string, @Res() res: Response) {
    if (!/^\d{1,20}$/.test(orderId)) throw new ProblemException(HttpStatus.NOT_FOUND, 'order_not_found', 'Shopify order ids are numbers.');
    const checkoutId = await this.shopify.checkoutIdForOrder(storeId, orderId);
    res.redirect(HttpStatus.SEE_OTHER, `/i/${encodeURIComponent(checkoutId)}`);
  }
}
