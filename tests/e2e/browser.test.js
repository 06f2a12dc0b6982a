// A real browser: Debian's Chromium, driven by playwright-core, runs a single-page app on
// @auth0/auth0-spa-js, unmodified, against the real server. It proves that the pages work under
// their content security policy: the login form, silent authentication in a hidden iframe
// (response_mode=web_message), the form_post answer's auto-submit, and that another origin
// cannot frame the login page; and that the Management API reference renders, offline.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { chromium } from 'playwright-core';

import { DATABASE, management, random, startServer } from './support/harness.js';

const CHROMIUM = process.env.AUTHHERO_CHROMIUM ?? '/usr/bin/chromium';
// The flags a sandboxed, offline machine needs (no background traffic, no GPU, root).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

let server;
let app;
let browser;
let spa;
const user = { email: `spa-${random(4).toLowerCase()}@e2e.example.com`, password: `Pw1-${random(12)}` };
/** Bodies posted to the app's form_post callback. */
const posted = [];

/** The single-page app: a page that loads auth0-spa-js, and a form_post callback. */
async function startApp(spaBundle) {
  const page = (domain, clientId, origin) => `<!doctype html><html><head><meta charset="utf-8">
<title>SPA</title><script src="/auth0-spa-js.js"></script></head><body><p id="status">loading</p>
<script>
  window.ready = auth0.createAuth0Client({
    domain: ${JSON.stringify(domain)},
    clientId: ${JSON.stringify(clientId)},
    authorizationParams: { redirect_uri: ${JSON.stringify(`${origin}/`)}, scope: 'openid profile email' },
  }).then((client) => { window.client = client; document.getElementById('status').textContent = 'ready'; });
</script></body></html>`;
  const listener = http.createServer(async (request, response) => {
    const url = new URL(request.url, 'http://app');
    if (request.method === 'POST' && url.pathname === '/form-post') {
      let body = '';
      for await (const chunk of request) body += chunk;
      posted.push(Object.fromEntries(new URLSearchParams(body)));
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p id="received">received</p>');
    } else if (url.pathname === '/auth0-spa-js.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(spaBundle);
    } else if (url.pathname === '/framer') {
      const target = url.searchParams.get('target') ?? '';
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><title>framer</title><iframe id="framed" src="${target.replace(/"/g, '&quot;')}"></iframe>`);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page(server.origin, spa.client_id, app.origin));
    }
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address();
  // `localhost`, so the app and the server are one site, as an app and its tenant's custom
  // domain are: the session cookie is sent to the silent-authentication iframe.
  return { listener, origin: `http://localhost:${port}` };
}

before(async () => {
  server = await startServer();
  const require = createRequire(import.meta.url);
  const bundle = await readFile(require.resolve('@auth0/auth0-spa-js/dist/auth0-spa-js.production.js'));
  app = await startApp(bundle);
  const api = management(server);
  spa = await api.request('POST', 'clients', {
    name: `Browser SPA ${random(4)}`,
    app_type: 'spa',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    callbacks: [`${app.origin}/`, app.origin, `${app.origin}/form-post`],
    web_origins: [app.origin],
    allowed_origins: [app.origin],
    allowed_logout_urls: [`${app.origin}/`],
  });
  await api.request('POST', 'users', { connection: DATABASE, ...user, email_verified: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  app?.listener.close();
  await server?.stop();
});

/** A page whose console is watched for content security policy refusals. */
async function watchedPage(context) {
  const page = await context.newPage();
  const refusals = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refusals.push(message.text());
  });
  return { page, refusals };
}

test('auth0-spa-js logs in through the login form, renews silently in an iframe, and logs out', async () => {
  const context = await browser.newContext();
  const { page, refusals } = await watchedPage(context);
  await page.goto(`${app.origin}/`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');

  await Promise.all([page.waitForURL(/\/u\/login/), page.evaluate(() => window.client.loginWithRedirect())]);
  await page.fill('#username', user.email);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL((url) => url.origin === app.origin), page.click('button[type=submit]')]);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const signedIn = await page.evaluate(async () => {
    await window.client.handleRedirectCallback();
    return window.client.getUser();
  });
  assert.equal(signedIn?.email, user.email, JSON.stringify(signedIn));

  // No refresh token: the SDK renews in a hidden iframe with response_mode=web_message, which
  // only works when the page may be framed by the app and its script may run.
  const renewed = await page.evaluate(() =>
    window.client.getTokenSilently({ cacheMode: 'off', detailedResponse: true }).then(
      (answer) => ({ ok: true, idToken: Boolean(answer.id_token), accessToken: Boolean(answer.access_token) }),
      (error) => ({ ok: false, error: String(error?.error ?? error), description: String(error?.error_description ?? '') }),
    ),
  );
  assert.deepEqual(renewed, { ok: true, idToken: true, accessToken: true }, JSON.stringify(renewed));

  await Promise.all([
    page.waitForURL((url) => url.origin === app.origin && !url.search),
    page.evaluate(() => window.client.logout({ logoutParams: { returnTo: `${window.location.origin}/` } })),
  ]);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  const afterLogout = await page.evaluate(() =>
    window.client.getTokenSilently({ cacheMode: 'off' }).then(
      () => 'renewed',
      (error) => String(error?.error ?? error),
    ),
  );
  assert.equal(afterLogout, 'login_required');
  assert.deepEqual(refusals, [], 'the browser refused content under the pages’ policy');
  await context.close();
});

test('the form_post answer submits itself under its policy', async () => {
  const context = await browser.newContext();
  const { page, refusals } = await watchedPage(context);
  const authorize = new URL('/authorize', server.origin);
  authorize.search = new URLSearchParams({
    client_id: spa.client_id,
    response_type: 'code',
    response_mode: 'form_post',
    redirect_uri: `${app.origin}/form-post`,
    scope: 'openid',
    state: 'posted-state',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  }).toString();
  await page.goto(authorize.href);
  await page.fill('#username', user.email);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL(`${app.origin}/form-post`), page.click('button[type=submit]')]);
  await page.waitForSelector('#received');
  const answer = posted.at(-1);
  assert.equal(answer?.state, 'posted-state', JSON.stringify(answer));
  assert.ok(answer?.code, JSON.stringify(answer));
  // The code is good: exchanged by the SPA's rules (PKCE, no secret).
  const exchanged = await fetch(new URL('/oauth/token', server.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: spa.client_id,
      code: answer.code,
      redirect_uri: `${app.origin}/form-post`,
      code_verifier: VERIFIER,
    }),
  });
  assert.equal(exchanged.status, 200, await exchanged.text());
  assert.deepEqual(refusals, [], 'the browser refused the form_post page’s own script');
  await context.close();
});

test('another origin cannot frame the login page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const start = await fetch(
    `${server.origin}/authorize?${new URLSearchParams({
      client_id: spa.client_id,
      response_type: 'code',
      redirect_uri: `${app.origin}/`,
      scope: 'openid',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })}`,
    { redirect: 'manual' },
  );
  const login = new URL(start.headers.get('location'), server.origin).href;
  await page.goto(`${app.origin}/framer?target=${encodeURIComponent(login)}`);
  const frame = await (await page.waitForSelector('#framed')).contentFrame();
  await page.waitForTimeout(500);
  const framedForm = await frame.$('#username').catch(() => null);
  assert.equal(framedForm, null, 'the login form rendered inside another site’s frame');
  await context.close();
});

test('the Management API reference renders its OpenAPI document under its policy', async () => {
  const context = await browser.newContext();
  try {
    const { page, refusals } = await watchedPage(context);
    const elsewhere = [];
    // Requests that completed: one the policy blocks never leaves the browser.
    page.on('requestfinished', (request) => {
      if (!request.url().startsWith(server.origin) && !request.url().startsWith('blob:')) {
        elsewhere.push(request.url());
      }
    });
    await page.goto(`${server.origin}/api/v2/docs`);
    // Redoc lists each operation by its summary, from the document the server publishes.
    await page.getByText('Rotate a client secret').first().waitFor({ timeout: 20_000 });
    // Redoc's footer links its maker's logo from a CDN; the page's policy refuses it, which is
    // the point. Anything else refused would be a broken page.
    const unexpected = refusals.filter((text) => !text.includes('https://cdn.redoc.ly/'));
    assert.deepEqual(unexpected, [], 'the page ran into its content security policy');
    assert.deepEqual(elsewhere, [], 'the page loaded something from elsewhere');
  } finally {
    await context.close();
  }
});
