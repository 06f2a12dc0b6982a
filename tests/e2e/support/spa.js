// The browser side of the end-to-end suites: Debian's Chromium under playwright-core, and a
// small single-page app on @auth0/auth0-spa-js, unmodified, served from its own origin.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

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

const require = createRequire(import.meta.url);

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * The single-page app: `/` loads auth0-spa-js and makes `window.client` for `clientId()` at
 * `server`; `/form-post` records what a form_post answer posts; `/framer?target=` frames a URL.
 */
export async function startApp(server, clientId) {
  const bundle = await readFile(require.resolve('@auth0/auth0-spa-js/dist/auth0-spa-js.production.js'));
  const posted = [];
  // `/?refresh` makes the SDK use refresh tokens (offline_access) instead of the iframe, from
  // then on in the tab (the login's callback comes back without the query).
  const page = (origin) => `<!doctype html><html><head><meta charset="utf-8">
<title>SPA</title><script src="/auth0-spa-js.js"></script></head><body><p id="status">loading</p>
<script>
  if (new URLSearchParams(location.search).has('refresh')) sessionStorage.setItem('refresh', '1');
  const refresh = sessionStorage.getItem('refresh') === '1';
  window.ready = auth0.createAuth0Client({
    domain: ${JSON.stringify(server.origin)},
    clientId: ${JSON.stringify(clientId())},
    useRefreshTokens: refresh,
    authorizationParams: {
      redirect_uri: ${JSON.stringify(`${origin}/`)},
      scope: refresh ? 'openid profile email offline_access' : 'openid profile email',
    },
  }).then((client) => { window.client = client; document.getElementById('status').textContent = 'ready'; });
</script></body></html>`;
  let origin;
  const listener = http.createServer(async (request, response) => {
    const url = new URL(request.url, 'http://app');
    if (request.method === 'POST' && url.pathname === '/form-post') {
      let body = '';
      for await (const chunk of request) body += chunk;
      posted.push(Object.fromEntries(new URLSearchParams(body)));
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p id="received">received</p>');
    } else if (url.pathname === '/auth0-spa-js.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else if (url.pathname === '/framer') {
      const target = url.searchParams.get('target') ?? '';
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><title>framer</title><iframe id="framed" src="${target.replace(/"/g, '&quot;')}"></iframe>`);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page(origin));
    }
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  // `localhost`, so the app and the server are one site, as an app and its tenant's custom
  // domain are: the session cookie is sent to the silent-authentication iframe.
  origin = `http://localhost:${listener.address().port}`;
  return { listener, origin, posted };
}

/** A page whose console is watched for content security policy refusals. */
export async function watchedPage(context) {
  const page = await context.newPage();
  const refusals = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refusals.push(message.text());
  });
  return { page, refusals };
}

/** Opens the app (`?refresh` for refresh tokens) and waits until its SDK client is ready. */
export async function openApp(page, app, query = '') {
  await page.goto(`${app.origin}/${query}`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
}
