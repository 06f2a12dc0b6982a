// The auth0 Node SDK's v4 API, unmodified, as auth0@7 still ships it under 'auth0/legacy' (a
// bundled auth0@4.37.1): AuthenticationClient grants and database endpoints, and ManagementClient
// CRUD on users and clients. The Authentication API client is no longer part of auth0 from v7 on,
// so this file tests it at v4; the Management API through the SDK's current major (v7) is covered
// by management-sdk.test.js. The SDK always builds https://<domain> URLs; its documented `fetch`
// option sends them to the local http server instead (see plainHttpFetch).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { AuthApiError, AuthenticationClient, ManagementApiError, ManagementClient } from 'auth0/legacy';

import { DATABASE, decodeJwt, plainHttpFetch, random, startServer } from './support/harness.js';

const API = 'https://api.e2e.example.com/';

let server;
/** The ManagementClient of the bootstrap admin client. */
let management;

/** An AuthenticationClient for `clientId` talking to the local server. */
function authentication(clientId, clientSecret) {
  return new AuthenticationClient({ domain: server.host, clientId, clientSecret, fetch: plainHttpFetch(server) });
}

/** The error a call rejected with, checked to be of `type`. */
async function rejection(promise, type) {
  const error = await promise.then(
    (response) => assert.fail(`expected an error, got ${response?.status} ${JSON.stringify(response?.data)}`),
    (error) => error,
  );
  assert.ok(error instanceof type, `expected ${type.name}, got ${error?.stack ?? error}`);
  return error;
}

/** Resolves like `promise`; an SDK error is rethrown with what was asked and the server's answer. */
async function sdk(what, promise) {
  try {
    return await promise;
  } catch (error) {
    const status = error?.statusCode ?? error?.response?.status;
    const body = error?.body ?? '';
    throw new Error(`${what} failed: ${status ?? ''} ${error?.message ?? error} ${String(body).slice(0, 500)}`, {
      cause: error,
    });
  }
}

/** An API, a regular web app granted it, and a user: created once through the ManagementClient. */
let created;
function fixtures() {
  created ??= (async () => {
    await sdk(
      'resourceServers.create',
      management.resourceServers.create({
        name: 'E2E API',
        identifier: API,
        scopes: [{ value: 'read:things', description: 'Read things' }],
        allow_offline_access: true,
        token_lifetime: 600,
      }),
    );
    const { data: web } = await sdk(
      'clients.create',
      management.clients.create({
        name: `E2E Web ${random(4)}`,
        app_type: 'regular_web',
        callbacks: ['https://web.e2e.example.com/callback'],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code', 'refresh_token', 'password', 'http://auth0.com/oauth/grant-type/password-realm'],
      }),
    );
    assert.ok(web.client_id && web.client_secret, `clients.create returned ${JSON.stringify(web)}`);
    await sdk(
      'clientGrants.create',
      management.clientGrants.create({ client_id: web.client_id, audience: API, scope: ['read:things'] }),
    );
    const user = { email: `sam-${random(4).toLowerCase()}@e2e.example.com`, password: `Pw1-${random(12)}` };
    const { data: stored } = await sdk(
      'users.create',
      management.users.create({ connection: DATABASE, ...user, email_verified: true }),
    );
    return { web, user: { ...user, user_id: stored.user_id } };
  })();
  return created;
}

before(async () => {
  server = await startServer();
  management = new ManagementClient({
    domain: server.host,
    clientId: server.admin.clientId,
    clientSecret: server.admin.clientSecret,
    fetch: plainHttpFetch(server),
  });
});

after(async () => {
  await server?.stop();
});

test('AuthenticationClient: client credentials grant for the Management API', async () => {
  const auth = authentication(server.admin.clientId, server.admin.clientSecret);
  const { status, data } = await auth.oauth.clientCredentialsGrant({ audience: server.managementAudience });
  assert.equal(status, 200);
  assert.equal(data.token_type, 'Bearer');
  assert.equal(data.expires_in, 86400);
  const claims = decodeJwt(data.access_token);
  assert.equal(claims.aud, server.managementAudience);
  assert.equal(claims.sub, `${server.admin.clientId}@clients`);
});

test('AuthenticationClient: a wrong client secret is invalid_client (401)', async () => {
  const auth = authentication(server.admin.clientId, 'not-the-secret');
  const error = await rejection(
    auth.oauth.clientCredentialsGrant({ audience: server.managementAudience }),
    AuthApiError,
  );
  assert.equal(error.statusCode, 401);
  assert.equal(error.error, 'invalid_client');
});

test('AuthenticationClient: database.signUp, then a password-realm grant for the new user', async () => {
  const { web } = await fixtures();
  const auth = authentication(web.client_id, web.client_secret);
  const email = `Pat-${random(4)}@E2E.example.com`;
  const password = `Pw1-${random(12)}`;
  const { data: signedUp } = await auth.database.signUp({ email, password, connection: DATABASE });
  assert.equal(signedUp.email, email.toLowerCase());
  assert.equal(signedUp.email_verified, false);
  assert.ok(signedUp.id, `no id: ${JSON.stringify(signedUp)}`);

  const again = await rejection(auth.database.signUp({ email, password, connection: DATABASE }), AuthApiError);
  assert.equal(again.statusCode, 400);
  assert.equal(again.error, 'user_exists');

  const { data } = await auth.oauth.passwordGrant({
    username: email.toLowerCase(),
    password,
    realm: DATABASE,
    audience: API,
    scope: 'read:things',
  });
  assert.equal(data.token_type, 'Bearer');
  assert.equal(data.expires_in, 600);
  const claims = decodeJwt(data.access_token);
  assert.equal(claims.sub, `auth0|${signedUp.id}`);
  assert.equal(claims.aud, API);
  assert.equal(claims.azp, web.client_id);
  assert.equal(claims.gty, 'password');
  assert.equal(claims.scope, 'read:things');
});

test('AuthenticationClient: a wrong password is invalid_grant (403)', async () => {
  const { web, user } = await fixtures();
  const auth = authentication(web.client_id, web.client_secret);
  const error = await rejection(
    auth.oauth.passwordGrant({
      username: user.email,
      password: 'not the password',
      realm: DATABASE,
      audience: API,
      scope: 'read:things',
    }),
    AuthApiError,
  );
  assert.equal(error.statusCode, 403);
  assert.equal(error.error, 'invalid_grant');
});

test('AuthenticationClient: database.changePassword answers alike for known and unknown emails', async () => {
  const { web, user } = await fixtures();
  const auth = authentication(web.client_id, web.client_secret);
  const known = await auth.database.changePassword({ email: user.email, connection: DATABASE });
  const unknown = await auth.database.changePassword({ email: 'nobody@e2e.example.com', connection: DATABASE });
  assert.equal(known.status, 200);
  assert.match(known.data, /email/i);
  assert.equal(unknown.status, known.status);
  assert.equal(unknown.data, known.data);
});

test('ManagementClient: list, create, get, update and delete users', async () => {
  const { web } = await fixtures();
  const email = `kim-${random(4).toLowerCase()}@e2e.example.com`;
  const password = `Pw1-${random(12)}`;
  const { status, data: user } = await sdk(
    'users.create',
    management.users.create({
      connection: DATABASE,
      email,
      password,
      name: 'Kim E2E',
      app_metadata: { plan: 'gold' },
      user_metadata: { locale: 'sv' },
    }),
  );
  assert.equal(status, 201);
  assert.match(user.user_id, /^auth0\|/);
  assert.equal(user.email, email);
  assert.equal(user.name, 'Kim E2E');
  assert.deepEqual(user.app_metadata, { plan: 'gold' });
  assert.equal(user.identities?.[0]?.connection, DATABASE);
  assert.equal(user.identities?.[0]?.provider, 'auth0');
  assert.equal(user.password, undefined, 'the password must never be returned');

  const { data: all } = await sdk('users.getAll', management.users.getAll());
  assert.ok(Array.isArray(all) && all.some((found) => found.user_id === user.user_id));
  const { data: page } = await sdk(
    'users.getAll with include_totals',
    management.users.getAll({ include_totals: true, page: 0, per_page: 50 }),
  );
  assert.ok(page.total >= 2, `include_totals: ${JSON.stringify(page).slice(0, 300)}`);
  assert.ok(page.users.some((found) => found.user_id === user.user_id));
  const { data: search } = await sdk(
    'users.getAll with q',
    management.users.getAll({ q: `email:"${email}"`, search_engine: 'v3' }),
  );
  assert.deepEqual(
    search.map((found) => found.user_id),
    [user.user_id],
  );

  const { data: fetched } = await sdk('users.get', management.users.get({ id: user.user_id }));
  assert.equal(fetched.email, email);
  assert.deepEqual(fetched.user_metadata, { locale: 'sv' });

  const { data: updated } = await sdk(
    'users.update',
    management.users.update({ id: user.user_id }, { name: 'Kim Renamed', app_metadata: { plan: 'platinum' } }),
  );
  assert.equal(updated.name, 'Kim Renamed');
  assert.equal(updated.app_metadata.plan, 'platinum');
  assert.equal((await management.users.get({ id: user.user_id })).data.name, 'Kim Renamed');

  // The password set through the Management API is the one the Authentication API checks.
  const auth = authentication(web.client_id, web.client_secret);
  const { data: tokens } = await auth.oauth.passwordGrant({
    username: email,
    password,
    realm: DATABASE,
    audience: API,
    scope: 'read:things',
  });
  assert.equal(decodeJwt(tokens.access_token).sub, user.user_id);

  const removed = await sdk('users.delete', management.users.delete({ id: user.user_id }));
  assert.equal(removed.status, 204);
  const missing = await rejection(management.users.get({ id: user.user_id }), ManagementApiError);
  assert.equal(missing.statusCode, 404);
});

test('ManagementClient: list, create, get, update and delete clients', async () => {
  const name = `E2E CRUD ${random(4)}`;
  const { status, data: created } = await sdk(
    'clients.create',
    management.clients.create({ name, app_type: 'regular_web', callbacks: ['https://crud.e2e.example.com/callback'] }),
  );
  assert.equal(status, 201);
  assert.ok(created.client_id, 'no client_id');
  assert.ok(created.client_secret, 'a regular web app gets a generated secret');
  assert.equal(created.name, name);

  const { data: all } = await sdk('clients.getAll', management.clients.getAll());
  assert.ok(all.some((found) => found.client_id === created.client_id));
  assert.ok(all.some((found) => found.client_id === server.admin.clientId));

  const { data: fetched } = await sdk('clients.get', management.clients.get({ client_id: created.client_id }));
  assert.equal(fetched.name, name);
  assert.deepEqual(fetched.callbacks, ['https://crud.e2e.example.com/callback']);

  const { data: updated } = await sdk(
    'clients.update',
    management.clients.update(
      { client_id: created.client_id },
      { name: `${name} renamed`, callbacks: ['https://crud.e2e.example.com/other'] },
    ),
  );
  assert.equal(updated.name, `${name} renamed`);
  assert.deepEqual(updated.callbacks, ['https://crud.e2e.example.com/other']);

  const removed = await sdk('clients.delete', management.clients.delete({ client_id: created.client_id }));
  assert.equal(removed.status, 204);
  const missing = await rejection(management.clients.get({ client_id: created.client_id }), ManagementApiError);
  assert.equal(missing.statusCode, 404);
});

test('the server stops cleanly on SIGTERM', async () => {
  const status = await server.stop();
  assert.deepEqual(status, { code: 0, signal: null }, server.output());
});
