#!/usr/bin/env node
// A partner's login app and an OAuth client in one small server (plain Node, no dependencies), to
// walk roomkey's authorization code + PKCE flow in a browser:
//   /            → "Sign in with roomkey" (the client side: PKCE verifier, state, redirect)
//   /login       → the partner's login page roomkey sends the browser to (login_challenge)
//   /callback    → the client's redirect URI: exchanges the code and shows the tokens
//   /refresh     → uses the refresh token once (rotation: a new one each time)
// Configure with ROOMKEY_URL, TENANT, API_KEY, API_SECRET (a production API key), CLIENT_ID (a public
// client with redirect URI http://127.0.0.1:$PORT/callback), PORT (3000). See the README.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const ROOMKEY_URL = (process.env.ROOMKEY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const TENANT = process.env.TENANT || 'demo';
const { API_KEY, API_SECRET, CLIENT_ID } = process.env;
const PORT = Number(process.env.PORT || 3000);
const SELF = `http://127.0.0.1:${PORT}`;
const REDIRECT_URI = `${SELF}/callback`;
const REALM = `${ROOMKEY_URL}/realms/${TENANT}/protocol/openid-connect`;
const ROLES = ['HOST', 'COHOST', 'CONTRIBUTOR', 'GUEST', 'VIEWER'];

if (!API_KEY || !API_SECRET || !CLIENT_ID) {
  console.error('Set API_KEY and API_SECRET (a production API key of the tenant) and CLIENT_ID (a public client); see the README.');
  process.exit(1);
}

/** Pending logins (state → PKCE verifier) and signed-in sessions; in memory: this is an example. */
const pending = new Map();
const sessions = new Map();

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:16px system-ui;margin:2rem auto;max-width:46rem}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap;word-break:break-all}</style>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
const basic = `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}`;
const b64url = (buffer) => buffer.toString('base64url');
const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

async function roomkey(method, path, body) {
  const response = await fetch(`${ROOMKEY_URL}${path}`, {
    method,
    headers: { authorization: basic, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${answer.message || answer.error}`);
  return answer;
}

async function tokenRequest(params) {
  const response = await fetch(`${REALM}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...params }),
  });
  return { status: response.status, body: await response.json() };
}

function readForm(request) {
  return new Promise((resolve, reject) => {
    let data = '';
    request.on('data', (chunk) => {
      data += chunk;
      if (data.length > 16384) reject(new Error('form too large'));
    });
    request.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
  });
}

function showTokens(response, session, heading) {
  const claims = claimsOf(session.accessToken);
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(
    page(heading, `<p>Signed in as <strong>${escape(claims.sub)}</strong> (${escape(claims.role || 'no role')}).</p>
<h2>Access token claims</h2><pre>${escape(JSON.stringify(claims, null, 2))}</pre>
<p>Refresh token: ${session.refreshToken ? 'received (rotates on every use)' : 'none'}</p>
<p><a href="/refresh?session=${escape(session.id)}">Refresh now</a> · <a href="/">Start again</a></p>`),
  );
}

const routes = {
  'GET /': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Example app', `<p>Tenant <code>${escape(TENANT)}</code> at ${escape(ROOMKEY_URL)}.</p><p><a href="/start">Sign in with roomkey</a></p>`));
  },

  // The client side: a PKCE verifier and state, then off to roomkey's authorization endpoint.
  'GET /start': (_req, res) => {
    const verifier = b64url(crypto.randomBytes(32));
    const state = b64url(crypto.randomBytes(16));
    pending.set(state, verifier);
    const url = new URL(`${REALM}/auth`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      code_challenge: b64url(crypto.createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
      state,
    }).toString();
    res.writeHead(302, { location: url.toString() });
    res.end();
  },

  // The partner's login page: roomkey sent the browser here with a login_challenge.
  'GET /login': async (req, res, url) => {
    const challenge = url.searchParams.get('login_challenge') || '';
    const request = await roomkey('GET', `/v1/login-requests/${encodeURIComponent(challenge)}`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      page('Sign in', `<p>Client <code>${escape(request.clientId)}</code> asks to sign you in.</p>
<form method="post" action="/login"><input type="hidden" name="challenge" value="${escape(challenge)}">
<p><label>Your name <input name="subject" required maxlength="255" value="alice"></label></p>
<p><label>Role <select name="role">${ROLES.map((r) => `<option${r === 'GUEST' ? ' selected' : ''}>${r}</option>`).join('')}</select></label></p>
<p><label>Rooms (comma-separated, optional) <input name="rooms" value="town-hall"></label></p>
<p><button name="action" value="accept">Sign in</button> <button name="action" value="reject" formnovalidate>Cancel</button></p></form>`),
    );
  },

  'POST /login': async (req, res) => {
    const form = await readForm(req);
    const path = `/v1/login-requests/${encodeURIComponent(form.challenge || '')}`;
    const rooms = (form.rooms || '').split(',').map((r) => r.trim()).filter(Boolean);
    const { redirectTo } =
      form.action === 'reject'
        ? await roomkey('PUT', `${path}/reject`, { error: 'access_denied', error_description: 'The user cancelled' })
        : await roomkey('PUT', `${path}/accept`, { subject: form.subject, role: form.role, ...(rooms.length ? { rooms } : {}) });
    res.writeHead(302, { location: redirectTo });
    res.end();
  },

  // The client's redirect URI: check state, exchange the code with the PKCE verifier.
  'GET /callback': async (_req, res, url) => {
    const state = url.searchParams.get('state') || '';
    const verifier = pending.get(state);
    pending.delete(state);
    if (url.searchParams.get('error') || !verifier) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Not signed in', `<p>${escape(url.searchParams.get('error_description') || url.searchParams.get('error') || 'Unknown or reused state')}</p><p><a href="/">Start again</a></p>`));
      return;
    }
    const { status, body } = await tokenRequest({ grant_type: 'authorization_code', code: url.searchParams.get('code') || '', redirect_uri: REDIRECT_URI, code_verifier: verifier });
    if (status !== 200) throw new Error(`token endpoint: ${status} ${body.error}: ${body.error_description}`);
    const session = { id: b64url(crypto.randomBytes(16)), accessToken: body.access_token, refreshToken: body.refresh_token };
    sessions.set(session.id, session);
    showTokens(res, session, 'Signed in');
  },

  'GET /refresh': async (_req, res, url) => {
    const session = sessions.get(url.searchParams.get('session') || '');
    if (!session || !session.refreshToken) throw new Error('No session with a refresh token');
    const { status, body } = await tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refreshToken });
    if (status !== 200) throw new Error(`token endpoint: ${status} ${body.error}: ${body.error_description}`);
    Object.assign(session, { accessToken: body.access_token, refreshToken: body.refresh_token });
    showTokens(res, session, 'Refreshed');
  },
};

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url || '/', SELF);
  const route = routes[`${req.method} ${url.pathname}`];
  try {
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not found');
      return;
    }
    await route(req, res, url);
  } catch (error) {
    res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Something went wrong', `<pre>${escape(error.message)}</pre><p><a href="/">Start again</a></p>`));
  }
});

server.listen(PORT, '127.0.0.1', () => console.log(`example login app on ${SELF} (tenant ${TENANT} at ${ROOMKEY_URL})`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
