import { assertPublicTarget, ForbiddenTargetError, isForbiddenAddress, parseWebhookUrl } from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.127.255.254',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('resolves names before judging them', async () => {
    await expect(assertPublicTarget(new URL('http://localhost:8080/'))).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(assertPublicTarget(new URL('http://[::1]/'))).rejects.toBeInstanceOf(ForbiddenTargetError);
    await expect(assertPublicTarget(new URL('http://93.184.215.14/'))).resolves.toBeUndefined();
  });

  it('accepts only http(s) URLs without credentials', () => {
    expect(parseWebhookUrl('https://shop.example/hook').hostname).toBe('shop.example');
    expect(() => parseWebhookUrl('ftp://shop.example/')).toThrow(/http or https/);
    expect(() => parseWebhookUrl('https://user:pw@shop.example/')).toThrow(/credentials/);
    expect(() => parseWebhookUrl('not a url')).toThrow(/valid/);
  });
});
