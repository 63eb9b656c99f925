// A real OpenID provider for the browser tests: panva's oidc-provider (package.json pins it) on loopback.
//
//   node provider.mjs PORT     (or OIDC_PORT=PORT node provider.mjs)
//
// Environment: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (space-separated, e.g.
// http://127.0.0.1:8501/oauth2callback). The one client is confidential (client_secret_basic, as
// Authlib sends it), code flow only, PKCE required (Streamlit sends S256 when the discovery lists it).
// Its redirect URIs are also its post-logout redirect URIs: st.logout() sends the browser to the
// end_session_endpoint with post_logout_redirect_uri set to the app's /oauth2callback.
//
// Any login id is an account: the built-in development interactions (login form, then consent) accept
// any login and any password, and the account's e-mail is the login id. Prints "READY <issuer>" on
// stdout once it listens.
import { randomBytes } from 'node:crypto';

import Provider, { interactionPolicy } from 'oidc-provider';

const HOST = '127.0.0.1';
const TTL_SECONDS = 600; // sessions, grants and tokens outlive one test run and no more

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

function nameOf(email) {
  // "tech.roubaix@example.org" -> "Tech Roubaix"
  return email
    .split('@')[0]
    .split(/[._-]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

const port = Number(process.argv[2] ?? process.env.OIDC_PORT);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('provider.mjs: give the port as the first argument or OIDC_PORT');
  process.exit(2);
}
const redirectUris = required('OIDC_REDIRECT_URIS').split(/\s+/).filter(Boolean);
const issuer = `http://${HOST}:${port}`;

// Streamlit asks for prompt=select_account unless its secrets say otherwise. This provider has one
// account per browser session and no account chooser: the login form is where the user says who they
// are. So select_account is accepted as a prompt value and asks for nothing beyond the login itself.
const policy = interactionPolicy.base();
const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
selectAccount.checks.clear();
policy.add(selectAccount);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: required('OIDC_CLIENT_ID'),
      client_secret: required('OIDC_CLIENT_SECRET'),
      redirect_uris: redirectUris,
      post_logout_redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Authlib (st.login) reads the user from the ID token, not from the userinfo endpoint.
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: nameOf(id) };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { policy },
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  ttl: {
    AccessToken: TTL_SECONDS,
    AuthorizationCode: 60,
    Grant: TTL_SECONDS,
    IdToken: TTL_SECONDS,
    Interaction: TTL_SECONDS,
    Session: TTL_SECONDS,
  },
});

provider.on('server_error', (_ctx, error) => console.error('server_error', error));

const server = provider.listen(port, HOST, () => {
  console.log(`READY ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
