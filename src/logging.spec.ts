import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from './logging';

function capture(): { logger: pino.Logger; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { logger: pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream), text: () => out };
}

describe('log redaction', () => {
  it.each([
    ['a top-level macaroon', { macaroon: 'MDAxY2xvY2F0aW9uIGxuZAo' }],
    ['a nested webhook secret', { endpoint: { url: 'https://shop.example', secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' } }],
    ['an API key field', { apiKey: 'lck_abcdefghijklmnopqrstuvwxyz' }],
    ['a platform token', { shop: { accessToken: 'shpat_0123456789abcdef' } }],
    ['an outgoing Authorization header', { request: { url: 'https://shop.example/wp-json', headers: { authorization: 'Basic Y2tfMTIzOmNzXzQ1Ng==' } } }],
    ['an incoming Authorization header', { req: { headers: { authorization: 'token lck_abcdefghijklmnopqrstuvwxyz' } } }],
    ['a wallet seed', { seed: 'abandon ability able about above absent absorb abstract' }],
  ])('hides %s', (_what, fields) => {
    const { logger, text } = capture();
    logger.debug(fields, 'something happened');
    const secret = JSON.stringify(fields).match(/"(MDAx[^"]*|whsec_[^"]*|lck_[^"]*|shpat_[^"]*|Basic [^"]*|token [^"]*|abandon[^"]*)"/)![1];
    expect(text()).toContain('[redacted]');
    expect(text()).not.toContain(secret);
    expect(text()).toContain('something happened');
  });

  it('keeps ordinary fields', () => {
    const { logger, text } = capture();
    logger.info({ node: 'lnd-1', checkoutId: 'abc', amountSats: 21 }, 'invoice created');
    expect(JSON.parse(text())).toMatchObject({ node: 'lnd-1', checkoutId: 'abc', amountSats: 21 });
  });
});
