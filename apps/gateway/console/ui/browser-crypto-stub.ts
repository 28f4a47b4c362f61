/**
 * Bundled in place of `node:crypto` (scripts/build.js `alias`): the SDK's RoomkeyClient imports it
 * only for webhooks (`verifyWebhook`, `signWebhook` and the secret helpers they share), which run on a server and which the console never calls.
 */
const serverOnly = (): never => {
  throw new Error('Webhook verification runs on a server (node:crypto), not in the web console');
};
export const createHmac = serverOnly;
export const timingSafeEqual = serverOnly;
export const randomBytes = serverOnly;
