// The OpenID Connect flows through openid-client v6, unmodified: discovery, authorization code
// with PKCE through the login form, ID token validation (claims and signature), refresh token
// rotation and reuse detection, userinfo, revocation and client credentials.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import * as client from 'openid-client';

import { DATABASE, decodeJwt, describePage, logIn, management, random, startServer } from './support/harness.js';

const SPA_CALLBACK = 'https://spa.e2e.example.com/callback';
const WEB_CALLBACK = 'https://web.e2e.example.com/callback';
const API = 'https://api.e2e.example.com/';

let server;

/** openid-client configured by discovery, with http allowed for the local issuer. */
function discover(clientId, clientSecret) {
  const auth = clientSecret === undefined ? client.None() : client.ClientSecretPost(clientSecret);
  return client.discovery(new URL(server.issuer), clientId, undefined, auth, {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
}

/** Logs `user` in to `config` with code + PKCE through the login form; the validated tokens. */
async function codeFlow(config, redirectUri, user, scope = 'openid profile email offline_access') {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const result = await logIn(server, url, { username: user.email, password: user.password });
  assert.ok(result.callback, `the login did not redirect to the client: ${describePage(result.page)}`);
  assert.equal(`${result.callback.origin}${result.callback.pathname}`, redirectUri);
  return client.authorizationCodeGrant(config, result.callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
}

/** The OAuth error an openid-client call rejected with. */
async function oauthError(promise) {
  const error = await promise.then(
    () => assert.fail('expected the request to fail'),
    (error) => error,
  );
  assert.ok(error instanceof client.ResponseBodyError, `not an OAuth error response: ${error?.stack ?? error}`);
  return error;
}

/** The clients, API and user the flows need, created once through the Management API. */
let created;
function fixtures() {
  created ??= (async () => {
    const api = management(server);
    await api.request('POST', 'resource-servers', {
      name: 'E2E API',
      identifier: API,
      scopes: [{ value: 'read:things', description: 'Read things' }],
      signing_alg: 'RS256',
      allow_offline_access: true,
      token_lifetime: 600,
      skip_consent_for_verifiable_first_party_clients: true,
    });
    const spa = await api.request('POST', 'clients', {
      name: `E2E SPA ${random(4)}`,
      app_type: 'spa',
      callbacks: [SPA_CALLBACK],
      allowed_logout_urls: ['https://spa.e2e.example.com/'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      oidc_conformant: true,
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 0, token_lifetime: 86400 },
    });
    const web = await api.request('POST', 'clients', {
      name: `E2E Web ${random(4)}`,
      app_type: 'regular_web',
      callbacks: [WEB_CALLBACK],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      oidc_conformant: true,
    });
    assert.ok(web.client_secret, `POST /api/v2/clients returned no client_secret: ${JSON.stringify(web)}`);
    await api.request('POST', 'client-grants', { client_id: web.client_id, audience: API, scope: ['read:things'] });
    const user = {
      email: `jane-${random(4).toLowerCase()}@e2e.example.com`,
      password: `Pw1-${random(12)}`,
      name: 'Jane E2E',
    };
    const stored = await api.request('POST', 'users', {
      connection: DATABASE,
      email: user.email,
      password: user.password,
      name: user.name,
      email_verified: true,
    });
    return { spa, web, user: { ...user, user_id: stored.user_id } };
  })();
  return created;
}

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

test('discovery publishes the issuer and endpoints openid-client needs', async () => {
  const config = await discover(server.admin.clientId, server.admin.clientSecret);
  const metadata = config.serverMetadata();
  assert.equal(metadata.issuer, server.issuer);
  assert.equal(metadata.authorization_endpoint, `${server.origin}/authorize`);
  assert.equal(metadata.token_endpoint, `${server.origin}/oauth/token`);
  assert.equal(metadata.userinfo_endpoint, `${server.origin}/userinfo`);
  assert.equal(metadata.jwks_uri, `${server.origin}/.well-known/jwks.json`);
  assert.equal(metadata.revocation_endpoint, `${server.origin}/oauth/revoke`);
  assert.ok(metadata.supportsPKCE('S256'), 'S256 PKCE is not advertised');
  const jwks = await (await fetch(metadata.jwks_uri)).json();
  assert.ok(jwks.keys.length >= 1 && jwks.keys.every((key) => key.kty === 'RSA' && key.kid && !key.d));
});

test('SPA: authorization code + PKCE through the login form, ID token validated by openid-client', async () => {
  const { spa, user } = await fixtures();
  const config = await discover(spa.client_id);
  const tokens = await codeFlow(config, SPA_CALLBACK, user);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.ok(tokens.access_token, 'no access token');
  assert.ok(tokens.refresh_token, 'offline_access gave no refresh token');
  assert.ok(tokens.expiresIn() > 0);
  const claims = tokens.claims();
  assert.equal(claims.iss, server.issuer);
  assert.equal(claims.aud, spa.client_id);
  assert.equal(claims.sub, user.user_id);
  assert.equal(claims.email, user.email);
  assert.equal(claims.email_verified, true);
  assert.equal(claims.name, user.name);
  assert.equal(typeof claims.auth_time, 'number');
  assert.equal(typeof claims.sid, 'string');
  const access = decodeJwt(tokens.access_token);
  assert.equal(access.sub, user.user_id);
  assert.equal(access.azp, spa.client_id);
});

test('the bootstrap user (AUTHHERO_ADMIN_EMAIL / AUTHHERO_ADMIN_PASSWORD) can log in', async () => {
  const { spa } = await fixtures();
  const query = new URLSearchParams({ q: `email:"${server.admin.email}"`, search_engine: 'v3' });
  const found = await management(server).request('GET', `users?${query}`);
  assert.equal(found.length, 1, `GET /api/v2/users finds no user ${server.admin.email}: ${JSON.stringify(found)}`);
  const config = await discover(spa.client_id);
  const tokens = await codeFlow(config, SPA_CALLBACK, server.admin, 'openid email');
  assert.equal(tokens.claims().email, server.admin.email);
});

test('regular web app: code flow with client_secret_post, then userinfo', async () => {
  const { web, user } = await fixtures();
  const config = await discover(web.client_id, web.client_secret);
  const tokens = await codeFlow(config, WEB_CALLBACK, user, 'openid profile email');
  const { sub } = tokens.claims();
  assert.equal(sub, user.user_id);
  const info = await client.fetchUserInfo(config, tokens.access_token, sub);
  assert.equal(info.sub, sub);
  assert.equal(info.email, user.email);
  assert.equal(info.email_verified, true);
  assert.equal(info.name, user.name);
  await assert.rejects(
    client.fetchUserInfo(config, tokens.access_token, 'auth0|someone-else'),
    'openid-client must refuse a userinfo response for another subject',
  );
});

test('refresh tokens rotate; replaying a rotated one revokes the family', async () => {
  const { spa, user } = await fixtures();
  const config = await discover(spa.client_id);
  const first = await codeFlow(config, SPA_CALLBACK, user);
  const { sub } = first.claims();

  const second = await client.refreshTokenGrant(config, first.refresh_token);
  assert.ok(second.access_token);
  assert.ok(second.refresh_token, 'a rotating client gets a new refresh token');
  assert.notEqual(second.refresh_token, first.refresh_token);
  assert.equal(second.claims()?.sub, sub);
  const info = await client.fetchUserInfo(config, second.access_token, sub);
  assert.equal(info.sub, sub);

  const replay = await oauthError(client.refreshTokenGrant(config, first.refresh_token));
  assert.equal(replay.error, 'invalid_grant');
  assert.equal(replay.status, 403);
  const revoked = await oauthError(client.refreshTokenGrant(config, second.refresh_token));
  assert.equal(revoked.error, 'invalid_grant', 'reuse of a rotated token must revoke its descendants');
});

test('revocation ends a refresh token', async () => {
  const { spa, user } = await fixtures();
  const config = await discover(spa.client_id);
  const tokens = await codeFlow(config, SPA_CALLBACK, user);
  await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
  const error = await oauthError(client.refreshTokenGrant(config, tokens.refresh_token));
  assert.equal(error.error, 'invalid_grant');
  // RFC 7009: revoking an unknown token is not an error.
  await client.tokenRevocation(config, 'not-a-token-this-server-issued');
});

test('client credentials for the Management API audience', async () => {
  const config = await discover(server.admin.clientId, server.admin.clientSecret);
  const tokens = await client.clientCredentialsGrant(config, { audience: server.managementAudience });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(tokens.expires_in, 86400);
  const claims = decodeJwt(tokens.access_token);
  assert.equal(claims.iss, server.issuer);
  assert.equal(claims.aud, server.managementAudience);
  assert.equal(claims.sub, `${server.admin.clientId}@clients`);
  assert.equal(claims.azp, server.admin.clientId);
  assert.equal(claims.gty, 'client-credentials');
  assert.ok(claims.scope.split(' ').includes('read:users'), `scope: ${claims.scope}`);

  const response = await fetch(`${server.origin}/api/v2/clients`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.equal(response.status, 200, `GET /api/v2/clients with that token: ${response.status}`);
  const clients = await response.json();
  assert.ok(Array.isArray(clients), `GET /api/v2/clients: ${JSON.stringify(clients)}`);
  assert.ok(clients.some((found) => found.client_id === server.admin.clientId));
});

test('client credentials for a custom API the client was granted, and only for it', async () => {
  const { web } = await fixtures();
  const config = await discover(web.client_id, web.client_secret);
  const tokens = await client.clientCredentialsGrant(config, { audience: API });
  const claims = decodeJwt(tokens.access_token);
  assert.equal(claims.aud, API);
  assert.equal(claims.scope, 'read:things');
  assert.equal(tokens.expires_in, 600);
  const denied = await oauthError(client.clientCredentialsGrant(config, { audience: server.managementAudience }));
  assert.equal(denied.error, 'access_denied');
  assert.equal(denied.status, 403);
});

test('a wrong client secret is invalid_client (401)', async () => {
  const config = await discover(server.admin.clientId, 'not-the-secret');
  const error = await oauthError(client.clientCredentialsGrant(config, { audience: server.managementAudience }));
  assert.equal(error.error, 'invalid_client');
  assert.equal(error.status, 401);
});

test('a wrong PKCE verifier is refused with invalid_grant', async () => {
  const { spa, user } = await fixtures();
  const config = await discover(spa.client_id);
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: SPA_CALLBACK,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state,
  });
  const result = await logIn(server, url, { username: user.email, password: user.password });
  assert.ok(result.callback, `the login did not redirect to the client: ${describePage(result.page)}`);
  const error = await oauthError(
    client.authorizationCodeGrant(config, result.callback, {
      pkceCodeVerifier: client.randomPKCECodeVerifier(),
      expectedState: state,
    }),
  );
  assert.equal(error.error, 'invalid_grant');
  assert.equal(error.status, 403);
});

test('a wrong password shows the login form again and never reaches the client', async () => {
  const { spa, user } = await fixtures();
  const config = await discover(spa.client_id);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: SPA_CALLBACK,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: client.randomState(),
  });
  const result = await logIn(server, url, { username: user.email, password: 'not the password' });
  assert.equal(result.callback, undefined, `redirected to ${result.callback}`);
  assert.equal(result.page.status, 400);
  assert.equal(result.page.headers.get('location'), null);
  assert.match(result.page.body, /name="password"/);
});

test('an unregistered redirect_uri is a 400 page, never a redirect', async () => {
  const { spa } = await fixtures();
  const config = await discover(spa.client_id);
  for (const redirectUri of [
    'https://evil.e2e.example.com/callback',
    `${SPA_CALLBACK}/../elsewhere`,
    `${SPA_CALLBACK}x`,
  ]) {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
    });
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400, `${redirectUri}: ${response.status}`);
    assert.equal(response.headers.get('location'), null, `${redirectUri} redirected`);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  }
});

test('the server stops cleanly on SIGTERM', async () => {
  const status = await server.stop();
  assert.deepEqual(status, { code: 0, signal: null }, server.output());
});
