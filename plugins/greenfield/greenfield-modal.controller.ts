import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MODAL_SCRIPT } from './greenfield-modal.script';

/** BTCPay's modal checkout script, loaded by shop pages from this server. */
@ApiExcludeController()
@Controller('modal')
export class GreenfieldModalController {
  // needs: no key (a public script, as in BTCPay)
  @Get('btcpay.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  // Loaded by shop pages on other origins.
  @Header('Cross-Origin-Resource-Policy', 'cross-origin')
  @Header('Cache-Control', 'public, max-age=300')
  script(): string {
    return MODAL_SCRIPT;
  }
}
