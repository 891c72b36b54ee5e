/** A store's spread on fiat prices, as the API and the CLI take it: 0 to below 50 percent, at most 4 decimals. */
export const STORE_SPREAD = /^(?:[0-9]|[1-4][0-9])(?:\.\d{1,4})?$/;
