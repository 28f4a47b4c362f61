/**
 * The token workbench: mint a user, guest or anonymous token with one of the tenant's API keys in
 * any profile, see its header, claims and permissions; paste any token to verify it; revoke it.
 */
import { PERMISSIONS, ROLES, type Role } from '../../../../../libs/contracts/roles';
import { tokenApi, type ApiKeyView, type MintedToken, type TokenProfile } from '../api';
import { button, field, h, input, replaceChildren, select, table } from '../dom';
import { decodeJwt } from '../jwt';
import type { PageContext, PageDefinition } from '../page';
import { secrets } from '../session';
import { attempt, copyButton, jsonBlock, resultArea, showError, splitList } from '../widgets';

export const workbenchPage: PageDefinition = { path: 'workbench', title: 'Token workbench', needsTenant: true, render };

const PROFILES: Array<{ value: TokenProfile; label: string }> = [
  { value: 'roomkey', label: 'roomkey (ES256 access token)' },
  { value: 'livekit', label: 'LiveKit' },
  { value: 'getstream', label: 'GetStream' },
  { value: 'videosdk', label: 'VideoSDK' },
];
const KINDS = [
  { value: 'user', label: 'User (CreateAccessToken)' },
  { value: 'guest', label: 'Guest' },
  { value: 'anonymous', label: 'Anonymous viewer' },
];

/** The permissions a token grants: roomkey's `perms`, or what a platform profile carries. */
function permissionsOf(claims: Record<string, unknown>, answer?: MintedToken): string[] {
  if (Array.isArray(answer?.permissions)) return answer.permissions.map(String);
  if (Array.isArray(claims.perms)) return claims.perms.map(String);
  if (Array.isArray(claims.permissions)) return claims.permissions.map(String);
  return [];
}

/** One row per permission, whether the token holds it; a platform's own grants are listed as they are. */
function permissionTable(claims: Record<string, unknown>, answer?: MintedToken): HTMLElement {
  const held = permissionsOf(claims, answer);
  const names = [...PERMISSIONS, ...held.filter((p) => !(PERMISSIONS as readonly string[]).includes(p))];
  const platformGrants = claims.video && typeof claims.video === 'object' ? jsonBlock('LiveKit video grant', claims.video) : null;
  return h('div', {}, table('Permissions', ['Permission', 'Granted'], names.map((name) => [h('code', {}, name), held.includes(name) ? '✓ yes' : 'no'])), platformGrants);
}

function claimsTable(caption: string, claims: Record<string, unknown>): HTMLElement {
  const shown = (name: string, value: unknown) =>
    (name === 'exp' || name === 'iat' || name === 'nbf') && typeof value === 'number' ? `${value} (${new Date(value * 1000).toISOString()})` : typeof value === 'string' ? value : JSON.stringify(value);
  return table(caption, ['Claim', 'Value'], Object.entries(claims).map(([name, value]) => [h('code', {}, name), shown(name, value)]), { className: 'claims' });
}

function render({ api, root, tenant }: PageContext & { tenant: string }): void {
  const keyResult = resultArea();
  const apiKey = select([], { name: 'apiKey' });
  const secret = input({ type: 'password', name: 'secret', autocomplete: 'off', spellcheck: false });
  let keys: ApiKeyView[] = [];
  const fillSecret = () => {
    secret.value = secrets.get(apiKey.value) ?? '';
    secret.placeholder = secrets.has(apiKey.value) ? '' : 'Paste the secret of this key';
  };
  apiKey.onchange = fillSecret;
  const credentials = () => {
    if (!apiKey.value) throw new Error('Choose an API key first (create one on the API keys page).');
    if (!secret.value) throw new Error('Enter the secret of the API key.');
    return tokenApi(apiKey.value, secret.value);
  };

  const kind = select(KINDS, { name: 'kind' });
  const userId = input({ name: 'userId', autocomplete: 'off', value: 'alice' });
  const role = select([...ROLES], { name: 'role', value: 'HOST' });
  const rooms = input({ name: 'rooms', autocomplete: 'off', value: 'room-1' });
  const ttl = input({ type: 'number', name: 'ttlSeconds', value: '3600', attrs: { min: '1', max: '86400' } });
  const name = input({ name: 'name', autocomplete: 'off' });
  const profile = select(PROFILES, { name: 'profile' });
  const userIdField = field('User id', userId, 'Guests: optional, made unique by roomkey');
  const roleField = field('Role', role);
  const ttlField = field('Lifetime (seconds)', ttl);
  const nameField = field('Display name (optional)', name);
  const showFor = () => {
    userIdField.hidden = kind.value === 'anonymous';
    roleField.hidden = kind.value !== 'user';
    ttlField.hidden = kind.value !== 'user';
    nameField.hidden = kind.value === 'anonymous';
  };
  kind.onchange = showFor;
  showFor();

  const mint = h('button', { type: 'submit' }, 'Mint token');
  const mintResult = resultArea();
  const mintForm = h(
    'form',
    { className: 'card', attrs: { 'aria-label': 'Mint a token' } },
    h('h2', {}, 'Mint a token'),
    h('div', { className: 'grid' }, field('API key', apiKey), field('API key secret', secret, 'Pre-filled for keys created in this page; kept in memory only')),
    keyResult,
    h(
      'div',
      { className: 'grid' },
      field('Kind', kind),
      userIdField,
      roleField,
      field('Rooms (space- or comma-separated)', rooms, 'Empty: every room (production keys only)'),
      ttlField,
      nameField,
      field('Profile', profile, 'Non-default profiles need the platform credentials stored for the tenant'),
    ),
    mint,
  );

  const tokenText = h('textarea', { name: 'token', rows: 4, spellcheck: false, className: 'token' });
  const verifyResult = resultArea();
  const verify = button('Verify', () =>
    attempt(verifyResult, verify, async () => {
      try {
        const answer = await credentials().verifyToken(tokenText.value.trim());
        replaceChildren(verifyResult, h('p', { className: 'ok' }, 'Verified: the token is active.'), claimsTable('Verified claims', { ...answer.claims }));
      } catch (error) {
        replaceChildren(verifyResult);
        showError(verifyResult, error);
        verifyResult.prepend(h('p', { className: 'error' }, 'Not valid.'));
      }
    }),
  );
  const revoke = button(
    'Revoke',
    () => {
      if (!confirm('Revoke this token? Every verifier refuses it within a second.')) return;
      return attempt(verifyResult, revoke, async () => {
        const answer = await credentials().revokeToken({ token: tokenText.value.trim() });
        replaceChildren(verifyResult, h('p', { className: 'ok' }, `Revoked: jti ${answer.jti}. It shows up on the Live events page as token.revoked.`));
      });
    },
    { className: 'danger' },
  );
  const verifySection = h(
    'section',
    { className: 'card', attrs: { 'aria-label': 'Verify or revoke a token' } },
    h('h2', {}, 'Verify or revoke a token'),
    field('Token', tokenText, 'Paste any token of this tenant (or mint one above)'),
    h('div', { className: 'row' }, verify, revoke),
    verifyResult,
  );

  mintForm.onsubmit = (event) => {
    event.preventDefault();
    void attempt(mintResult, mint, async () => {
      const tokens = credentials();
      const roomList = splitList(rooms.value);
      const chosenProfile = profile.value as TokenProfile;
      const withProfile = chosenProfile === 'roomkey' ? {} : { profile: chosenProfile };
      let answer: MintedToken;
      if (kind.value === 'user') {
        answer = await tokens.createAccessToken({
          userId: userId.value.trim(),
          role: role.value as Role,
          ...(roomList.length ? { rooms: roomList } : {}),
          ...(ttl.value ? { ttlSeconds: Number(ttl.value) } : {}),
          ...(name.value.trim() ? { name: name.value.trim() } : {}),
          ...withProfile,
        });
      } else if (kind.value === 'guest') {
        answer = await tokens.createGuest({
          ...(userId.value.trim() ? { userId: userId.value.trim() } : {}),
          ...(name.value.trim() ? { name: name.value.trim() } : {}),
          ...(roomList.length ? { rooms: roomList } : {}),
          ...withProfile,
        });
      } else {
        answer = await tokens.createAnonymousToken({ rooms: roomList, ...withProfile });
      }
      tokenText.value = answer.accessToken;
      const decoded = decodeJwt(answer.accessToken);
      replaceChildren(
        mintResult,
        h('p', { className: 'ok' }, `Minted a ${answer.profile ?? chosenProfile} token${answer.user ? ` for ${answer.user.id}` : ''}, valid ${answer.expiresIn} s.`),
        h('div', { className: 'token-out' }, h('label', { htmlFor: 'minted-token' }, 'Token'), h('textarea', { id: 'minted-token', readOnly: true, rows: 4, value: answer.accessToken, className: 'token' }), copyButton('Copy token', () => answer.accessToken)),
        decoded
          ? h('div', { className: 'columns' }, h('div', {}, jsonBlock('Header', decoded.header), permissionTable(decoded.claims, answer)), claimsTable('Claims', decoded.claims))
          : h('p', {}, 'This token is not a JWT.'),
      );
    });
  };

  root.append(mintForm, mintResult, verifySection);
  void attempt(keyResult, null, async () => {
    keys = (await api.listApiKeys(tenant)).items.filter((key) => key.revokedAt === null);
    replaceChildren(apiKey, ...keys.map((key) => h('option', { value: key.apiKey }, `${key.apiKey} (${key.environment}${key.name ? `, ${key.name}` : ''})`)));
    const known = keys.find((key) => secrets.has(key.apiKey));
    if (known) apiKey.value = known.apiKey;
    fillSecret();
    if (keys.length === 0) replaceChildren(keyResult, h('p', {}, 'This tenant has no API key yet: ', h('a', { href: '#/api-keys' }, 'create one'), '.'));
  });
}
