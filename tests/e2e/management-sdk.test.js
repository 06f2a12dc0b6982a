// The Management API through the auth0 Node SDK at its current major (v7), unmodified: the
// ManagementClient gets its token by client credentials as the bootstrap admin client, then
// creates, reads, changes, lists and deletes users (with their roles and permissions), roles,
// clients, connections, APIs and client grants, and reads and changes the tenant settings; then
// organizations, logs, email templates and provider, branding, themes, prompts, attack
// protection and user blocks, custom domains, user imports, stats, tickets, sessions and grants,
// email verification tickets and jobs (over a real SMTP server on loopback), user exports, the
// Universal Login template, connection password options, and (last, as revoking a key ends the
// SDK's token) signing keys. Every result is checked: ids
// round-trip, changes show in a later read, lists (which v7 reads from the `{<resource>: [...],
// total}` and `{<resource>: [...], next}` envelopes only) hold what was created, and deleted
// things are 404 afterwards. Error answers are checked by status and body.
// Retries are off, so a 5xx fails at once instead of after v7's backoff. The SDK builds
// https://<domain> URLs; its `fetch` option sends them to the local http server (plainHttpFetch).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ManagementClient, ManagementError } from 'auth0';

import { gunzipSync } from 'node:zlib';

import { DATABASE, logIn, plainHttpFetch, random, startServer } from './support/harness.js';
import { decodeQuotedPrintable, startSmtp } from './support/smtp.js';

const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';
const CALLBACK = 'https://app.e2e.example.com/callback';

let server;
/** The SMTP server the server under test mails to. */
let smtp;
/** The v7 ManagementClient of the bootstrap admin client. */
let management;

/** A unique name of letters and digits only (connection names allow no `_`). */
function unique(prefix) {
  return `${prefix}${random(6).replace(/[^A-Za-z0-9]/g, '0')}`;
}

/** A unique email address, lower-case as the server keeps them. */
function uniqueEmail(prefix) {
  return `${unique(prefix).toLowerCase()}@e2e.example.com`;
}

/** Resolves like `promise`; an SDK error is rethrown with what was asked and the server's answer. */
async function sdk(what, promise) {
  try {
    return await promise;
  } catch (error) {
    const answer = error?.body === undefined ? '' : JSON.stringify(error.body).slice(0, 500);
    const url = error?.rawResponse?.url ?? '';
    throw new Error(`${what} failed: ${error?.statusCode ?? '(no status)'} ${url} ${answer || error?.message}`, {
      cause: error,
    });
  }
}

/** The ManagementError a call rejected with; a call that succeeds fails the test. */
async function rejection(what, promise) {
  const error = await promise.then(
    (value) => assert.fail(`${what}: expected an error, got ${JSON.stringify(value)?.slice(0, 500)}`),
    (error) => error,
  );
  assert.ok(error instanceof ManagementError, `${what}: expected a ManagementError, got ${error?.stack ?? error}`);
  return error;
}

/** Asserts that `what` answers 404 (the SDK's class depends on the endpoint, so the status is checked). */
async function assertGone(what, promise) {
  const error = await rejection(what, promise);
  assert.equal(error.statusCode, 404, `${what}: ${error.statusCode} ${JSON.stringify(error.body)}`);
  return error;
}

/** Every item of a list, following its pages (v7 loads them itself); fails if paging never ends. */
async function everything(what, pagePromise, limit = 1000) {
  const items = [];
  for await (const item of await sdk(what, pagePromise)) {
    items.push(item);
    assert.ok(items.length <= limit, `${what}: more than ${limit} items, the pages do not end`);
  }
  return items;
}

/** A database user with an email and a password, created through the SDK. */
async function createUser(prefix = 'user') {
  const email = uniqueEmail(prefix);
  const user = await sdk(
    'users.create',
    management.users.create({ connection: DATABASE, email, password: `Pw1-${random(12)}` }),
  );
  assert.equal(user.email, email);
  return user;
}

/** An API with the scopes `read:docs` and `write:docs`, created through the SDK. */
async function createApi() {
  const api = await sdk(
    'resourceServers.create',
    management.resourceServers.create({
      name: unique('Docs API '),
      identifier: `https://${unique('docs').toLowerCase()}.e2e.example.com/`,
      scopes: [
        { value: 'read:docs', description: 'Read documents' },
        { value: 'write:docs', description: 'Write documents' },
      ],
    }),
  );
  assert.ok(api.id, `resourceServers.create returned no id: ${JSON.stringify(api)}`);
  return api;
}

/** The permissions of a list as `identifier permission`, sorted. */
function permissionNames(permissions) {
  return permissions.map((permission) => `${permission.resource_server_identifier} ${permission.permission_name}`).sort();
}

/** A ManagementClient of the bootstrap admin client, with its own token. */
function adminClient() {
  return new ManagementClient({
    domain: server.host,
    clientId: server.admin.clientId,
    clientSecret: server.admin.clientSecret,
    fetch: plainHttpFetch(server),
    maxRetries: 0,
  });
}

/** Calls `read` until `done(value)` holds, then returns the value; fails after `ms`. */
async function eventually(what, read, done, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    assert.ok(Date.now() < deadline, `${what}: not within ${ms} ms, last ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One confidential app allowed the password-realm grant and the code flow (on every connection). */
let app;
function passwordApp() {
  app ??= sdk(
    'clients.create',
    management.clients.create({
      name: unique('E2E Login App '),
      app_type: 'regular_web',
      callbacks: [CALLBACK],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token', 'password', PASSWORD_REALM],
    }),
  );
  return app;
}

/** The password-realm grant against DATABASE over plain fetch: `{status, body}`. */
async function passwordLogin(username, password) {
  const { client_id, client_secret } = await passwordApp();
  const response = await fetch(`${server.origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: PASSWORD_REALM, realm: DATABASE, username, password, client_id, client_secret, scope: 'openid' }),
  });
  return { status: response.status, body: await response.json() };
}

/** The id of the DATABASE connection. */
async function databaseId() {
  const [connection] = await everything('connections.list by name', management.connections.list({ name: DATABASE }));
  assert.equal(connection?.name, DATABASE);
  return connection.id;
}

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { AUTHHERO_SMTP_URL: smtp.url } });
  management = adminClient();
});

after(async () => {
  await server?.stop();
  await smtp?.stop();
});

test('users: create, get, update (app_metadata merges), search with q, by email, delete', async () => {
  const email = uniqueEmail('kim');
  const user = await sdk(
    'users.create',
    management.users.create({
      connection: DATABASE,
      email,
      password: `Pw1-${random(12)}`,
      name: 'Kim E2E',
      app_metadata: { plan: 'gold', seats: 3 },
      user_metadata: { locale: 'sv' },
    }),
  );
  assert.match(user.user_id, /^auth0\|/);
  assert.equal(user.email, email);
  assert.equal(user.name, 'Kim E2E');
  assert.deepEqual(user.app_metadata, { plan: 'gold', seats: 3 });
  assert.equal(user.identities?.[0]?.connection, DATABASE);
  assert.equal(user.identities?.[0]?.provider, 'auth0');
  assert.equal(user.password, undefined, 'the password must never be returned');

  const fetched = await sdk('users.get', management.users.get(user.user_id));
  assert.equal(fetched.user_id, user.user_id);
  assert.equal(fetched.email, email);
  assert.deepEqual(fetched.user_metadata, { locale: 'sv' });

  const updated = await sdk(
    'users.update',
    management.users.update(user.user_id, { name: 'Kim Renamed', app_metadata: { plan: 'platinum' } }),
  );
  assert.equal(updated.user_id, user.user_id);
  assert.equal(updated.name, 'Kim Renamed');
  assert.deepEqual(updated.app_metadata, { plan: 'platinum', seats: 3 }, 'app_metadata is merged, not replaced');
  assert.deepEqual(updated.user_metadata, { locale: 'sv' }, 'user_metadata was not in the PATCH');
  const reread = await sdk('users.get after update', management.users.get(user.user_id));
  assert.equal(reread.name, 'Kim Renamed');
  assert.deepEqual(reread.app_metadata, { plan: 'platinum', seats: 3 });

  const other = await createUser('other');
  const search = await sdk('users.list with q', management.users.list({ q: `email:"${email}"`, search_engine: 'v3' }));
  assert.deepEqual(
    search.data.map((found) => found.user_id),
    [user.user_id],
    `q: ${JSON.stringify(search.response).slice(0, 500)}`,
  );
  assert.equal(search.response.total, 1, `q: ${JSON.stringify(search.response).slice(0, 500)}`);
  const all = await sdk('users.list', management.users.list());
  assert.ok(all.response.total >= 2, `users.list: ${JSON.stringify(all.response).slice(0, 500)}`);
  const listed = all.data.map((found) => found.user_id);
  assert.ok(listed.includes(user.user_id) && listed.includes(other.user_id), `users.list: ${listed}`);

  const byEmail = await sdk('users.listUsersByEmail', management.users.listUsersByEmail({ email }));
  assert.ok(Array.isArray(byEmail), `users-by-email is a bare array: ${JSON.stringify(byEmail).slice(0, 500)}`);
  assert.deepEqual(
    byEmail.map((found) => found.user_id),
    [user.user_id],
  );

  assert.equal(await sdk('users.delete', management.users.delete(user.user_id)), undefined);
  await assertGone('users.get after delete', management.users.get(user.user_id));
  const gone = await sdk('users.list with q after delete', management.users.list({ q: `email:"${email}"` }));
  assert.deepEqual(gone.data, []);
  assert.equal(gone.response.total, 0);
});

test('users.roles and users.permissions: assign, list, delete', async () => {
  const api = await createApi();
  const role = await sdk('roles.create', management.roles.create({ name: unique('Reader '), description: 'Reads' }));
  const user = await createUser('rbac');

  const initial = await sdk('users.roles.list before assign', management.users.roles.list(user.user_id));
  assert.deepEqual(initial.data, []);
  await sdk('users.roles.assign', management.users.roles.assign(user.user_id, { roles: [role.id] }));
  const assigned = await sdk('users.roles.list', management.users.roles.list(user.user_id));
  assert.deepEqual(
    assigned.data.map((found) => found.id),
    [role.id],
    `users.roles.list: ${JSON.stringify(assigned.response).slice(0, 500)}`,
  );
  assert.equal(assigned.data[0].name, role.name);
  assert.equal(assigned.data[0].description, 'Reads');
  assert.equal(assigned.response.total, 1);
  await sdk('users.roles.delete', management.users.roles.delete(user.user_id, { roles: [role.id] }));
  const removed = await sdk('users.roles.list after delete', management.users.roles.list(user.user_id));
  assert.deepEqual(removed.data, []);

  const read = { resource_server_identifier: api.identifier, permission_name: 'read:docs' };
  await sdk('users.permissions.create', management.users.permissions.create(user.user_id, { permissions: [read] }));
  const granted = await sdk('users.permissions.list', management.users.permissions.list(user.user_id));
  assert.deepEqual(
    permissionNames(granted.data),
    [`${api.identifier} read:docs`],
    `users.permissions.list: ${JSON.stringify(granted.response).slice(0, 500)}`,
  );
  assert.equal(granted.data[0].resource_server_name, api.name);
  await sdk('users.permissions.delete', management.users.permissions.delete(user.user_id, { permissions: [read] }));
  const revoked = await sdk('users.permissions.list after delete', management.users.permissions.list(user.user_id));
  assert.deepEqual(permissionNames(revoked.data), []);
});

test('roles: create, get, update, list by name, permissions, users, delete', async () => {
  const api = await createApi();
  const user = await createUser('member');
  const name = unique('Editor ');
  const role = await sdk('roles.create', management.roles.create({ name, description: 'Edits documents' }));
  assert.ok(role.id, `roles.create returned no id: ${JSON.stringify(role)}`);
  assert.equal(role.name, name);
  assert.equal(role.description, 'Edits documents');

  const fetched = await sdk('roles.get', management.roles.get(role.id));
  assert.equal(fetched.id, role.id);
  assert.equal(fetched.name, name);

  const updated = await sdk('roles.update', management.roles.update(role.id, { description: 'Edits everything' }));
  assert.equal(updated.id, role.id);
  assert.equal(updated.name, name);
  assert.equal(updated.description, 'Edits everything');
  assert.equal((await sdk('roles.get after update', management.roles.get(role.id))).description, 'Edits everything');

  const other = await sdk('roles.create', management.roles.create({ name: unique('Viewer '), description: 'Views' }));
  const filtered = await sdk('roles.list with name_filter', management.roles.list({ name_filter: name }));
  assert.deepEqual(
    filtered.data.map((found) => found.id),
    [role.id],
    `name_filter: ${JSON.stringify(filtered.response).slice(0, 500)}`,
  );
  const all = await everything('roles.list', management.roles.list());
  const listed = all.map((found) => found.id);
  assert.ok(listed.includes(role.id) && listed.includes(other.id), `roles.list: ${listed}`);

  const permission = (scope) => ({ resource_server_identifier: api.identifier, permission_name: scope });
  await sdk(
    'roles.permissions.add',
    management.roles.permissions.add(role.id, { permissions: [permission('read:docs'), permission('write:docs')] }),
  );
  const both = await sdk('roles.permissions.list', management.roles.permissions.list(role.id));
  assert.deepEqual(
    permissionNames(both.data),
    [`${api.identifier} read:docs`, `${api.identifier} write:docs`],
    `roles.permissions.list: ${JSON.stringify(both.response).slice(0, 500)}`,
  );
  assert.equal(both.response.total, 2);
  await sdk(
    'roles.permissions.delete',
    management.roles.permissions.delete(role.id, { permissions: [permission('write:docs')] }),
  );
  const one = await sdk('roles.permissions.list after delete', management.roles.permissions.list(role.id));
  assert.deepEqual(permissionNames(one.data), [`${api.identifier} read:docs`]);

  await sdk('roles.users.assign', management.roles.users.assign(role.id, { users: [user.user_id] }));
  const members = await sdk('roles.users.list', management.roles.users.list(role.id));
  assert.deepEqual(
    members.data.map((found) => found.user_id),
    [user.user_id],
    `roles.users.list: ${JSON.stringify(members.response).slice(0, 500)}`,
  );
  assert.equal(members.data[0].email, user.email);
  const userRoles = await sdk('users.roles.list', management.users.roles.list(user.user_id));
  assert.deepEqual(
    userRoles.data.map((found) => found.id),
    [role.id],
  );

  assert.equal(await sdk('roles.delete', management.roles.delete(role.id)), undefined);
  await assertGone('roles.get after delete', management.roles.get(role.id));
  const afterDelete = await sdk('users.roles.list after roles.delete', management.users.roles.list(user.user_id));
  assert.deepEqual(afterDelete.data, [], 'a deleted role is no longer assigned');
});

test('clients: create, get, update, list, rotateSecret, delete', async () => {
  const name = unique('E2E App ');
  const created = await sdk(
    'clients.create',
    management.clients.create({ name, app_type: 'regular_web', callbacks: ['https://app.e2e.example.com/callback'] }),
  );
  assert.ok(created.client_id, `clients.create returned no client_id: ${JSON.stringify(created)}`);
  assert.ok(created.client_secret, 'a regular web app gets a generated secret');
  assert.equal(created.name, name);
  assert.equal(created.app_type, 'regular_web');

  const fetched = await sdk('clients.get', management.clients.get(created.client_id));
  assert.equal(fetched.client_id, created.client_id);
  assert.equal(fetched.name, name);
  assert.deepEqual(fetched.callbacks, ['https://app.e2e.example.com/callback']);

  const updated = await sdk(
    'clients.update',
    management.clients.update(created.client_id, {
      name: `${name} renamed`,
      callbacks: ['https://app.e2e.example.com/other'],
    }),
  );
  assert.equal(updated.client_id, created.client_id);
  assert.equal(updated.name, `${name} renamed`);
  assert.deepEqual(updated.callbacks, ['https://app.e2e.example.com/other']);
  assert.equal((await sdk('clients.get after update', management.clients.get(created.client_id))).name, `${name} renamed`);

  const all = await everything('clients.list', management.clients.list());
  const listed = all.map((found) => found.client_id);
  assert.ok(listed.includes(created.client_id), `clients.list: ${listed}`);
  assert.ok(listed.includes(server.admin.clientId), `clients.list lacks the admin client: ${listed}`);

  const rotated = await sdk('clients.rotateSecret', management.clients.rotateSecret(created.client_id));
  assert.equal(rotated.client_id, created.client_id);
  assert.ok(rotated.client_secret, `rotateSecret returned no secret: ${JSON.stringify(rotated)}`);
  assert.notEqual(rotated.client_secret, created.client_secret, 'the secret did not change');
  const afterRotation = await sdk('clients.get after rotateSecret', management.clients.get(created.client_id));
  assert.equal(afterRotation.client_secret, rotated.client_secret);

  assert.equal(await sdk('clients.delete', management.clients.delete(created.client_id)), undefined);
  await assertGone('clients.get after delete', management.clients.get(created.client_id));
});

test('connections: create, get, update, list by strategy, delete', async () => {
  const name = unique('e2e-db-');
  const created = await sdk('connections.create', management.connections.create({ name, strategy: 'auth0' }));
  assert.ok(created.id, `connections.create returned no id: ${JSON.stringify(created)}`);
  assert.equal(created.name, name);
  assert.equal(created.strategy, 'auth0');

  const fetched = await sdk('connections.get', management.connections.get(created.id));
  assert.equal(fetched.id, created.id);
  assert.equal(fetched.name, name);
  assert.equal(fetched.strategy, 'auth0');

  const updated = await sdk(
    'connections.update',
    management.connections.update(created.id, { display_name: 'E2E Database' }),
  );
  assert.equal(updated.id, created.id);
  assert.equal(updated.display_name, 'E2E Database');
  assert.equal(updated.name, name);
  const reread = await sdk('connections.get after update', management.connections.get(created.id));
  assert.equal(reread.display_name, 'E2E Database');

  const databases = await everything('connections.list by strategy', management.connections.list({ strategy: 'auth0' }));
  const names = databases.map((found) => found.name);
  assert.ok(names.includes(name), `connections.list({strategy: 'auth0'}): ${names}`);
  assert.ok(names.includes(DATABASE), `connections.list({strategy: 'auth0'}): ${names}`);
  assert.ok(
    databases.every((found) => found.strategy === 'auth0'),
    `strategy filter: ${databases.map((found) => found.strategy)}`,
  );
  const others = await everything(
    'connections.list by another strategy',
    management.connections.list({ strategy: 'google-oauth2' }),
  );
  assert.ok(!others.some((found) => found.id === created.id), 'the strategy filter let an auth0 connection through');

  assert.equal(await sdk('connections.delete', management.connections.delete(created.id)), undefined);
  await assertGone('connections.get after delete', management.connections.get(created.id));
});

test('resourceServers: create, get, update, list, delete', async () => {
  const identifier = `https://${unique('api').toLowerCase()}.e2e.example.com/`;
  const name = unique('E2E API ');
  const created = await sdk(
    'resourceServers.create',
    management.resourceServers.create({
      name,
      identifier,
      scopes: [{ value: 'read:things', description: 'Read things' }],
      token_lifetime: 900,
    }),
  );
  assert.ok(created.id, `resourceServers.create returned no id: ${JSON.stringify(created)}`);
  assert.equal(created.identifier, identifier);
  assert.equal(created.name, name);
  assert.equal(created.token_lifetime, 900);
  assert.deepEqual(created.scopes, [{ value: 'read:things', description: 'Read things' }]);

  const fetched = await sdk('resourceServers.get', management.resourceServers.get(created.id));
  assert.equal(fetched.id, created.id);
  assert.equal(fetched.identifier, identifier);

  const updated = await sdk(
    'resourceServers.update',
    management.resourceServers.update(created.id, {
      name: `${name} renamed`,
      token_lifetime: 1200,
      scopes: [
        { value: 'read:things', description: 'Read things' },
        { value: 'write:things', description: 'Write things' },
      ],
    }),
  );
  assert.equal(updated.id, created.id);
  assert.equal(updated.identifier, identifier);
  assert.equal(updated.name, `${name} renamed`);
  assert.equal(updated.token_lifetime, 1200);
  assert.deepEqual(
    updated.scopes.map((scope) => scope.value),
    ['read:things', 'write:things'],
  );
  const reread = await sdk('resourceServers.get after update', management.resourceServers.get(created.id));
  assert.equal(reread.token_lifetime, 1200);

  const all = await everything('resourceServers.list', management.resourceServers.list());
  const listed = all.map((found) => found.identifier);
  assert.ok(listed.includes(identifier), `resourceServers.list: ${listed}`);
  assert.ok(listed.includes(server.managementAudience), `resourceServers.list lacks the Management API: ${listed}`);

  assert.equal(await sdk('resourceServers.delete', management.resourceServers.delete(created.id)), undefined);
  await assertGone('resourceServers.get after delete', management.resourceServers.get(created.id));
});

test('clientGrants: create, list by client_id, update scope, delete', async () => {
  const api = await createApi();
  const machine = await sdk(
    'clients.create',
    management.clients.create({ name: unique('E2E Machine '), app_type: 'non_interactive' }),
  );
  const grant = await sdk(
    'clientGrants.create',
    management.clientGrants.create({ client_id: machine.client_id, audience: api.identifier, scope: ['read:docs'] }),
  );
  assert.ok(grant.id, `clientGrants.create returned no id: ${JSON.stringify(grant)}`);
  assert.equal(grant.client_id, machine.client_id);
  assert.equal(grant.audience, api.identifier);
  assert.deepEqual(grant.scope, ['read:docs']);

  const listed = await everything(
    'clientGrants.list by client_id',
    management.clientGrants.list({ client_id: machine.client_id }),
  );
  assert.deepEqual(
    listed.map((found) => found.id),
    [grant.id],
  );
  assert.deepEqual(listed[0].scope, ['read:docs']);
  const fetched = await sdk('clientGrants.get', management.clientGrants.get(grant.id));
  assert.equal(fetched.id, grant.id);
  assert.equal(fetched.client_id, machine.client_id);

  const updated = await sdk(
    'clientGrants.update',
    management.clientGrants.update(grant.id, { scope: ['read:docs', 'write:docs'] }),
  );
  assert.equal(updated.id, grant.id);
  assert.deepEqual(updated.scope, ['read:docs', 'write:docs']);
  const relisted = await everything(
    'clientGrants.list after update',
    management.clientGrants.list({ client_id: machine.client_id }),
  );
  assert.deepEqual(
    relisted.map((found) => found.scope),
    [['read:docs', 'write:docs']],
  );

  assert.equal(await sdk('clientGrants.delete', management.clientGrants.delete(grant.id)), undefined);
  const afterDelete = await everything(
    'clientGrants.list after delete',
    management.clientGrants.list({ client_id: machine.client_id }),
  );
  assert.deepEqual(afterDelete, []);
  await assertGone('clientGrants.get after delete', management.clientGrants.get(grant.id));
});

test('tenants.settings: get, update friendly_name, get again', async () => {
  const initial = await sdk('tenants.settings.get', management.tenants.settings.get());
  assert.equal(typeof initial, 'object');
  const friendlyName = unique('E2E Tenant ');
  const updated = await sdk(
    'tenants.settings.update',
    management.tenants.settings.update({ friendly_name: friendlyName }),
  );
  assert.equal(updated.friendly_name, friendlyName);
  const reread = await sdk('tenants.settings.get after update', management.tenants.settings.get());
  assert.equal(reread.friendly_name, friendlyName);
  for (const [key, value] of Object.entries(initial)) {
    if (key !== 'friendly_name') assert.deepEqual(reread[key], value, `${key} changed, though the PATCH did not name it`);
  }
});

test('errors: 404 inexistent_user, 400 for an unknown body field, 409 for a duplicate API identifier', async () => {
  const missing = await assertGone('users.get of an unknown id', management.users.get(`auth0|${random(12)}`));
  assert.equal(missing.body?.errorCode, 'inexistent_user', JSON.stringify(missing.body));
  assert.equal(missing.body?.statusCode, 404, JSON.stringify(missing.body));

  const email = uniqueEmail('extra');
  const invalid = await rejection(
    'users.create with an unknown field',
    management.users.create({ connection: DATABASE, email, password: `Pw1-${random(12)}`, colour: 'blue' }),
  );
  assert.equal(invalid.statusCode, 400, JSON.stringify(invalid.body));
  assert.match(invalid.body?.message ?? '', /Additional properties not allowed/, JSON.stringify(invalid.body));
  assert.match(invalid.body?.message ?? '', /colour/, JSON.stringify(invalid.body));
  const notCreated = await sdk('users.listUsersByEmail', management.users.listUsersByEmail({ email }));
  assert.deepEqual(notCreated, [], 'a refused create stored nothing');

  const identifier = `https://${unique('twice').toLowerCase()}.e2e.example.com/`;
  await sdk('resourceServers.create', management.resourceServers.create({ name: unique('Twice '), identifier }));
  const conflict = await rejection(
    'resourceServers.create with the same identifier',
    management.resourceServers.create({ name: unique('Twice again '), identifier }),
  );
  assert.equal(conflict.statusCode, 409, JSON.stringify(conflict.body));
  const all = await everything('resourceServers.list', management.resourceServers.list());
  assert.equal(all.filter((found) => found.identifier === identifier).length, 1, 'the duplicate was stored');
});

test('organizations: create, get, getByName, update, checkpoint list, members, enabled connections, delete', async () => {
  const orgs = management.organizations;
  const name = unique('acme-').toLowerCase();
  const org = await sdk('organizations.create', orgs.create({ name, display_name: 'Acme E2E' }));
  assert.match(org.id ?? '', /^org_/, JSON.stringify(org));
  assert.deepEqual([org.name, org.display_name], [name, 'Acme E2E']);
  assert.equal((await sdk('organizations.get', orgs.get(org.id))).name, name);
  assert.equal((await sdk('organizations.getByName', orgs.getByName(name))).id, org.id);
  const updated = await sdk('organizations.update', orgs.update(org.id, { display_name: 'Acme Renamed' }));
  assert.deepEqual([updated.id, updated.display_name], [org.id, 'Acme Renamed']);
  assert.equal((await sdk('organizations.get after update', orgs.get(org.id))).display_name, 'Acme Renamed');

  const create = (prefix) => sdk('organizations.create', orgs.create({ name: unique(prefix).toLowerCase() }));
  const others = [await create('beta-'), await create('gamma-')];
  const first = await sdk('organizations.list take 2', orgs.list({ take: 2 }));
  assert.equal(first.data.length, 2, `take 2: ${JSON.stringify(first.response).slice(0, 500)}`);
  assert.ok(first.hasNextPage(), `take 2 of 3 has no next: ${JSON.stringify(first.response).slice(0, 500)}`);
  const ids = (await everything('organizations.list by checkpoint', orgs.list({ take: 2 }))).map((found) => found.id);
  assert.deepEqual(ids.toSorted(), [org.id, ...others.map((other) => other.id)].sort(), `pages: ${ids}`);

  const user = await createUser('orgmember');
  await sdk('organizations.members.create', orgs.members.create(org.id, { members: [user.user_id] }));
  const members = await everything('organizations.members.list', orgs.members.list(org.id));
  assert.deepEqual(members.map((member) => [member.user_id, member.email]), [[user.user_id, user.email]]);
  const userOrgs = await sdk('users.organizations.list', management.users.organizations.list(user.user_id));
  assert.deepEqual(userOrgs.data.map((found) => found.id), [org.id], JSON.stringify(userOrgs.response).slice(0, 500));
  await sdk('organizations.members.delete', orgs.members.delete(org.id, { members: [user.user_id] }));
  assert.deepEqual(await everything('members after delete', orgs.members.list(org.id)), []);

  const connectionId = await databaseId();
  const [other] = others;
  const enabled = await sdk(
    'organizations.enabledConnections.add',
    orgs.enabledConnections.add(other.id, { connection_id: connectionId, assign_membership_on_login: true }),
  );
  assert.deepEqual([enabled.connection_id, enabled.assign_membership_on_login], [connectionId, true]);
  const pairs = (connections) => connections.map((found) => [found.connection_id, found.connection?.name]);
  const page = await sdk('organizations.enabledConnections.list', orgs.enabledConnections.list(other.id));
  assert.deepEqual(pairs(page.data), [[connectionId, DATABASE]], JSON.stringify(page.response));

  assert.equal(await sdk('organizations.delete', orgs.delete(org.id)), undefined);
  await assertGone('organizations.get after delete', orgs.get(org.id));
  await assertGone('organizations.getByName after delete', orgs.getByName(name));
  // The SDK reads offset pages until one comes back empty.
  const all = await everything('enabledConnections.list, every page', orgs.enabledConnections.list(other.id), 50);
  assert.deepEqual(pairs(all), [[connectionId, DATABASE]]);
});

test('logs: Management API calls are logged as sapi; logs.list({search}) finds them, logs.get reads one', async () => {
  const role = await sdk('roles.create', management.roles.create({ name: unique('Logged '), description: 'Logged' }));
  const isCreate = (log) => log.details?.request?.method === 'POST' && log.details?.request?.path === '/api/v2/roles';
  const search = () => sdk('logs.list', management.logs.list({ search: 'type:sapi', per_page: 100 }));
  const found = await eventually('logs.list type:sapi', search, (page) => page.data.some(isCreate));
  assert.ok(found.data.every((log) => log.type === 'sapi'), `types: ${found.data.map((log) => log.type)}`);
  const log = await sdk('logs.get', management.logs.get(found.data.find(isCreate).log_id));
  assert.deepEqual([log.type, log.client_id, log.details?.response?.statusCode], ['sapi', server.admin.clientId, 201]);
  assert.ok(role.id && isCreate(log), JSON.stringify(log));
  assert.deepEqual((await sdk('logs.list type:none', management.logs.list({ search: 'type:nosuchtype' }))).data, []);
  await assertGone('logs.get of an unknown id', management.logs.get(`9002025${'0'.repeat(49)}`));
});

test('emailTemplates: create, get, update; emails.provider: create, get without credentials, update, delete', async () => {
  const template = { template: 'welcome_email', body: '<p>Welcome {{ user.email }}</p>', from: 'hi@e2e.example.com' };
  Object.assign(template, { subject: 'Welcome', syntax: 'liquid', enabled: true });
  const created = await sdk('emailTemplates.create', management.emailTemplates.create(template));
  assert.deepEqual([created.template, created.subject], ['welcome_email', 'Welcome']);
  const fetched = await sdk('emailTemplates.get', management.emailTemplates.get('welcome_email'));
  assert.deepEqual({ ...fetched, ...template }, fetched, `round trip: ${JSON.stringify(fetched)}`);
  const updated = await sdk(
    'emailTemplates.update',
    management.emailTemplates.update('welcome_email', { subject: 'Hello there' }),
  );
  assert.deepEqual([updated.subject, updated.body], ['Hello there', template.body], 'only the subject changes');
  assert.equal((await sdk('emailTemplates.get', management.emailTemplates.get('welcome_email'))).subject, 'Hello there');

  const provider = management.emails.provider;
  const secret = `smtp-${random(12)}`;
  const credentials = { smtp_host: 'smtp.e2e.example.com', smtp_port: 587, smtp_user: 'mailer', smtp_pass: secret };
  const from = 'noreply@e2e.example.com';
  const stored = await sdk('emails.provider.create', provider.create({ name: 'smtp', default_from_address: from, credentials }));
  assert.deepEqual([stored.name, stored.default_from_address], ['smtp', from]);
  assert.ok(!JSON.stringify(stored).includes(secret), `create shows the password: ${JSON.stringify(stored)}`);
  const shown = await sdk('emails.provider.get', provider.get());
  assert.deepEqual([shown.name, shown.default_from_address, shown.enabled], ['smtp', from, true]);
  assert.ok(!JSON.stringify(shown).includes(secret), `get shows the password: ${JSON.stringify(shown)}`);
  const changed = await sdk('emails.provider.update', provider.update({ default_from_address: 'mail@e2e.example.com' }));
  assert.equal(changed.default_from_address, 'mail@e2e.example.com');
  assert.equal((await sdk('emails.provider.get', provider.get())).default_from_address, 'mail@e2e.example.com');
  assert.equal(await sdk('emails.provider.delete', provider.delete()), undefined);
  await assertGone('emails.provider.get after delete', provider.get());
});

test('branding get/update, branding.themes create/getDefault/update/delete, prompts settings, custom text', async () => {
  const logo = 'https://cdn.e2e.example.com/logo.png';
  const branding = await sdk('branding.update', management.branding.update({ colors: { primary: '#0059d6' }, logo_url: logo }));
  assert.equal(branding.colors?.primary, '#0059d6');
  const reread = await sdk('branding.get', management.branding.get());
  assert.deepEqual([reread.colors?.primary, reread.logo_url], ['#0059d6', logo]);

  const themes = management.branding.themes;
  const theme = await sdk(
    'branding.themes.create',
    themes.create({
      displayName: 'E2E Theme',
      borders: { button_border_radius: 3, buttons_style: 'rounded', show_widget_shadow: true, widget_corner_radius: 5 },
      colors: { primary_button: '#635dff', primary_button_label: '#ffffff', widget_background: '#ffffff' },
      fonts: { font_url: '', links_style: 'normal', reference_text_size: 16, title: { bold: false, size: 150 } },
      page_background: { background_color: '#000000', background_image_url: '', page_layout: 'center' },
      widget: { header_text_alignment: 'center', logo_height: 52, logo_position: 'center', logo_url: logo },
    }),
  );
  assert.ok(theme.themeId, `themes.create returned no themeId: ${JSON.stringify(theme)}`);
  assert.deepEqual([theme.displayName, theme.colors?.primary_button], ['E2E Theme', '#635dff']);
  const byDefault = await sdk('branding.themes.getDefault', themes.getDefault());
  assert.deepEqual([byDefault.themeId, byDefault.widget?.logo_height], [theme.themeId, 52]);
  const { themeId, ...sections } = byDefault;
  const colors = { ...sections.colors, primary_button: '#ff0000' };
  const changed = await sdk('themes.update', themes.update(themeId, { ...sections, displayName: 'E2E Theme 2', colors }));
  assert.deepEqual([changed.displayName, changed.colors?.primary_button], ['E2E Theme 2', '#ff0000']);
  assert.deepEqual((await sdk('branding.themes.get', themes.get(themeId))).colors, colors);
  assert.equal(await sdk('branding.themes.delete', themes.delete(themeId)), undefined);
  await assertGone('branding.themes.getDefault after delete', themes.getDefault());

  const settings = await sdk('prompts.getSettings', management.prompts.getSettings());
  assert.equal(settings.universal_login_experience, 'new', JSON.stringify(settings));
  const prompts = await sdk('prompts.updateSettings', management.prompts.updateSettings({ identifier_first: true }));
  assert.deepEqual([prompts.identifier_first, prompts.universal_login_experience], [true, 'new']);
  assert.equal((await sdk('prompts.getSettings', management.prompts.getSettings())).identifier_first, true);

  const customText = management.prompts.customText;
  assert.deepEqual(await sdk('prompts.customText.get before set', customText.get('login', 'en')), {});
  const texts = { login: { title: 'Welcome to E2E', description: 'Log in to continue' } };
  await sdk('prompts.customText.set', customText.set('login', 'en', texts));
  assert.deepEqual(await sdk('prompts.customText.get', customText.get('login', 'en')), texts);
  assert.deepEqual(await sdk('prompts.customText.get of another language', customText.get('login', 'fr')), {});
});

/** A database user with a known password: `{email, password, user_id}`. */
async function userWithPassword(prefix) {
  const password = `Pw1-${random(12)}`;
  const user = await createUser(prefix);
  await sdk('users.update password', management.users.update(user.user_id, { password, connection: DATABASE }));
  return { ...user, password };
}

/** `times` password logins of `user` with a wrong password, each refused 403. */
async function failLogins(user, times) {
  for (let attempt = 0; attempt < times; attempt += 1) {
    const wrong = await passwordLogin(user.email, 'wrong password');
    assert.equal(wrong.status, 403, `wrong password ${attempt + 1}: ${JSON.stringify(wrong.body)}`);
  }
}

test('attackProtection.bruteForceProtection: get, update max_attempts, and password logins honour it', async () => {
  const brute = management.attackProtection.bruteForceProtection;
  const initial = await sdk('bruteForceProtection.get', brute.get());
  assert.deepEqual([initial.enabled, initial.max_attempts], [true, 10], JSON.stringify(initial));
  const updated = await sdk('bruteForceProtection.update', brute.update({ max_attempts: 3 }));
  assert.deepEqual({ ...updated, max_attempts: 10 }, initial, `only max_attempts changes: ${JSON.stringify(updated)}`);
  assert.equal((await sdk('bruteForceProtection.get after update', brute.get())).max_attempts, 3);
  try {
    const user = await userWithPassword('three');
    await failLogins(user, 3);
    const blocked = await passwordLogin(user.email, user.password);
    assert.equal(blocked.status, 429, `after max_attempts (3) failures: ${JSON.stringify(blocked.body).slice(0, 200)}`);
    assert.equal(blocked.body.error, 'too_many_attempts');
  } finally {
    await sdk('restore max_attempts', brute.update({ max_attempts: initial.max_attempts }));
  }
});

test('userBlocks: 10 failed logins block; list, listByIdentifier, delete lifts the block', async () => {
  const user = await userWithPassword('blocked');
  assert.deepEqual(await sdk('userBlocks.list before', management.userBlocks.list(user.user_id)), { blocked_for: [] });
  await failLogins(user, 10);
  const refused = await passwordLogin(user.email, user.password);
  assert.equal(refused.status, 429, `blocked: ${JSON.stringify(refused.body).slice(0, 200)}`);
  const blocks = await sdk('userBlocks.list', management.userBlocks.list(user.user_id));
  const blocked = blocks.blocked_for?.map((block) => [block.identifier, block.connection]);
  assert.deepEqual(blocked, [[user.email, DATABASE]], JSON.stringify(blocks));
  const byIdentifier = await sdk('listByIdentifier', management.userBlocks.listByIdentifier({ identifier: user.email }));
  assert.deepEqual(byIdentifier.blocked_for?.map((block) => block.identifier), [user.email], JSON.stringify(byIdentifier));
  assert.equal(await sdk('userBlocks.delete', management.userBlocks.delete(user.user_id)), undefined);
  assert.deepEqual(await sdk('userBlocks.list after', management.userBlocks.list(user.user_id)), { blocked_for: [] });
  const login = await passwordLogin(user.email, user.password);
  assert.equal(login.status, 200, `after unblocking: ${JSON.stringify(login.body)}`);
  await assertGone('userBlocks.list of an unknown user', management.userBlocks.list(`auth0|${random(12)}`));
});

test('customDomains: create (pending), list, get, 409 for the same host, delete', async () => {
  const domains = management.customDomains;
  const domain = `${unique('login').toLowerCase()}.e2e.example.com`;
  const created = await sdk('customDomains.create', domains.create({ domain, type: 'auth0_managed_certs' }));
  assert.ok(created.custom_domain_id, JSON.stringify(created));
  assert.deepEqual([created.domain, created.status, created.primary], [domain, 'pending_verification', false]);
  const listed = await sdk('customDomains.list', domains.list());
  assert.ok(Array.isArray(listed), `a bare array: ${JSON.stringify(listed)}`);
  assert.deepEqual(listed.map((found) => found.custom_domain_id), [created.custom_domain_id]);
  const fetched = await sdk('customDomains.get', domains.get(created.custom_domain_id));
  assert.deepEqual([fetched.domain, fetched.type], [domain, 'auth0_managed_certs']);
  const conflict = await rejection('customDomains.create again', domains.create({ domain, type: 'self_managed_certs' }));
  assert.equal(conflict.statusCode, 409, JSON.stringify(conflict.body));
  assert.equal(await sdk('customDomains.delete', domains.delete(created.custom_domain_id)), undefined);
  await assertGone('customDomains.get after delete', domains.get(created.custom_domain_id));
  assert.deepEqual(await sdk('customDomains.list after delete', domains.list()), []);
});

test('customDomains.verify: a domain that does not reach this server stays pending_verification', async () => {
  const domains = management.customDomains;
  const domain = `${unique('nowhere').toLowerCase()}.e2e.invalid`;
  const created = await sdk('customDomains.create', domains.create({ domain, type: 'self_managed_certs' }));
  const verified = await sdk('customDomains.verify', domains.verify(created.custom_domain_id));
  assert.deepEqual([verified.custom_domain_id, verified.status], [created.custom_domain_id, 'pending_verification']);
  await assertGone('customDomains.verify of an unknown id', domains.verify('cd_unknown'));
  await sdk('customDomains.delete', domains.delete(created.custom_domain_id));
});

test('users.identities: link a second account, log in with it as the primary, unlink it', async () => {
  const password = `Pw1-${random(12)}`;
  const primary = await sdk('users.create primary', management.users.create({ connection: DATABASE, email: uniqueEmail('primary'), password }));
  const secondary = await sdk('users.create secondary', management.users.create({ connection: DATABASE, email: uniqueEmail('secondary'), password }));
  const secondaryId = secondary.user_id.split('|')[1];
  const identities = await sdk('users.identities.link', management.users.identities.link(primary.user_id, { provider: 'auth0', user_id: secondaryId }));
  assert.deepEqual(identities.map((identity) => identity.user_id), [primary.user_id.split('|')[1], secondaryId]);
  assert.equal(identities[1].profileData?.email, secondary.email, JSON.stringify(identities));
  await assertGone('users.get of the linked account', management.users.get(secondary.user_id));
  const login = await passwordLogin(secondary.email, password);
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const subject = JSON.parse(Buffer.from(login.body.id_token.split('.')[1], 'base64url')).sub;
  assert.equal(subject, primary.user_id, 'the linked account logs in as its primary');
  const left = await sdk('users.identities.delete', management.users.identities.delete(primary.user_id, 'auth0', secondaryId));
  assert.deepEqual(left.map((identity) => identity.user_id), [primary.user_id.split('|')[1]]);
  const alone = await sdk('users.get after unlink', management.users.get(secondary.user_id));
  assert.equal(alone.email, secondary.email);
  const refused = await rejection('users.identities.link to itself', management.users.identities.link(primary.user_id, { provider: 'auth0', user_id: primary.user_id.split('|')[1] }));
  assert.equal(refused.statusCode, 400, JSON.stringify(refused.body));
});

test('users.authenticationMethods: create, list, get, update, set, delete; multifactor, recovery code, authenticators', async () => {
  const user = await createUser('mfa');
  const methods = management.users.authenticationMethods;
  const totp = await sdk('authenticationMethods.create totp', methods.create(user.user_id, { type: 'totp', name: 'Phone app', totp_secret: 'JBSWY3DPEHPK3PXPJBSWY3DP' }));
  assert.equal(totp.type, 'totp', JSON.stringify(totp));
  const phone = await sdk('authenticationMethods.create phone', methods.create(user.user_id, { type: 'phone', phone_number: '+14155550100', preferred_authentication_method: 'sms' }));
  const listed = await everything('authenticationMethods.list', methods.list(user.user_id));
  assert.deepEqual(listed.map((method) => method.type).sort(), ['phone', 'totp']);
  assert.ok(listed.every((method) => method.totp_secret === undefined), JSON.stringify(listed));
  const renamed = await sdk('authenticationMethods.update', methods.update(user.user_id, phone.id, { name: 'Work phone' }));
  assert.equal(renamed.name, 'Work phone');
  assert.equal((await sdk('authenticationMethods.get', methods.get(user.user_id, phone.id))).phone_number, '+14155550100');
  const enrollments = await sdk('users.enrollments.get', management.users.enrollments.get(user.user_id));
  assert.deepEqual(enrollments.map((enrollment) => enrollment.type).sort(), ['authenticator', 'sms'], JSON.stringify(enrollments));
  assert.equal((await sdk('guardian.enrollments.get', management.guardian.enrollments.get(phone.id))).phone_number, '+14155550100');
  await sdk('multifactor.deleteProvider', management.users.multifactor.deleteProvider(user.user_id, 'google-authenticator'));
  await assertGone('authenticationMethods.get of the removed totp', methods.get(user.user_id, totp.id));
  const { recovery_code } = await sdk('users.regenerateRecoveryCode', management.users.regenerateRecoveryCode(user.user_id));
  assert.match(recovery_code, /^[A-Z2-9]{24}$/);
  await sdk('multifactor.invalidateRememberBrowser', management.users.multifactor.invalidateRememberBrowser(user.user_id));
  const set = await sdk('authenticationMethods.set', methods.set(user.user_id, [{ type: 'email', email: user.email }]));
  assert.deepEqual(set.map((method) => method.type), ['email']);
  await sdk('authenticationMethods.delete', methods.delete(user.user_id, set[0].id));
  await sdk('authenticationMethods.create email', methods.create(user.user_id, { type: 'email', email: user.email }));
  await sdk('authenticators.deleteAll', management.users.authenticators.deleteAll(user.user_id));
  assert.deepEqual(await everything('authenticationMethods.list after deleteAll', methods.list(user.user_id)), []);
  const bad = await rejection('authenticationMethods.create without a phone number', methods.create(user.user_id, { type: 'phone' }));
  assert.equal(bad.statusCode, 400, JSON.stringify(bad.body));
});

/** Imported with a salted sha256 hash by the jobs test; the stats test reads its logins. */
const imported = { email: uniqueEmail('imported'), password: 'Imported-password-1' };

test('jobs: usersImports.create, jobs.get until completed, jobs.errors.get; the imported hash logs in', async () => {
  const plain = uniqueEmail('importedplain');
  const hash = { value: '818f04e46328a94640daeb157250a7c8731651c9c0f660ff5021f7b2e28379fa', encoding: 'hex' };
  const salted = { algorithm: 'sha256', hash, salt: { value: 'NaCl', position: 'prefix' } }; // sha256('NaCl' + password)
  const rows = [
    { email: imported.email, email_verified: true, custom_password_hash: salted },
    { email: plain, name: 'Plain Import', user_metadata: { source: 'e2e' } },
    { email: uniqueEmail('rot13'), custom_password_hash: { algorithm: 'rot13', hash: { value: 'x' } } },
  ];
  const users = { data: Buffer.from(JSON.stringify(rows)), filename: 'users.json', contentType: 'application/json' };
  const connection_id = await databaseId();
  const job = await sdk('jobs.usersImports.create', management.jobs.usersImports.create({ users, connection_id }));
  assert.ok(job.id, JSON.stringify(job));
  assert.deepEqual([job.type, job.connection], ['users_import', DATABASE]);
  const read = () => sdk('jobs.get', management.jobs.get(job.id));
  const done = await eventually('jobs.get', read, (current) => !['pending', 'processing'].includes(current.status));
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.deepEqual(done.summary, { failed: 1, updated: 0, inserted: 2, total: 3 });
  const errors = await sdk('jobs.errors.get', management.jobs.errors.get(job.id));
  assert.ok(Array.isArray(errors), JSON.stringify(errors));
  assert.deepEqual(errors.map((error) => error.user?.email), [rows[2].email]);
  assert.ok(errors[0].errors?.length > 0, JSON.stringify(errors));
  await assertGone('jobs.get of an unknown id', management.jobs.get(`job_${random(12)}`));

  const [user] = await sdk('users.listUsersByEmail', management.users.listUsersByEmail({ email: imported.email }));
  assert.equal(user?.email_verified, true, JSON.stringify(user));
  imported.user_id = user.user_id;
  const [other] = await sdk('users.listUsersByEmail', management.users.listUsersByEmail({ email: plain }));
  assert.deepEqual([other?.name, other?.user_metadata], ['Plain Import', { source: 'e2e' }]);
  const wrong = await passwordLogin(imported.email, 'Imported-password-2');
  assert.equal(wrong.status, 403, JSON.stringify(wrong.body));
  const login = await passwordLogin(imported.email, imported.password);
  assert.equal(login.status, 200, `the imported sha256 hash: ${JSON.stringify(login.body)}`);
  assert.ok(login.body.access_token && login.body.id_token, JSON.stringify(login.body));
});

test('stats: getActiveUsersCount and getDaily count the logins; users.logs.list has them', async () => {
  assert.ok(imported.user_id, 'the jobs test logged the imported user in');
  const read = () => sdk('users.logs.list', management.users.logs.list(imported.user_id));
  const logs = await eventually('users.logs.list', read, (page) => page.data.some((log) => log.type === 's'));
  assert.ok(logs.data.every((log) => log.user_id === imported.user_id), JSON.stringify(logs.response).slice(0, 500));
  const active = await sdk('stats.getActiveUsersCount', management.stats.getActiveUsersCount());
  assert.ok(typeof active === 'number' && active >= 1, `active users: ${JSON.stringify(active)}`);
  const today = new Date().toISOString().slice(0, 10);
  const day = today.replaceAll('-', '');
  const daily = await sdk('stats.getDaily', management.stats.getDaily({ from: day, to: day }));
  assert.ok(Array.isArray(daily) && daily.length === 1, JSON.stringify(daily));
  assert.ok(daily[0].date.startsWith(today) && daily[0].logins >= 1 && daily[0].signups >= 0, JSON.stringify(daily));
  const bad = await rejection('stats.getDaily with a malformed date', management.stats.getDaily({ from: 'yesterday' }));
  assert.equal(bad.statusCode, 400, JSON.stringify(bad.body));
});

test('tickets.changePassword: a link to /u/reset-password?ticket=', async () => {
  const user = await createUser('ticket');
  const { ticket } = await sdk('tickets.changePassword', management.tickets.changePassword({ user_id: user.user_id }));
  const url = new URL(ticket);
  assert.deepEqual([url.origin, url.pathname], [server.origin, '/u/reset-password'], ticket);
  assert.ok(url.searchParams.get('ticket'), ticket);
  assert.equal((await fetch(url)).status, 200, 'the reset page opens');
  const unknown = management.tickets.changePassword({ user_id: `auth0|${random(12)}` });
  assert.equal((await rejection('tickets.changePassword of an unknown user', unknown)).statusCode, 404);
});

test('tickets.verifyEmail: the link verifies once and goes on to result_url; jobs.verificationEmail.create mails one', async () => {
  const user = await createUser('verify');
  assert.equal(user.email_verified, false);
  const result_url = 'https://app.e2e.example.com/verified';
  const { ticket } = await sdk('tickets.verifyEmail', management.tickets.verifyEmail({ user_id: user.user_id, result_url }));
  const url = new URL(ticket);
  assert.deepEqual([url.origin, url.pathname], [server.origin, '/u/email-verification'], ticket);
  const opened = await fetch(url, { redirect: 'manual' });
  assert.equal(opened.status, 303);
  const next = new URL(opened.headers.get('location'));
  assert.equal(`${next.origin}${next.pathname}`, result_url);
  assert.deepEqual([next.searchParams.get('success'), next.searchParams.get('code')], ['true', 'success']);
  assert.equal((await sdk('users.get', management.users.get(user.user_id))).email_verified, true);
  assert.equal((await fetch(url, { redirect: 'manual' })).status, 400, 'a ticket works once');
  const unknown = management.tickets.verifyEmail({ user_id: `auth0|${random(12)}` });
  assert.equal((await rejection('tickets.verifyEmail of an unknown user', unknown)).statusCode, 404);

  const mailed = await createUser('mailed');
  const job = await sdk('jobs.verificationEmail.create', management.jobs.verificationEmail.create({ user_id: mailed.user_id }));
  assert.equal(job.type, 'verification_email');
  const message = await smtp.next(mailed.email);
  const text = decodeQuotedPrintable(message.data);
  const link = text.match(/http:\/\/[^\s"<]+\/u\/email-verification\?ticket=[^\s"<]+/)?.[0];
  assert.ok(link, text);
  assert.equal((await fetch(link)).status, 200);
  assert.equal((await sdk('users.get', management.users.get(mailed.user_id))).email_verified, true);
  const done = await eventually('jobs.get', () => sdk('jobs.get', management.jobs.get(job.id)), (current) => current.status !== 'pending');
  assert.equal(done.status, 'completed');
});

test('emails.provider and emailTemplates are used: verify_email in Liquid, through the tenant\'s own SMTP server', async () => {
  const tenantSmtp = await startSmtp();
  try {
    await sdk('emails.provider.create', management.emails.provider.create({
      name: 'smtp',
      default_from_address: 'Provider <provider@e2e.example.com>',
      credentials: { smtp_host: '127.0.0.1', smtp_port: tenantSmtp.port },
    }));
    const template = {
      template: 'verify_email',
      syntax: 'liquid',
      enabled: true,
      from: 'Acme <hello@acme.e2e.example.com>',
      subject: 'Welcome to {{ friendly_name | default: "Acme" }}, {{ user.email }}',
      body: '<p>Hi {{ user.email }}, <a href="{{ url }}">confirm</a>.</p>',
      resultUrl: 'https://app.e2e.example.com/templated',
      urlLifetimeInSeconds: 3600,
    };
    await sdk('emailTemplates.create', management.emailTemplates.create(template));
    const bad = await rejection('emailTemplates.update with broken Liquid', management.emailTemplates.update('verify_email', { body: '{% if user %}never closed' }));
    assert.equal(bad.statusCode, 400, JSON.stringify(bad.body));

    const user = await createUser('templated');
    await sdk('jobs.verificationEmail.create', management.jobs.verificationEmail.create({ user_id: user.user_id }));
    const message = await tenantSmtp.next(user.email);
    // Headers unfolded, the body's quoted-printable undone.
    const data = decodeQuotedPrintable(message.data.replace(/\r\n[ \t]+/g, ' '));
    assert.match(data, /^From: Acme <hello@acme\.e2e\.example\.com>/m, data);
    assert.match(data, new RegExp(`^Subject: Welcome to .*${user.email.replace(/[.+]/g, '\\$&')}`, 'm'), data);
    assert.ok(data.includes(`Hi ${user.email},`), data);
    const link = data.match(/href="([^"]+\/u\/email-verification\?ticket=[^"]+)"/)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(link, data);
    const opened = await fetch(link, { redirect: 'manual' });
    assert.equal(opened.status, 303);
    assert.ok(opened.headers.get('location').startsWith(template.resultUrl), opened.headers.get('location'));
    assert.equal((await sdk('users.get', management.users.get(user.user_id))).email_verified, true);

    // A provider the server cannot send through is refused at once, not at the first email.
    const unusable = await rejection('emails.provider.update without a host', management.emails.provider.update({ credentials: { smtp_port: 25 } }));
    assert.equal(unusable.statusCode, 400, JSON.stringify(unusable.body));
  } finally {
    await management.emailTemplates.update('verify_email', { enabled: false }).catch(() => {});
    await management.emails.provider.delete().catch(() => {});
    await tenantSmtp.stop();
  }
});

test('jobs.usersExports.create: the location downloads the chosen fields, gzipped', async () => {
  const users = [await createUser('export'), await createUser('export')];
  const job = await sdk(
    'jobs.usersExports.create',
    management.jobs.usersExports.create({
      format: 'json',
      fields: [{ name: 'email' }, { name: 'user_id', export_as: 'id' }],
    }),
  );
  assert.equal(job.type, 'users_export');
  const done = await eventually('jobs.get', () => sdk('jobs.get', management.jobs.get(job.id)), (current) => current.status === 'completed');
  assert.ok(done.location, JSON.stringify(done));
  const download = await fetch(done.location);
  assert.equal(download.status, 200);
  const lines = gunzipSync(Buffer.from(await download.arrayBuffer()))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  for (const user of users) {
    assert.ok(
      lines.some((line) => line.email === user.email && line.id === user.user_id),
      `${user.email} missing from the export`,
    );
  }
  assert.ok(lines.every((line) => Object.keys(line).every((key) => ['email', 'id'].includes(key))), JSON.stringify(lines[0]));
  const bad = management.jobs.usersExports.create({ format: 'xml' });
  assert.equal((await rejection('jobs.usersExports.create with format xml', bad)).statusCode, 400);
});

test('branding.templates: updateUniversalLogin (a bare string, as the SDK sends it), getUniversalLogin, deleteUniversalLogin', async () => {
  const templates = management.branding.templates;
  const template = '<!DOCTYPE html><html><head>{%- auth0:head -%}</head><body>{%- auth0:widget -%}</body></html>';
  await sdk('branding.templates.updateUniversalLogin', templates.updateUniversalLogin(template));
  const read = await sdk('branding.templates.getUniversalLogin', templates.getUniversalLogin());
  assert.equal(read.body, template);
  const refused = templates.updateUniversalLogin('<html>no tags</html>');
  assert.equal((await rejection('a template without its tags', refused)).statusCode, 400);
  await sdk('branding.templates.deleteUniversalLogin', templates.deleteUniversalLogin());
  await assertGone('branding.templates.getUniversalLogin after delete', templates.getUniversalLogin());
});

test('connections.update with password options: users.create refuses a common password and one with the name', async () => {
  const name = unique('Opts');
  const connection = await sdk(
    'connections.create',
    management.connections.create({
      name,
      strategy: 'auth0',
      options: { passwordPolicy: 'fair' },
    }),
  );
  await sdk(
    'connections.update',
    management.connections.update(connection.id, {
      options: {
        passwordPolicy: 'fair',
        password_dictionary: { enable: true, dictionary: ['Rocket-Launch-2031'] },
        password_no_personal_info: { enable: true },
      },
    }),
  );
  for (const [password, message] of [
    ['Password123', 'PasswordDictionaryError'],
    ['rocket-LAUNCH-2031', 'PasswordDictionaryError'],
    ['Gwendolyn-Secret-7', 'PasswordNoUserInfoError'],
  ]) {
    const refused = management.users.create({ connection: name, email: uniqueEmail('opts'), password, name: 'Gwendolyn' });
    const error = await rejection(`users.create with ${password}`, refused);
    assert.equal(error.statusCode, 400);
    assert.match(JSON.stringify(error.body), new RegExp(message));
  }
  const created = await sdk(
    'users.create',
    management.users.create({ connection: name, email: uniqueEmail('opts'), password: `Unrelated-${random(8)}-7`, name: 'Gwendolyn' }),
  );
  assert.equal(created.identities[0].connection, name);
  await sdk('connections.delete', management.connections.delete(connection.id));
});

test('organizations.invitations: create (a link on the initiate_login_uri), list, get, delete', async () => {
  const org = await sdk('organizations.create', management.organizations.create({ name: unique('inv').toLowerCase() }));
  const app = await sdk(
    'clients.create',
    management.clients.create({ name: unique('Portal '), initiate_login_uri: 'https://portal.e2e.example.com/login' }),
  );
  const invitations = management.organizations.invitations;
  const email = uniqueEmail('invitee');
  const created = await sdk(
    'organizations.invitations.create',
    invitations.create(org.id, { inviter: { name: 'Ann' }, invitee: { email }, client_id: app.client_id }),
  );
  assert.equal(created.invitee.email, email);
  const url = new URL(created.invitation_url);
  assert.equal(`${url.origin}${url.pathname}`, 'https://portal.e2e.example.com/login');
  assert.deepEqual(
    [url.searchParams.get('invitation'), url.searchParams.get('organization')],
    [created.ticket_id, org.id],
  );
  const mailed = decodeQuotedPrintable((await smtp.next(email)).data);
  assert.ok(mailed.includes(created.invitation_url.replaceAll('&', '&amp;')) || mailed.includes(created.invitation_url), mailed);
  assert.ok(mailed.includes('Ann has invited you'), mailed);
  const listed = await everything('organizations.invitations.list', invitations.list(org.id));
  assert.deepEqual(listed.map((invitation) => invitation.id), [created.id]);
  const read = await sdk('organizations.invitations.get', invitations.get(org.id, created.id));
  assert.equal(read.inviter.name, 'Ann');
  await sdk('organizations.invitations.delete', invitations.delete(org.id, created.id));
  await assertGone('organizations.invitations.get after delete', invitations.get(org.id, created.id));
  await sdk('organizations.delete', management.organizations.delete(org.id));
  await sdk('clients.delete', management.clients.delete(app.client_id));
});

test('organizations.clientGrants: create (associate), list, clientGrants.organizations.list, delete', async () => {
  const org = await sdk('organizations.create', management.organizations.create({ name: unique('cg').toLowerCase() }));
  const api = await createApi();
  const app = await sdk('clients.create', management.clients.create({ name: unique('Worker '), app_type: 'non_interactive' }));
  const grant = await sdk(
    'clientGrants.create',
    management.clientGrants.create({ client_id: app.client_id, audience: api.identifier, scope: ['read:docs'], organization_usage: 'allow' }),
  );
  const associated = await sdk(
    'organizations.clientGrants.create',
    management.organizations.clientGrants.create(org.id, { grant_id: grant.id }),
  );
  assert.equal(associated.id, grant.id);
  const listed = await everything('organizations.clientGrants.list', management.organizations.clientGrants.list(org.id));
  assert.deepEqual(listed.map((item) => item.id), [grant.id]);
  const organizations = await everything('clientGrants.organizations.list', management.clientGrants.organizations.list(grant.id));
  assert.deepEqual(organizations.map((item) => item.id), [org.id]);
  await sdk('organizations.clientGrants.delete', management.organizations.clientGrants.delete(org.id, grant.id));
  const after = await everything('organizations.clientGrants.list', management.organizations.clientGrants.list(org.id));
  assert.deepEqual(after, []);
  await sdk('clientGrants.delete', management.clientGrants.delete(grant.id));
  await sdk('organizations.delete', management.organizations.delete(org.id));
});

test('sessions: a login makes one; users.sessions.list, sessions.get, revoke; refresh tokens, grants', async () => {
  const { client_id } = await passwordApp();
  const user = await userWithPassword('session');
  assert.deepEqual((await sdk('users.sessions.list before', management.users.sessions.list(user.user_id))).data, []);
  const authorize = new URL('/authorize', server.origin);
  const query = { client_id, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: random(8) };
  authorize.search = new URLSearchParams(query);
  const result = await logIn(server, authorize.href, { username: user.email, password: user.password });
  assert.ok(result.callback?.searchParams.get('code'), `login: ${JSON.stringify(result.page ?? result).slice(0, 500)}`);

  const sessions = await sdk('users.sessions.list', management.users.sessions.list(user.user_id));
  assert.equal(sessions.data.length, 1, JSON.stringify(sessions.response).slice(0, 500));
  const session = await sdk('sessions.get', management.sessions.get(sessions.data[0].id));
  assert.deepEqual([session.id, session.user_id], [sessions.data[0].id, user.user_id]);
  assert.equal(await sdk('sessions.revoke', management.sessions.revoke(session.id)), undefined);
  const after = await sdk('users.sessions.list after revoke', management.users.sessions.list(user.user_id));
  assert.deepEqual(after.data, [], JSON.stringify(after.response).slice(0, 500));

  const tokens = await sdk('users.refreshToken.list', management.users.refreshToken.list(user.user_id));
  assert.ok(Array.isArray(tokens.response?.tokens), JSON.stringify(tokens.response));
  const grants = await sdk('userGrants.list', management.userGrants.list({ user_id: user.user_id }));
  assert.ok(Array.isArray(grants.response?.grants), JSON.stringify(grants.response));
  assert.ok(grants.data.every((grant) => grant.user_id === user.user_id), JSON.stringify(grants.data));
});

// Last: revoking a key makes the tokens it signed (the SDK's cached one too) stop verifying.
test('keys.signing: list (one current), rotate, get, revoke the old key but not the current one', async () => {
  const signing = () => management.keys.signing;
  const keys = await sdk('keys.signing.list', signing().list());
  const current = keys.filter((key) => key.current);
  assert.equal(current.length, 1, `current: ${JSON.stringify(keys.map(({ kid, alg, current }) => [kid, alg, current]))}`);
  const [old] = current;
  assert.ok(old.kid && old.public_key && !JSON.stringify(keys).includes('PRIVATE'), JSON.stringify(old).slice(0, 500));
  const published = async () => (await (await fetch(`${server.origin}/.well-known/jwks.json`)).json()).keys.map((k) => k.kid);

  const rotated = await sdk('keys.signing.rotate', signing().rotate());
  assert.ok(rotated.kid && rotated.kid !== old.kid, JSON.stringify(rotated));
  const fresh = await sdk('keys.signing.get new', signing().get(rotated.kid));
  assert.deepEqual([fresh.kid, fresh.current], [rotated.kid, true]);
  const previous = await sdk('keys.signing.get old', signing().get(old.kid));
  assert.deepEqual([previous.current, previous.previous, previous.revoked], [false, true, false]);
  assert.ok((await published()).includes(old.kid) && (await published()).includes(rotated.kid));

  const refused = await rejection('keys.signing.revoke of the current key', signing().revoke(rotated.kid));
  assert.equal(refused.statusCode, 400, JSON.stringify(refused.body));
  assert.equal((await sdk('keys.signing.revoke', signing().revoke(old.kid))).kid, old.kid);
  const stale = management;
  management = adminClient();
  const gone = await sdk('keys.signing.get revoked', signing().get(old.kid));
  assert.ok(gone.revoked === true && gone.revoked_at, JSON.stringify(gone).slice(0, 500));
  assert.equal((await sdk('keys.signing.list', signing().list())).filter((key) => key.current).length, 1);
  assert.ok(!(await published()).includes(old.kid), 'the revoked key is still published');
  const unauthorized = await rejection('a token signed by the revoked key', stale.keys.signing.list());
  assert.equal(unauthorized.statusCode, 401, JSON.stringify(unauthorized.body));
  await assertGone('keys.signing.get of an unknown kid', signing().get(random(12)));
});
