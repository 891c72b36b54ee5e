/** Display names of the rate sources, for the hosted page and the API (stored checkouts keep the key). */
export const SOURCE_LABELS: Record<string, string> = {
  fixed: 'fixed rate table',
  kraken: 'Kraken',
  bitstamp: 'Bitstamp',
  coinbase: 'Coinbase',
  coingecko: 'CoinGecko',
  bitfinex: 'Bitfinex',
};

export const sourceLabel = (name: string) => SOURCE_LABELS[name] ?? name;
