// Security headers on every answer of the app (docs/security.md, HTTP headers). The policy fits
// what the built PWA loads: its own scripts, styles, icons, manifest and service worker (workbox
// is imported from the same origin), no inline script or style, no frame. connect-src must let
// the app reach the truck's relay, whose address each device is given at enrolment: any HTTPS
// origin, and plain HTTP only when the app itself came over plain HTTP (development, tests on
// loopback), where the browser would allow no better anyway.
// Answers under /api/ are data, never a document to render: they get the strictest policy, which
// is also four times shorter. The relay's idle link is one long-poll answer a minute, mostly
// headers (docs/benchmarks.md, sync.relay_idle_bytes_per_hour).
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
/** Nothing may load from an API answer, nor frame it. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

export const securityHeaders = unscoped(async (app) => {
  app.addHook('onRequest', async (req, reply) => {
    // Over TLS directly, or behind a trusted proxy that says so (x-forwarded-proto, TRUST_PROXY).
    const tls = req.protocol === 'https';
    const api = req.url.startsWith('/api/');
    reply.header('Content-Security-Policy', api ? API_POLICY : tls ? POLICY_TLS : POLICY_PLAIN);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    if (tls) reply.header('Strict-Transport-Security', 'max-age=31536000');
  });
});
