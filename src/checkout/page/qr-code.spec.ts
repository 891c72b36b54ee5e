import QRCode from 'qrcode';
import { QrCodeRenderer } from './qr-code';

describe('QrCodeRenderer', () => {
  it('renders an accessible inline SVG of exactly the given text, and reuses it', async () => {
    const qr = new QrCodeRenderer();
    const text = 'LIGHTNING:LNBCRT21U1P4SG8KUPP5';
    const svg = await qr.svg(text);
    expect(svg).toMatch(/^<svg role="img" aria-label="QR code of the Lightning invoice" xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toBe((await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 0 })).trim().replace('<svg ', '<svg role="img" aria-label="QR code of the Lightning invoice" '));
    const spy = jest.spyOn(QRCode, 'toString');
    expect(await qr.svg(text)).toBe(svg);
    expect(spy).not.toHaveBeenCalled();
    await qr.svg('LIGHTNING:OTHER');
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('upper-case text is encoded in the compact alphanumeric mode', () => {
    const segments = QRCode.create('LIGHTNING:LNBCRT21U1P4SG8KUPP5', { errorCorrectionLevel: 'M' }).segments;
    expect(segments.map((s) => s.mode.id)).toEqual(['Alphanumeric']);
  });
});
