const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** BOLT11 tag `x`: seconds after the timestamp until the invoice expires (3600 when absent). */
const EXPIRY_TAG = 6;
const DEFAULT_EXPIRY_SECONDS = 3600;
const SIGNATURE_WORDS = 104;
const CHECKSUM_WORDS = 6;

/**
 * When the node that signed a BOLT11 invoice stops accepting payment for it: its timestamp (LND's
 * creation date) plus its expiry, read from the invoice text itself. Only the bech32 words are
 * read; nothing is verified (the invoice comes from our own node), so no signature recovery.
 */
export function invoiceExpiresAt(bolt11: string): Date {
  const text = bolt11.toLowerCase();
  const separator = text.lastIndexOf('1');
  if (separator < 1) throw new Error('not a BOLT11 invoice');
  const words = [...text.slice(separator + 1)].map((ch) => {
    const word = CHARSET.indexOf(ch);
    if (word < 0) throw new Error('not a BOLT11 invoice');
    return word;
  });
  const end = words.length - SIGNATURE_WORDS - CHECKSUM_WORDS;
  if (end < 7) throw new Error('not a BOLT11 invoice');
  const timestamp = toNumber(words.slice(0, 7));
  let expiry = DEFAULT_EXPIRY_SECONDS;
  for (let i = 7; i + 3 <= end;) {
    const tag = words[i];
    const length = words[i + 1] * 32 + words[i + 2];
    if (tag === EXPIRY_TAG) expiry = toNumber(words.slice(i + 3, i + 3 + length));
    i += 3 + length;
  }
  return new Date((timestamp + expiry) * 1000);
}

function toNumber(words: number[]): number {
  return words.reduce((n, w) => n * 32 + w, 0);
}
