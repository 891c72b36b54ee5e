import { invoiceMemo, MAX_MEMO_BYTES } from './invoice-memo';

describe('invoiceMemo', () => {
  it('keeps a description that fits', () => {
    expect(invoiceMemo('Demo shop order 42')).toBe('Demo shop order 42');
  });

  it('cuts on a whole character, never splitting an emoji, within the byte limit', () => {
    const memo = invoiceMemo('\u{1F600}'.repeat(500));
    expect(Buffer.byteLength(memo)).toBeLessThanOrEqual(MAX_MEMO_BYTES);
    expect(memo).toBe('\u{1F600}'.repeat(MAX_MEMO_BYTES / 4));
    expect(invoiceMemo('a' + 'é'.repeat(400))).toBe('a' + 'é'.repeat(299));
  });
});
