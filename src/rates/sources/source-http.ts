import { isDecimal } from '../decimal';
import { ExactPrice, priceFromDecimal } from '../exact-price';

/** Bodies larger than this are not rate answers. */
const MAX_BODY_BYTES = 2_000_000;
/** No currency has ever priced 1 BTC at 10^15 units; such an answer is a broken source, not a price. */
const ABSURD_DIGITS = 15;
/** Decimals of a source's price that count. */
const MAX_DECIMALS = 12;

export class SourceError extends Error {}

/**
 * GETs JSON from a rate source. JSON numbers are kept as their source text (JSON.parse's reviver
 * receives it as `context.source`), so a price sent as a number — CoinGecko and Bitfinex do — is
 * read digit for digit and never rounded through a double.
 */
export async function getJson(url: string, signal: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
  } catch (err) {
    const reason = signal.aborted ? 'timed out' : (((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
    throw new SourceError(`${new URL(url).host}: ${reason}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new SourceError(`${new URL(url).host} answered HTTP ${res.status}`);
  }
  const text = await readCapped(res, url);
  try {
    return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' && context?.source ? context.source : value,
    ) as unknown;
  } catch {
    throw new SourceError(`${new URL(url).host}: answer is not JSON`);
  }
}

/**
 * The body as text, refused as soon as it passes MAX_BODY_BYTES: a source streaming an endless body
 * fast would otherwise be buffered in memory until the timeout.
 */
async function readCapped(res: Response, url: string): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream, which closes the connection.
    if (size > MAX_BODY_BYTES) throw new SourceError(`${new URL(url).host}: answer too large`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A price field as given by the source (string, or a JSON number's text): validated, exact. Kept
 * to MAX_DECIMALS, rounded down (the customer pays at most that fraction more, never less), so the
 * median and a store spread still end within the decimals a checkout stores (see RateService.lock).
 */
export function priceField(value: unknown, where: string): ExactPrice {
  if (typeof value !== 'string' || !isDecimal(value)) throw new SourceError(`${where} is not a decimal price`);
  const [whole, frac = ''] = value.split('.');
  const int = whole.replace(/^0+/, '');
  if (/^0*(?:\.0*)?$/.test(value)) throw new SourceError(`${where} is zero`);
  // 1 BTC has not been worth less than one unit of any currency since 2010.
  if (int.length > ABSURD_DIGITS || int === '') throw new SourceError(`${where} is absurd (${value.slice(0, 40)})`);
  const kept = frac.slice(0, MAX_DECIMALS);
  return priceFromDecimal(kept ? `${int}.${kept}` : int);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}
