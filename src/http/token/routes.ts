// The Docker token endpoint (`docker login` and the Bearer challenge flow): Basic credentials in, a short-lived
// JWT scoped to what the key may do out.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TokenIssuer } from '../common/access.ts';

export function tokenPlugin(issuer: TokenIssuer) {
  return async (app: FastifyInstance): Promise<void> => {
    const handler = async function tokenRoute(req: { url: string; headers: { authorization?: string | undefined } }, reply: FastifyReply): Promise<void> {
      const q = req.url.indexOf('?');
      const query = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
      const scopes = query
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter((s) => s.length > 0);
      const issued = await issuer.issue(req.headers.authorization, query.get('service'), scopes);
      if (!issued) {
        reply
          .code(401)
          .header('www-authenticate', issuer.basicChallenge)
          .header('content-type', 'application/json')
          .send(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'valid access key credentials are required', detail: null }] }));
        return;
      }
      reply
        .code(200)
        .header('content-type', 'application/json')
        .send(
          JSON.stringify({
            token: issued.token,
            access_token: issued.token,
            expires_in: issued.expiresIn,
            issued_at: issued.issuedAt,
          }),
        );
    };
    app.get('/token', handler);
  };
}
