import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';

/** ~20 kB of SVG each: a few MB at most. */
const CACHE_SIZE = 256;

/**
 * The QR code as inline SVG, rendered on the server so it shows without JavaScript and without
 * loading an image. Encoding a 300-character invoice takes ~7 ms of CPU, and a page is seen many
 * times (refreshes, polling without JavaScript), so recent codes are kept; an invoice never changes.
 */
@Injectable()
export class QrCodeRenderer {
  private readonly cache = new Map<string, string>();

  /** `text` is expected upper-case: QR's alphanumeric mode then needs ~30% fewer modules. */
  async svg(text: string): Promise<string> {
    const cached = this.cache.get(text);
    if (cached !== undefined) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.cache.delete(text);
      this.cache.set(text, cached);
      return cached;
    }
    const rendered = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 0, color: { dark: '#000000', light: '#ffffff' } });
    const svg = rendered.trim().replace('<svg ', '<svg role="img" aria-label="QR code of the Lightning invoice" ');
    this.cache.set(text, svg);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return svg;
  }
}
