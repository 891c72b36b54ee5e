import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';

/** ~20 kB of SVG each: a few MB at most. */
const CACHE_SIZE = 256;

/** The quiet zone ISO/IEC 18004 asks for around the code, in modules: phones find the code faster. */
export const QUIET_ZONE_MODULES = 4;

/**
 * The QR code as inline SVG, rendered on the server so it shows without JavaScript and without
 * loading an image. Encoding a 300-character invoice takes ~7 ms of CPU, and a page is seen many
 * times (refreshes, polling without JavaScript), so recent codes are kept; an invoice never changes.
 */
@Injectable()
export class QrCodeRenderer {
  private readonly cache = new Map<string, string>();

  /**
   * `text` is expected upper-case: QR's alphanumeric mode then needs ~30% fewer modules. The SVG
   * includes its white quiet zone, so it holds on any background; the page adds its label.
   */
  async svg(text: string): Promise<string> {
    const cached = this.cache.get(text);
    if (cached !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.cache.delete(text);
      this.cache.set(text, cached);
      return cached;
    }
    const rendered = await QRCode.toString(text, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: QUIET_ZONE_MODULES,
      color: { dark: '#000000', light: '#ffffff' },
    });
    const svg = rendered.trim();
    this.cache.set(text, svg);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return svg;
  }
}
