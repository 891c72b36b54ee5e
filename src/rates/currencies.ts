/**
 * ISO 4217 active currency codes and their minor units (decimals). Most have 2; the exceptions are
 * listed. Used to validate a price ("JPY 1.5" is refused), to display it and to know which codes are
 * currencies at all (a source's answer for an unknown code is ignored).
 */
const ISO_4217 = (
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD ' +
  'CAD CDF CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP ' +
  'GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD ' +
  'KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK ' +
  'NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
  'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD ' +
  'XCG XOF XPF YER ZAR ZMW ZWG'
).split(' ');

const ZERO = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF'.split(' ');
const THREE = 'BHD IQD JOD KWD LYD OMR TND'.split(' ');
const FOUR = ['CLF'];

const MINOR_UNITS = new Map<string, number>(ISO_4217.map((code) => [code, 2]));
for (const code of ZERO) MINOR_UNITS.set(code, 0);
for (const code of THREE) MINOR_UNITS.set(code, 3);
for (const code of FOUR) MINOR_UNITS.set(code, 4);
// Not fiat, but priced in the same way: decimals of an amount in them.
MINOR_UNITS.set('BTC', 8);
MINOR_UNITS.set('SATS', 0);

export function isIsoCurrency(code: string): boolean {
  return code !== 'BTC' && code !== 'SATS' && MINOR_UNITS.has(code);
}

/** Decimals of the currency's smallest unit: 0 for JPY, 2 for CHF, 3 for KWD, 8 for BTC. */
export function minorUnits(code: string): number {
  return MINOR_UNITS.get(code.toUpperCase()) ?? 2;
}
