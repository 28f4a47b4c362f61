/** The browser entry (`@roomkey/sdk/token-provider`): TokenProvider and RoomkeyError only, no Node or NATS imports. */
export { TokenProvider, expiryOf, type TokenProviderOptions, type TokenLoader } from './token-provider';
export { RoomkeyError, isRoomkeyError } from './errors';
