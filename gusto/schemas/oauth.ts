/** `POST /oauth/token`: refresh grant (company tokens, with rotation) and system access grant. */
import { z } from 'zod';

export const oauthTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  /** Seconds from issue. */
  expires_in: z.number().positive(),
  created_at: z.number().nullish(),
  /** A rotated refresh token: the one just used is no longer valid once this arrives. */
  refresh_token: z.string().nullish(),
  scope: z.string().nullish(),
});
export type OAuthTokenResponse = z.output<typeof oauthTokenResponseSchema>;

/** `GET /sandbox/companies` (sandbox only): the seeded companies and their tokens. */
export const sandboxCompaniesSchema = z.array(
  z.looseObject({ uuid: z.string(), access_token: z.string(), name: z.string().nullish() }),
);
/** `GET /sandbox/system_token` (sandbox only). */
export const sandboxSystemTokenSchema = z.looseObject({ access_token: z.string() });
