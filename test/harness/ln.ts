// The harness drives lnd through the same typed ln-service binding as the app.
export { closeLnd, ln, type AuthenticatedLnd, type UnauthenticatedLnd } from '../../src/lightning/lnd/ln';
