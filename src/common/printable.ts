/**
 * Text that reaches the hosted page, the invoice and the shop's logs: no control characters (NUL,
 * ESC, BEL, CR/LF, ...) and no bidirectional overrides (U+202A-U+202E, U+2066-U+2069), which can
 * disguise what a customer reads.
 */
export const PRINTABLE = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;
