/**
 * A BOLT11 description holds at most 639 bytes and LND refuses a longer memo; retrying can never
 * help, so the invoice carries the description cut to fit (on a whole character) while the
 * checkout keeps it whole. 600 leaves room for LND's own accounting.
 */
export const MAX_MEMO_BYTES = 600;

export function invoiceMemo(description: string): string {
  if (Buffer.byteLength(description, 'utf8') <= MAX_MEMO_BYTES) return description;
  let bytes = 0;
  let out = '';
  for (const char of description) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > MAX_MEMO_BYTES) break;
    bytes += size;
    out += char;
  }
  return out;
}
