// Lazy migration from a legacy Auth0 tenant, black-box. A second authhero-server plays the
// legacy tenant (it speaks Auth0's Authentication and Management APIs); the server under test
// is started with AUTHHERO_LEGACY_AUTH0_* pointing at it. A user who exists only there is
// checked against it on their first login, imported with the same user_id, and local from then
// on; an outage of the legacy tenant is a clear "try again later", never a 500; and a refresh
// token the legacy tenant issued is redeemed there once for a local one.
//
// Every test starts the servers it needs (each takes about a second) and stops them after.

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';

import * as client from 'openid-client';

import { DATABASE, ManagementError, describePage, logIn, management, random, startServer } from './support/harness.js';

const CALLBACK = 'https://app.e2e.example.com/callback';
const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
/** What the applications of these tests may do, on either server. */
const APP_GRANT_TYPES = ['authorization_code', 'refresh_token', 'password', PASSWORD_REALM];
/** Short, so the hanging-legacy test does not wait long; long enough for a loaded machine. */
const LEGACY_TIMEOUT_MS = 1500;

// ---------------------------------------------------------------------------------------------
// Servers

/** `startServer`, stopped when the test ends (stopping twice is harmless). */
async function started(t, options) {
  const server = await startServer(options);
  t.after(() => server.stop());
  return server;
}

/**
 * The legacy tenant: a server with the client the migration calls it with, allowed the
 * client-credentials grant for its Management API (read:users) and the password-realm grant
 * (a new client is enabled on every existing connection, so on its database too).
 */
async function startLegacyTenant(t) {
  const server = await started(t);
  const api = management(server);
  const migrator = await api.request('POST', 'clients', {
    name: `Migration ${random(4)}`,
    app_type: 'non_interactive',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials', 'password', PASSWORD_REALM],
  });
  await api.request('POST', 'client-grants', {
    client_id: migrator.client_id,
    audience: server.managementAudience,
    scope: ['read:users'],
  });
  return { server, api, migrator };
}

/** The server under test, importing from `legacy` (whose host names its Management API). */
function startMigratingServer(t, legacy) {
  return started(t, {
    env: {
      AUTHHERO_LEGACY_AUTH0_DOMAIN: legacy.server.host,
      AUTHHERO_LEGACY_AUTH0_BASE_URL: legacy.server.origin,
      AUTHHERO_LEGACY_AUTH0_CLIENT_ID: legacy.migrator.client_id,
      AUTHHERO_LEGACY_AUTH0_CLIENT_SECRET: legacy.migrator.client_secret,
      AUTHHERO_LEGACY_AUTH0_TIMEOUT_MS: String(LEGACY_TIMEOUT_MS),
    },
  });
}

/** Stops a server and checks it went down cleanly, so what follows really runs without it. */
async function stopCleanly(server) {
  const status = await server.stop();
  assert.deepEqual(status, { code: 0, signal: null }, server.output());
}

// ---------------------------------------------------------------------------------------------
// Fixtures, through the Management API

/** A database user with a password that meets the default policy; `user_id` as stored. */
async function createUser(api, name = 'user') {
  const user = {
    email: `${name}-${random(4).toLowerCase()}@e2e.example.com`,
    password: `Pw1-${random(12)}`,
  };
  const stored = await api.request('POST', 'users', {
    connection: DATABASE,
    email: user.email,
    password: user.password,
    email_verified: true,
  });
  return { ...user, user_id: stored.user_id };
}

/** A confidential web application; `credentials` copies one from another tenant. */
function createApp(api, credentials = {}) {
  return api.request('POST', 'clients', {
    name: `Migrated App ${random(4)}`,
    app_type: 'regular_web',
    callbacks: [CALLBACK],
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: APP_GRANT_TYPES,
    oidc_conformant: true,
    ...credentials,
  });
}

/** The server's users with this email, by Auth0's user search. */
function usersWithEmail(server, email) {
  const query = new URLSearchParams({ q: `email:"${email}"`, search_engine: 'v3' });
  return management(server).request('GET', `users?${query}`);
}

// ---------------------------------------------------------------------------------------------
// openid-client

/** openid-client configured by discovery of `server` for `app`, with http allowed. */
function discover(server, app) {
  return client.discovery(new URL(server.issuer), app.client_id, undefined, client.ClientSecretPost(app.client_secret), {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
}

/** Opens /authorize (code + PKCE) and submits the login form; the harness's `logIn` result. */
async function submitLogin(server, config, user) {
  const checks = {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
  });
  const result = await logIn(server, url, { username: user.email, password: user.password });
  return { ...result, checks };
}

/** A login through the login page to the code exchange; the tokens openid-client validated. */
async function codeFlow(server, config, user) {
  const { callback, page, checks } = await submitLogin(server, config, user);
  assert.ok(callback, `the login did not redirect to the client: ${describePage(page)}`);
  return client.authorizationCodeGrant(config, callback, checks);
}

/** Auth0's password-realm grant on the database connection. */
function passwordRealmGrant(config, user, scope = 'openid') {
  return client.genericGrantRequest(config, PASSWORD_REALM, {
    username: user.email,
    password: user.password,
    realm: DATABASE,
    scope,
  });
}

/**
 * The password-realm grant over plain fetch: `{ status, body }`. For outages, whose 503 answer
 * openid-client does not read as an OAuth error (it parses error bodies of 4xx answers only).
 */
async function rawPasswordRealmGrant(server, app, user) {
  const response = await fetch(`${server.origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: PASSWORD_REALM,
      client_id: app.client_id,
      client_secret: app.client_secret,
      username: user.email,
      password: user.password,
      realm: DATABASE,
      scope: 'openid',
    }),
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = { unparsed: text };
  }
  return { status: response.status, body };
}

/** Asserts the token endpoint answered that the legacy tenant is unavailable (503, never 500). */
function assertTemporarilyUnavailable({ status, body }) {
  assert.equal(status, 503, JSON.stringify(body));
  assert.equal(body.error, 'temporarily_unavailable', JSON.stringify(body));
}

/** The OAuth error response an openid-client call rejected with. */
async function oauthError(promise) {
  const error = await promise.then(
    () => assert.fail('expected the request to fail'),
    (error) => error,
  );
  assert.ok(error instanceof client.ResponseBodyError, `not an OAuth error response: ${error?.stack ?? error}`);
  return error;
}

/** Asserts the login page refused `user` as a wrong password: the form again, no redirect. */
function assertWrongPasswordPage({ callback, page }) {
  assert.equal(callback, undefined, `a wrong password redirected to ${callback}`);
  assert.equal(page.status, 400, describePage(page));
  assert.match(page.body, /name="password"/, 'the login form is not shown again');
}

// ---------------------------------------------------------------------------------------------

test('a user only in the legacy tenant logs in through the login page and is imported with the same user_id', async (t) => {
  const legacy = await startLegacyTenant(t);
  const user = await createUser(legacy.api, 'legacy');
  const server = await startMigratingServer(t, legacy);
  const app = await createApp(management(server));
  assert.deepEqual(await usersWithEmail(server, user.email), [], 'the user is local before logging in');

  const tokens = await codeFlow(server, await discover(server, app), user);
  const claims = tokens.claims();
  assert.equal(claims.iss, server.issuer);
  assert.equal(claims.sub, user.user_id, 'the ID token names the legacy user_id');
  assert.equal(claims.email, user.email);
  assert.equal(claims.email_verified, true);

  // Now local: the same user_id, with the legacy profile, in the database connection.
  const imported = await management(server).request('GET', `users/${encodeURIComponent(user.user_id)}`);
  assert.equal(imported.user_id, user.user_id);
  assert.equal(imported.email, user.email);
  assert.equal(imported.email_verified, true);
  assert.ok(
    imported.identities?.some((identity) => identity.connection === DATABASE),
    `identities: ${JSON.stringify(imported.identities)}`,
  );
  const found = await usersWithEmail(server, user.email);
  assert.deepEqual(
    found.map((each) => each.user_id),
    [user.user_id],
    'exactly one local user has the email',
  );
});

test('an imported user still logs in once the legacy tenant is stopped', async (t) => {
  const legacy = await startLegacyTenant(t);
  const user = await createUser(legacy.api, 'legacy');
  const server = await startMigratingServer(t, legacy);
  const app = await createApp(management(server));
  const config = await discover(server, app);
  await codeFlow(server, config, user); // imports the user

  await stopCleanly(legacy.server);
  const tokens = await codeFlow(server, config, user);
  assert.equal(tokens.claims().sub, user.user_id);
  // The password grants check the local hash too.
  const direct = await passwordRealmGrant(config, user);
  assert.equal(direct.claims().sub, user.user_id);
});

test('a wrong password for a user only in the legacy tenant fails and imports nothing', async (t) => {
  const legacy = await startLegacyTenant(t);
  const user = await createUser(legacy.api, 'legacy');
  const server = await startMigratingServer(t, legacy);
  const app = await createApp(management(server));
  const config = await discover(server, app);
  const wrong = { ...user, password: `Pw1-${random(12)}` };

  assertWrongPasswordPage(await submitLogin(server, config, wrong));
  const refused = await oauthError(passwordRealmGrant(config, wrong));
  assert.equal(refused.status, 403);
  assert.equal(refused.error, 'invalid_grant');
  assert.deepEqual(await usersWithEmail(server, user.email), [], 'a refused login imported the user');

  // Refusing was all it did: the right password imports the user as usual.
  const tokens = await codeFlow(server, config, user);
  assert.equal(tokens.claims().sub, user.user_id);
});

test('with the legacy tenant down, local users log in and legacy-only users are told to try again later', async (t) => {
  const legacy = await startLegacyTenant(t);
  const legacyOnly = await createUser(legacy.api, 'legacy');
  const server = await startMigratingServer(t, legacy);
  const api = management(server);
  const app = await createApp(api);
  const local = await createUser(api, 'local');
  const config = await discover(server, app);
  await stopCleanly(legacy.server);

  // A local user never needs the legacy tenant.
  assert.equal((await codeFlow(server, config, local)).claims().sub, local.user_id);
  assert.equal((await passwordRealmGrant(config, local)).claims().sub, local.user_id);

  // A legacy-only user: nothing was decided, and the page says so (not "wrong password").
  const { callback, page } = await submitLogin(server, config, legacyOnly);
  assert.equal(callback, undefined, `redirected to ${callback}`);
  assert.equal(page.status, 503, describePage(page));
  assert.match(page.body, /try again later/i, describePage(page));
  assertTemporarilyUnavailable(await rawPasswordRealmGrant(server, app, legacyOnly));
  assert.deepEqual(await usersWithEmail(server, legacyOnly.email), []);
});

test('a legacy tenant that does not answer in time is an outage too', async (t) => {
  // Accepts connections and never answers: the migration must give up after its timeout.
  const sockets = new Set();
  const hanging = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => hanging.close(resolve));
  });
  const { port } = hanging.address();
  const legacy = {
    server: { host: `localhost:${port}`, origin: `http://127.0.0.1:${port}` },
    migrator: { client_id: `migration-${random(6)}`, client_secret: random(32) },
  };
  const server = await startMigratingServer(t, legacy);
  const app = await createApp(management(server));
  const config = await discover(server, app);
  const stranger = { email: `legacy-${random(4).toLowerCase()}@e2e.example.com`, password: `Pw1-${random(12)}` };

  const startedAt = Date.now();
  const { page } = await submitLogin(server, config, stranger);
  assert.equal(page?.status, 503, describePage(page));
  assert.match(page.body, /try again later/i);
  assertTemporarilyUnavailable(await rawPasswordRealmGrant(server, app, stranger));
  // Two attempts, each bounded by the timeout (with room for a slow machine).
  const elapsed = Date.now() - startedAt;
  assert.ok(elapsed < 4 * LEGACY_TIMEOUT_MS, `the two attempts took ${elapsed} ms`);
});

test('a legacy refresh token is exchanged once at the new server, and its successor works locally', async (t) => {
  const legacy = await startLegacyTenant(t);
  const user = await createUser(legacy.api, 'legacy');
  const legacyApp = await createApp(legacy.api);
  const server = await startMigratingServer(t, legacy);
  // The application moves with the credentials it already ships.
  const app = await createApp(management(server), {
    client_id: legacyApp.client_id,
    client_secret: legacyApp.client_secret,
  });
  assert.equal(app.client_id, legacyApp.client_id);
  assert.equal(app.client_secret, legacyApp.client_secret);

  // A refresh token the legacy tenant issued before the move.
  const legacyTokens = await passwordRealmGrant(await discover(legacy.server, legacyApp), user, 'openid offline_access');
  const legacyRefreshToken = legacyTokens.refresh_token;
  assert.ok(legacyRefreshToken, `the legacy tenant issued no refresh token: ${JSON.stringify(legacyTokens)}`);
  assert.deepEqual(await usersWithEmail(server, user.email), []);

  const config = await discover(server, app);
  const exchanged = await client.refreshTokenGrant(config, legacyRefreshToken);
  assert.ok(exchanged.refresh_token, 'the exchange gave no local refresh token');
  assert.notEqual(exchanged.refresh_token, legacyRefreshToken);
  assert.equal(exchanged.claims()?.iss, server.issuer);
  assert.equal(exchanged.claims()?.sub, user.user_id, 'the ID token names the legacy user_id');
  const imported = await management(server).request('GET', `users/${encodeURIComponent(user.user_id)}`);
  assert.equal(imported.email, user.email);

  // Once only: the legacy token cannot be exchanged again.
  const replay = await oauthError(client.refreshTokenGrant(config, legacyRefreshToken));
  assert.ok([400, 403].includes(replay.status), `replay answered ${replay.status}`);
  assert.equal(replay.error, 'invalid_grant');

  // The local token is the server's own: it refreshes, with or without the legacy tenant.
  const refreshed = await client.refreshTokenGrant(config, exchanged.refresh_token);
  assert.equal(refreshed.claims()?.sub, user.user_id);
  await stopCleanly(legacy.server);
  const offline = await client.refreshTokenGrant(config, refreshed.refresh_token ?? exchanged.refresh_token);
  assert.equal(offline.claims()?.sub, user.user_id);
});

test('POST /api/v2/clients takes an application’s own credentials, but not a taken client_id or a short secret', async (t) => {
  const server = await started(t);
  const api = management(server);
  const credentials = { client_id: `moved-${random(8)}`, client_secret: random(32) };
  const app = await createApp(api, credentials);
  assert.equal(app.client_id, credentials.client_id);
  assert.equal(app.client_secret, credentials.client_secret);

  const refusal = (promise) =>
    promise.then(
      () => assert.fail('expected the Management API to refuse'),
      (error) => {
        assert.ok(error instanceof ManagementError, String(error?.stack ?? error));
        return error;
      },
    );
  const taken = await refusal(createApp(api, { ...credentials, client_secret: random(32) }));
  assert.equal(taken.status, 409, taken.message);
  const short = await refusal(createApp(api, { client_id: `moved-${random(8)}`, client_secret: 'x'.repeat(31) }));
  assert.equal(short.status, 400, short.message);
});
