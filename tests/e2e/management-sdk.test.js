// The Management API through the auth0 Node SDK at its current major (v7), unmodified: the
// ManagementClient gets its token by client credentials as the bootstrap admin client, then
// creates, reads, changes, lists and deletes users (with their roles and permissions), roles,
// clients, connections, APIs and client grants, and reads and changes the tenant settings. Every
// result is checked: ids round-trip, changes show in a later read, lists (which v7 reads from
// the `{<resource>: [...], total}` and `{<resource>: [...], next}` envelopes only) hold what was
// created, and deleted things are 404 afterwards. Error answers are checked by status and body.
// Retries are off, so a 5xx fails at once instead of after v7's backoff. The SDK builds
// https://<domain> URLs; its `fetch` option sends them to the local http server (plainHttpFetch).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { ManagementClient, ManagementError } from 'auth0';

import { DATABASE, plainHttpFetch, random, startServer } from './support/harness.js';

let server;
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

before(async () => {
  server = await startServer();
  management = new ManagementClient({
    domain: server.host,
    clientId: server.admin.clientId,
    clientSecret: server.admin.clientSecret,
    fetch: plainHttpFetch(server),
    maxRetries: 0,
  });
});

after(async () => {
  await server?.stop();
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
