import { fromAcceptLanguage, LANGUAGES, MESSAGES, pickLanguage, PLACEHOLDERS, translator } from '.';

describe('hosted page translations', () => {
  const keys = Object.keys(MESSAGES.en).sort();

  it('offers at least en, de, es, fr, it, pt and ja', () => {
    expect(LANGUAGES).toEqual(expect.arrayContaining(['en', 'de', 'es', 'fr', 'it', 'pt', 'ja']));
  });

  it.each(LANGUAGES)('%s has every key, none empty, with the same placeholders as English', (language) => {
    const messages: Record<string, string> = MESSAGES[language];
    expect(Object.keys(messages).sort()).toEqual(keys);
    for (const key of keys) {
      expect(messages[key].trim()).not.toBe('');
      expect({ key, placeholders: PLACEHOLDERS(messages[key]) }).toEqual({ key, placeholders: PLACEHOLDERS(MESSAGES.en[key as keyof typeof MESSAGES.en]) });
    }
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s is translated, not English copied', (language) => {
    const messages: Record<string, string> = MESSAGES[language];
    const same = keys.filter((k) => messages[k] === (MESSAGES.en as Record<string, string>)[k]);
    // Only a few short texts may coincide with English (a brand word, "Logo"...).
    expect(same.length).toBeLessThanOrEqual(3);
  });

  it('follows Accept-Language by quality, then order, matching regional tags', () => {
    expect(fromAcceptLanguage('de-CH,de;q=0.9,en;q=0.8')).toBe('de');
    expect(fromAcceptLanguage('pt-BR')).toBe('pt');
    expect(fromAcceptLanguage('nl,ja;q=0.5,fr;q=0.7')).toBe('fr');
    expect(fromAcceptLanguage('en;q=0.1, JA')).toBe('ja');
    expect(fromAcceptLanguage('nl, sv;q=0.8')).toBeNull();
    expect(fromAcceptLanguage('de;q=0, es;q=0.2')).toBe('es');
    expect(fromAcceptLanguage('*')).toBeNull();
    expect(fromAcceptLanguage(undefined)).toBeNull();
    expect(fromAcceptLanguage(';;,q=,de;q=abc')).toBeNull();
  });

  it('lets ?lang= win over the cookie, and the cookie over the header; unknown values fall through', () => {
    expect(pickLanguage('it', 'fr', 'de')).toBe('it');
    expect(pickLanguage('xx', 'fr', 'de')).toBe('fr');
    expect(pickLanguage(['it'], 'toString', 'de')).toBe('de');
    expect(pickLanguage(undefined, undefined, 'nl')).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('de');
    expect(t('returnTo', { store: 'Café <b>' })).toBe('Zurück zu Café <b>');
    expect(t('backTo')).toBe('Zurück zu {store}');
  });
});
