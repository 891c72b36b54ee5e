import { Controller, Get, HttpStatus, Param, Redirect } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { GreenfieldOperation } from './greenfield-api-docs';
import { PluginServer } from '../../src/plugin-api';

/** BTCPay's unauthenticated routes that shop plugins and their admins use. */
@ApiTags('greenfield')
@Controller()
export class GreenfieldPublicController {
  constructor(private readonly server: PluginServer) {}

  /** BTCPay's health check: whether the server is synced enough to take payments. */
  // needs: no key (BTCPay answers it anonymously)
  @Get('api/v1/health')
  @GreenfieldOperation('Whether the server can take payments (unauthenticated)', 'health')
  health() {
    return { synchronized: this.server.canTakePayments() };
  }

  /**
   * BTCPay's invoice page for the merchant; shop admins link to it ("open invoice"). The hosted
   * page is the one view of an invoice here, and its unguessable id is already the capability.
   */
  // needs: no key (the hosted page's id is the capability)
  @Get('invoices/:invoiceId')
  @ApiExcludeEndpoint() // a browser URL: a redirect to the hosted page
  @Redirect('/', HttpStatus.FOUND)
  invoicePage(@Param('invoiceId') invoiceId: string) {
    return { url: `/i/${encodeURIComponent(invoiceId)}` };
  }
}
