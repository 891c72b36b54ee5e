import QRCode from 'qrcode';
import { QrCodeRenderer, QUIET_ZONE_MODULES } from './qr-code';

/** The dark modules of the qrcode package's SVG path ("M4 4.5h7m1 0h1..."), as a bounding box in modules. */
function darkBox(svg: string): { size: number; left: number; top: number; right: number; bottom: number } {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path stroke="#000000" d="([^"]+)"/.exec(svg)![1];
  let x = 0;
  let y = 0;
  const box = { size, left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (const [, cmd, args] of d.matchAll(/([MmHhVv])([^MmHhVv]*)/g)) {
    const n = args
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    if (cmd === 'M') [x, y] = n;
    else if (cmd === 'm') [x, y] = [x + n[0], y + n[1]];
    else if (cmd === 'h') {
      // A horizontal stroke through the middle of a module row: from x to x + n[0].
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x + n[0]);
      box.top = Math.min(box.top, y - 0.5);
      box.bottom = Math.max(box.bottom, y + 0.5);
      x += n[0];
    } else throw new Error(`unexpected path command ${cmd}`);
  }
  return box;
}

describe('QrCodeRenderer', () => {
  it('renders an inline SVG of exactly the given text, and reuses it', async () => {
    const qr = new QrCodeRenderer();
    const text = 'LIGHTNING:LNBCRT21U1P4SG8KUPP5';
    const svg = await qr.svg(text);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toBe((await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })).trim());
    const spy = jest.spyOn(QRCode, 'toString');
    expect(await qr.svg(text)).toBe(svg);
    expect(spy).not.toHaveBeenCalled();
    await qr.svg('LIGHTNING:OTHER');
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('keeps a white quiet zone of 4 modules on every side (ISO/IEC 18004)', async () => {
    expect(QUIET_ZONE_MODULES).toBe(4);
    const text = 'LIGHTNING:' + 'LNBCRT21U1P4SG8KUPP5QQQSYQCYQ5RQWZQFQYPQDQ2WDSHGUEQVDEKZQCQZZSXQYZ5VQSP5'.repeat(4);
    const svg = await new QrCodeRenderer().svg(text);
    const modules = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size;
    // The white background covers the whole viewBox, 4 modules wider than the code on each side.
    expect(svg).toContain(`<path fill="#ffffff" d="M0 0h${modules + 8}v${modules + 8}H0z"/>`);
    expect(darkBox(svg)).toEqual({ size: modules + 8, left: 4, top: 4, right: modules + 4, bottom: modules + 4 });
  });

  it('upper-case text is encoded in the compact alphanumeric mode', () => {
    const segments = QRCode.create('LIGHTNING:LNBCRT21U1P4SG8KUPP5', { errorCorrectionLevel: 'M' }).segments;
    expect(segments.map((s) => s.mode.id)).toEqual(['Alphanumeric']);
  });
});
