import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every answer (pages, API, assets), through helmet. The Content-Security-Policy
 * is what the built console and simulator need and no more: their scripts and stylesheets are files
 * under /assets (vite inlines neither), the API and socket.io are this origin ('self' covers ws: and
 * wss: to it), the WhatsApp pairing QR is a data: image, and the console is never framed.
 */
export function securityHeaders(publicUrl: string | undefined): RequestHandler {
  const https = publicUrl?.startsWith('https://') ?? false;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // Preact sets `style={{…}}` through the CSSOM, which a CSP does not govern; no inline <style>.
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Only behind https: on plain http it would send the page's own requests to an https that is not there.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only where the platform is really served over https (an http PUBLIC_URL, or none, is a LAN or a test).
    strictTransportSecurity: https ? { maxAge: 365 * 86400, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    // Keeps the Origin header on the console's own form and fetch posts, which the cross-site check reads
    // (under no-referrer a same-origin form post would say `Origin: null`).
    referrerPolicy: { policy: 'same-origin' },
  });
}
