import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { newNonce, setPageSecurityHeaders } from '../checkout/page/page-security';
import { SERVER_NAME, SERVER_VERSION } from '../common/version';
import { AppConfig } from '../config/app-config';
import { LightningService } from '../lightning/lightning.service';
import { renderHomePage } from './home.view';

/** `/`: a landing page instead of a JSON 404 for whoever opens the server's address. */
@ApiExcludeController()
@Controller()
export class HomeController {
  constructor(
    private readonly config: AppConfig,
    private readonly lightning: LightningService,
  ) {}

  // needs: no key (names the server and links public pages only)
  @Get()
  home(@Res() res: Response): void {
    const nonce = newNonce();
    setPageSecurityHeaders(res, nonce);
    res
      .status(200)
      .type('html')
      .send(renderHomePage({ name: SERVER_NAME, version: SERVER_VERSION, publicUrl: this.config.server.publicUrl, devBackend: this.lightning.isDev, nonce }));
  }
}
