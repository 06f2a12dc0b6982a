// auth0-deploy-cli (`a0deploy` 8.44.0), unmodified, against the real server: it exports a tenant
// seeded through the Management API (applications, an API with its scopes, a client grant, a role
// and its permission, a database connection, branding, an email template and prompts), and it
// imports a YAML tenant file whose values then show through the Management API; importing the
// same file a second time changes nothing (an export after each import is the same).
//
// The tool only speaks https to `https://<AUTH0_DOMAIN>`, so the test puts a TLS-terminating
// reverse proxy in front of the server, with a self-signed certificate made at test time that the
// tool trusts through NODE_EXTRA_CA_CERTS. The proxy keeps the server's own Host header, so the
// issuer and the Management API audience stay the server's (`https://localhost:PORT/api/v2/`).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { management, random, startServer } from './support/harness.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const A0DEPLOY = path.join(HERE, 'node_modules', '.bin', 'a0deploy');
const A0DEPLOY_VERSION = '8.44.0';
/** A run of the tool that takes longer than this is killed and fails the test. */
const A0DEPLOY_TIMEOUT_MS = 240_000;

// ---------------------------------------------------------------------------------------------
// Helpers

/** The installed auth0-deploy-cli, checked to be the version this file was written against. */
function a0deployBinary() {
  const manifest = path.join(HERE, 'node_modules', 'auth0-deploy-cli', 'package.json');
  assert.ok(
    existsSync(A0DEPLOY) && existsSync(manifest),
    `auth0-deploy-cli is not installed: run \`npm install\` in ${HERE}`,
  );
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  assert.equal(version, A0DEPLOY_VERSION, 'the installed auth0-deploy-cli is not the pinned version');
  return A0DEPLOY;
}

/** A self-signed certificate for CN=localhost, valid for a day: `{ key, cert, certFile }`. */
async function selfSignedCertificate(dir) {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-keyout', keyFile, '-out', certFile,
  ]);
  return { key: await readFile(keyFile), cert: await readFile(certFile), certFile };
}

/**
 * An https server on a free port that forwards every request (method, path and query, headers,
 * streamed body) to the server over plain http, with the Host header set to `server.host`.
 * `exchanges` lists what went through (`{ at, method, url, status, sent, body }`: the request
 * body `sent` and the answer's `body` are kept for error answers only); `errorsSince(mark)` gives
 * the error answers since `exchanges.length` was `mark`.
 */
async function startTlsProxy(server, { key, cert }) {
  const agent = new http.Agent({ keepAlive: true });
  const exchanges = [];
  const proxy = https.createServer({ key, cert }, (request, response) => {
    const exchange = { at: Date.now(), method: request.method, url: request.url, status: null, sent: '', body: '' };
    exchanges.push(exchange);
    request.on('data', (chunk) => {
      if (exchange.sent.length < 2000) exchange.sent += chunk;
    });
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, host: server.host },
        agent,
      },
      (answer) => {
        exchange.status = answer.statusCode;
        if (answer.statusCode < 400) exchange.sent = '';
        else {
          answer.setEncoding('utf8');
          answer.on('data', (chunk) => {
            if (exchange.body.length < 2000) exchange.body += chunk;
          });
        }
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      exchange.status = 502;
      exchange.body = `proxy: ${error.message}`;
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(exchange.body);
    });
    request.pipe(upstream);
  });
  await new Promise((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', resolve);
  });
  const { port } = proxy.address();
  return {
    port,
    /** What the tool is given as AUTH0_DOMAIN. */
    domain: `localhost:${port}`,
    exchanges,
    errorsSince(mark) {
      return exchanges.slice(mark).filter((exchange) => exchange.status === null || exchange.status >= 400);
    },
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      agent.destroy();
    },
  };
}

/**
 * A fresh server behind its TLS proxy, with the tool's config file in a temp dir (removed after
 * the test): `{ server, api, proxy, dir, a0deploy(...args) }`.
 */
async function deployTarget(t) {
  const bin = a0deployBinary();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'authhero-a0deploy-'));
  let server;
  let proxy;
  t.after(async () => {
    await proxy?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  server = await startServer();
  const { key, cert, certFile } = await selfSignedCertificate(dir);
  proxy = await startTlsProxy(server, { key, cert });
  const config = path.join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      AUTH0_DOMAIN: proxy.domain,
      AUTH0_CLIENT_ID: server.admin.clientId,
      AUTH0_CLIENT_SECRET: server.admin.clientSecret,
      AUTH0_AUDIENCE: server.managementAudience,
      AUTH0_ALLOW_DELETE: false,
      // A 5xx fails after one retry instead of minutes of backoff.
      AUTH0_API_MAX_RETRIES: 1,
    }),
  );
  return {
    server,
    api: management(server),
    proxy,
    dir,
    /** Runs `a0deploy <args> -c config.json`; asserts exit 0, reporting its output otherwise. */
    a0deploy: (...args) => runA0deploy(bin, [...args, '-c', config], { cwd: dir, certFile, proxy, server }),
  };
}

/**
 * Runs the tool with only PATH, HOME and NODE_EXTRA_CA_CERTS in its environment (no AUTH0_*
 * variable of ours leaks into its config). Resolves with `{ stdout, stderr, ms }` when it exited
 * 0; otherwise fails with its output and every error answer the server gave during the run.
 * With AUTHHERO_E2E_VERBOSE set, every run's output and requests are printed as well.
 */
async function runA0deploy(bin, args, { cwd, certFile, proxy, server }) {
  const mark = proxy.exchanges.length;
  const started = Date.now();
  const child = spawn(bin, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? cwd, NODE_EXTRA_CA_CERTS: certFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGTERM'), A0DEPLOY_TIMEOUT_MS);
  const { code, signal, error } = await new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  const ms = Date.now() - started;
  const line = ({ at, method, url, status, sent, body }) =>
    `  +${at - started} ms ${method} ${url}${sent ? ` ${sent}` : ''} -> ${status} ${body}`;
  if (process.env.AUTHHERO_E2E_VERBOSE) {
    const requests = proxy.exchanges.slice(mark).map(line).join('\n');
    process.stderr.write(`a0deploy ${args[0]}: exit ${code ?? signal} in ${ms} ms\n${stdout}${stderr}${requests}\n`);
  }
  if (code !== 0) {
    const answers = proxy.errorsSince(mark).map(line).join('\n');
    const last = proxy.exchanges.slice(Math.max(mark, proxy.exchanges.length - 5)).map(line).join('\n');
    assert.fail(
      [
        `a0deploy ${args[0]} ${error ? `failed to start: ${error.message}` : `exited ${code ?? signal}`}` +
          ` after ${ms} ms`,
        `--- stdout\n${stdout}`,
        `--- stderr\n${stderr}`,
        '--- error answers of the server during the run (404s for unset email templates are expected)',
        answers || '  none',
        "--- the run's last requests",
        last || '  none',
        `--- server output (tail)\n${server.output().slice(-2000)}`,
      ].join('\n'),
    );
  }
  return { stdout, stderr, ms };
}

/**
 * The top-level keys of a YAML document written by the tool, each with the text of its block
 * (its own line and the indented lines under it). Enough to look into one section at a time
 * without a YAML parser.
 */
function yamlSections(text) {
  const sections = new Map();
  let current;
  for (const line of text.split('\n')) {
    const key = line.match(/^([A-Za-z][\w]*):/);
    if (key) {
      current = key[1];
      sections.set(current, `${line}\n`);
    } else if (current) {
      sections.set(current, sections.get(current) + `${line}\n`);
    }
  }
  return sections;
}

/** Asserts that section `key` of the export exists and contains each of `snippets`. */
function assertSection(sections, key, ...snippets) {
  const section = sections.get(key);
  assert.ok(section, `tenant.yaml has no "${key}" section; sections: ${[...sections.keys()].join(', ')}`);
  for (const snippet of snippets) {
    assert.ok(
      section.includes(snippet),
      `the "${key}" section of tenant.yaml lacks ${JSON.stringify(snippet)}:\n${section}`,
    );
  }
}

/** Every file under `dir`, by relative path, with its content: an export as one comparable value. */
async function readTree(dir) {
  const files = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    files[path.relative(dir, file)] = await readFile(file, 'utf8');
  }
  return files;
}

/** Exports the tenant as YAML into `<dir>/<name>`; resolves with the folder and its tenant.yaml. */
async function exportYaml(target, name) {
  const folder = path.join(target.dir, name);
  await target.a0deploy('export', '--format', 'yaml', '--output_folder', folder);
  const file = path.join(folder, 'tenant.yaml');
  assert.ok(existsSync(file), `the export wrote no tenant.yaml into ${folder}`);
  return { folder, yaml: await readFile(file, 'utf8') };
}

/** The one item of `list` whose `key` is `value`. */
function only(list, key, value, what) {
  const found = list.filter((item) => item[key] === value);
  assert.equal(
    found.length,
    1,
    `expected one ${what} with ${key} ${JSON.stringify(value)}, got ${JSON.stringify(list)}`,
  );
  return found[0];
}

/** `GET path` of a list, all pages (page-style envelope `key`). */
async function listAll(api, resource, key) {
  const items = [];
  for (let page = 0; ; page += 1) {
    const separator = resource.includes('?') ? '&' : '?';
    const answer = await api.request('GET', `${resource}${separator}page=${page}&per_page=100&include_totals=true`);
    items.push(...answer[key]);
    if (items.length >= answer.total || answer[key].length === 0) return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Tests

test('export of a seeded tenant', async (t) => {
  const target = await deployTarget(t);
  const { api } = target;
  const API = 'https://seeded-api.e2e.example.com/';
  const names = {
    client: `Seeded Web ${random(4)}`,
    role: `Gadget Reader ${random(4)}`,
    // Connection names are letters and digits with single hyphens: no base64url `-` or `_`.
    connection: `Seeded-Users-${random(4).replace(/[^a-zA-Z0-9]/g, 'x')}`,
  };
  const body = '<html><body>Verify {{ user.email }} at {{ url }}</body></html>';

  const web = await api.request('POST', 'clients', {
    name: names.client,
    app_type: 'regular_web',
    callbacks: ['https://seeded.e2e.example.com/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_post',
  });
  await api.request('POST', 'resource-servers', {
    name: 'Seeded API',
    identifier: API,
    scopes: [
      { value: 'read:gadgets', description: 'Read gadgets' },
      { value: 'write:gadgets', description: 'Write gadgets' },
    ],
    signing_alg: 'RS256',
    token_lifetime: 3600,
  });
  await api.request('POST', 'client-grants', { client_id: web.client_id, audience: API, scope: ['read:gadgets'] });
  const role = await api.request('POST', 'roles', { name: names.role, description: 'Reads gadgets' });
  await api.request('POST', `roles/${role.id}/permissions`, {
    permissions: [{ permission_name: 'read:gadgets', resource_server_identifier: API }],
  });
  await api.request('POST', 'connections', {
    name: names.connection,
    strategy: 'auth0',
    enabled_clients: [web.client_id],
    options: { passwordPolicy: 'good' },
  });
  await api.request('PATCH', 'branding', { colors: { primary: '#0059d6', page_background: '#101820' } });
  await api.request('POST', 'email-templates', {
    template: 'verify_email',
    body,
    from: 'no-reply@seeded.e2e.example.com',
    subject: 'Verify your email',
    syntax: 'liquid',
    enabled: true,
  });
  await api.request('PATCH', 'prompts', { identifier_first: true });

  const { folder, yaml } = await exportYaml(target, 'export');
  const sections = yamlSections(yaml);
  assertSection(sections, 'clients', `- name: ${names.client}`, 'app_type: regular_web');
  assertSection(sections, 'resourceServers', `identifier: ${API}`, 'value: read:gadgets', 'value: write:gadgets');
  assertSection(sections, 'clientGrants', `client_id: ${names.client}`, `audience: ${API}`, '- read:gadgets');
  assertSection(
    sections,
    'roles',
    `- name: ${names.role}`,
    'permission_name: read:gadgets',
    `resource_server_identifier: ${API}`,
  );
  assertSection(sections, 'databases', `- name: ${names.connection}`, `- ${names.client}`, 'passwordPolicy: good');
  assertSection(sections, 'branding', "primary: '#0059d6'", "page_background: '#101820'");
  assertSection(
    sections,
    'emailTemplates',
    'template: verify_email',
    'syntax: liquid',
    'body: ./emailTemplates/verify_email.html',
  );
  assertSection(sections, 'prompts', 'identifier_first: true');
  const html = path.join(folder, 'emailTemplates', 'verify_email.html');
  assert.ok(existsSync(html), `the export has no ${html}`);
  assert.equal(await readFile(html, 'utf8'), body);
});

test('import twice: the values show through the Management API, and a second import changes nothing', async (t) => {
  const target = await deployTarget(t);
  const { api, dir } = target;
  const API = 'https://deploy-api.e2e.example.com/';
  const client = {
    name: 'Deploy Web',
    app_type: 'regular_web',
    callbacks: ['https://web.deploy.example.com/callback'],
    allowed_logout_urls: ['https://web.deploy.example.com/'],
    allowed_origins: ['https://web.deploy.example.com'],
    web_origins: ['https://web.deploy.example.com'],
    grant_types: ['authorization_code', 'refresh_token'],
    is_first_party: true,
    oidc_conformant: true,
    jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 3600 },
    token_endpoint_auth_method: 'client_secret_post',
  };
  const resourceServer = {
    name: 'Deploy API',
    identifier: API,
    scopes: [
      { value: 'read:widgets', description: 'Read widgets' },
      { value: 'write:widgets', description: 'Write widgets' },
    ],
    signing_alg: 'RS256',
    token_lifetime: 7200,
    allow_offline_access: true,
  };
  const permission = { permission_name: 'read:widgets', resource_server_identifier: API };
  const template = {
    template: 'verify_email',
    from: 'no-reply@deploy.example.com',
    subject: 'Verify your email address',
    syntax: 'liquid',
    enabled: true,
    resultUrl: 'https://web.deploy.example.com/verified',
    urlLifetimeInSeconds: 432000,
  };
  const body = '<html><body>Hello {{ user.email }}, <a href="{{ url }}">verify</a>.</body></html>';

  // The shape of a real export (see a0deploy export --format yaml), with fields this server has.
  await mkdir(path.join(dir, 'emailTemplates'));
  await writeFile(path.join(dir, 'emailTemplates', 'verify_email.html'), body);
  const file = path.join(dir, 'tenant.yaml');
  await writeFile(
    file,
    `tenant:
  friendly_name: Deploy CLI E2E
clients:
  - name: ${client.name}
    app_type: ${client.app_type}
    callbacks:
      - ${client.callbacks[0]}
    allowed_logout_urls:
      - ${client.allowed_logout_urls[0]}
    allowed_origins:
      - ${client.allowed_origins[0]}
    web_origins:
      - ${client.web_origins[0]}
    grant_types:
      - authorization_code
      - refresh_token
    is_first_party: true
    oidc_conformant: true
    jwt_configuration:
      alg: RS256
      lifetime_in_seconds: 3600
    token_endpoint_auth_method: client_secret_post
resourceServers:
  - name: ${resourceServer.name}
    identifier: ${API}
    scopes:
      - value: read:widgets
        description: Read widgets
      - value: write:widgets
        description: Write widgets
    signing_alg: RS256
    token_lifetime: 7200
    allow_offline_access: true
clientGrants:
  - client_id: ${client.name}
    audience: ${API}
    scope:
      - read:widgets
      - write:widgets
roles:
  - name: Widget Reader
    description: Reads widgets
    permissions:
      - permission_name: read:widgets
        resource_server_identifier: ${API}
databases:
  - name: Deploy-Users
    strategy: auth0
    enabled_clients:
      - ${client.name}
    options:
      passwordPolicy: good
branding:
  colors:
    primary: '#0059d6'
    page_background: '#101820'
emailTemplates:
  - template: verify_email
    body: ./emailTemplates/verify_email.html
    enabled: true
    from: ${template.from}
    resultUrl: ${template.resultUrl}
    subject: ${template.subject}
    syntax: liquid
    urlLifetimeInSeconds: 432000
prompts:
  identifier_first: true
  universal_login_experience: new
`,
  );

  await target.a0deploy('import', '--input_file', file);

  const clients = await listAll(api, 'clients', 'clients');
  const stored = only(clients, 'name', client.name, 'client');
  for (const [key, value] of Object.entries(client)) {
    if (key === 'jwt_configuration') {
      const { alg, lifetime_in_seconds } = stored.jwt_configuration ?? {};
      assert.deepEqual({ alg, lifetime_in_seconds }, value, 'client jwt_configuration');
    } else {
      assert.deepEqual(stored[key], value, `client ${key}`);
    }
  }

  const apis = await listAll(api, 'resource-servers', 'resource_servers');
  const storedApi = only(apis, 'identifier', API, 'resource server');
  for (const [key, value] of Object.entries(resourceServer)) {
    assert.deepEqual(storedApi[key], value, `resource server ${key}`);
  }

  const roles = await listAll(api, 'roles', 'roles');
  const storedRole = only(roles, 'name', 'Widget Reader', 'role');
  assert.equal(storedRole.description, 'Reads widgets');
  const permissions = await listAll(api, `roles/${storedRole.id}/permissions`, 'permissions');
  assert.deepEqual(
    permissions.map(({ permission_name, resource_server_identifier }) => ({
      permission_name,
      resource_server_identifier,
    })),
    [permission],
  );

  const grants = await api.request('GET', `client-grants?client_id=${encodeURIComponent(stored.client_id)}`);
  const grant = only(grants, 'audience', API, 'client grant');
  assert.deepEqual([...grant.scope].sort(), ['read:widgets', 'write:widgets']);

  const connections = await api.request('GET', 'connections?name=Deploy-Users');
  const connection = only(connections, 'name', 'Deploy-Users', 'connection');
  assert.equal(connection.strategy, 'auth0');
  assert.equal(connection.options?.passwordPolicy, 'good');
  const enabled = await api.request('GET', `connections/${connection.id}/clients`);
  assert.deepEqual(
    enabled.clients.map(({ client_id }) => client_id),
    [stored.client_id],
    `enabled clients of Deploy-Users: ${JSON.stringify(enabled)}`,
  );

  assert.equal((await api.request('GET', 'tenants/settings')).friendly_name, 'Deploy CLI E2E');
  assert.deepEqual((await api.request('GET', 'branding')).colors, { primary: '#0059d6', page_background: '#101820' });
  const storedTemplate = await api.request('GET', 'email-templates/verify_email');
  for (const [key, value] of Object.entries(template)) {
    assert.deepEqual(storedTemplate[key], value, `email template ${key}`);
  }
  assert.equal(storedTemplate.body, body);
  assert.equal((await api.request('GET', 'prompts')).identifier_first, true);

  const first = await exportYaml(target, 'after-first-import');
  await target.a0deploy('import', '--input_file', file);
  const second = await exportYaml(target, 'after-second-import');
  assert.equal(second.yaml, first.yaml, 'tenant.yaml after the second import differs from the first');
  assert.deepEqual(await readTree(second.folder), await readTree(first.folder));
});
