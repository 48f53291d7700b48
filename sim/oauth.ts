/**
 * POST /oauth/token: refresh_token grant (with rotation: the old refresh token stops working, the
 * previous access token keeps working) and system_access grant. Errors here follow OAuth 2.0
 * (`{error, error_description}`, 400/401) as Gusto's token endpoint does, not the `errors[]` shape.
 * Sandbox tokens do not expire, so a time-skipping test that jumps days ahead keeps its tokens.
 */
import { json, type Ctx, type Reply, type RouteDef } from './context.js';

const EXPIRES_IN_SECONDS = 7200;
const COMPANY_SCOPE =
  'public companies:read payrolls:read payrolls:write payrolls:run pay_stubs:read employees:read contractors:read contractors:write contractors:manage';

const oauthError = (status: number, error: string, description: string): Reply =>
  json(status, { error, error_description: description });

const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

function refresh(ctx: Ctx, refreshToken: string | undefined): Reply {
  const { store } = ctx.sim;
  const grant = refreshToken ? store.refreshTokens.get(refreshToken) : undefined;
  if (!refreshToken || !grant) {
    return oauthError(
      400,
      'invalid_grant',
      'The refresh token is invalid, expired, revoked or already used.',
    );
  }
  const accessToken = store.rng.token();
  const nextRefresh = store.rng.token();
  store.refreshTokens.delete(refreshToken);
  store.refreshTokens.set(nextRefresh, { companyUuid: grant.companyUuid, accessToken });
  store.addToken(accessToken, { kind: 'company', companyUuid: grant.companyUuid });
  const company = store.companies.get(grant.companyUuid);
  if (company) company.refreshToken = nextRefresh;
  return json(200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: EXPIRES_IN_SECONDS,
    created_at: Math.floor(ctx.now.getTime() / 1000),
    refresh_token: nextRefresh,
    scope: COMPANY_SCOPE,
  });
}

function systemAccess(ctx: Ctx): Reply {
  const token = ctx.sim.store.rng.token();
  ctx.sim.store.addToken(token, { kind: 'system' });
  return json(200, {
    access_token: token,
    token_type: 'Bearer',
    expires_in: EXPIRES_IN_SECONDS,
    created_at: Math.floor(ctx.now.getTime() / 1000),
    refresh_token: null,
  });
}

function token(ctx: Ctx): Reply {
  const { client_id, client_secret } = ctx.sim.oauthClient;
  if (field(ctx.body, 'client_id') !== client_id || field(ctx.body, 'client_secret') !== client_secret) {
    return oauthError(
      401,
      'invalid_client',
      'Client authentication failed: unknown client_id or wrong client_secret.',
    );
  }
  const grantType = field(ctx.body, 'grant_type');
  if (grantType === 'refresh_token') return refresh(ctx, field(ctx.body, 'refresh_token'));
  if (grantType === 'system_access') return systemAccess(ctx);
  return oauthError(400, 'unsupported_grant_type', 'grant_type must be refresh_token or system_access.');
}

export const oauthRoutes: RouteDef[] = [
  { method: 'POST', template: '/oauth/token', auth: 'none', handler: token },
];
