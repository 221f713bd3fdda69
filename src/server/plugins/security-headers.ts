// Security headers on every answer of the app (docs/security.md, HTTP headers). The policy fits
// what the built PWA loads: its own scripts, styles, icons, manifest and service worker (workbox
// is imported from the same origin), no inline script or style, no frame. connect-src must let
// the app reach the truck's relay, whose address each device is given at enrolment: any HTTPS
// origin, and plain HTTP only when the app itself came over plain HTTP (development, tests on
// loopback), where the browser would allow no better anyway.
import { unscoped } from '../context';

const policy = (tls: boolean) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' https:${tls ? '' : ' http:'}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

const POLICY_TLS = policy(true);
const POLICY_PLAIN = policy(false);

export const securityHeaders = unscoped(async (app) => {
  app.addHook('onRequest', async (req, reply) => {
    // Over TLS directly, or behind a trusted proxy that says so (x-forwarded-proto, TRUST_PROXY).
    const tls = req.protocol === 'https';
    reply.header('Content-Security-Policy', tls ? POLICY_TLS : POLICY_PLAIN);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    if (tls) reply.header('Strict-Transport-Security', 'max-age=31536000');
  });
});
