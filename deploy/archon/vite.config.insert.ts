        // ---- archon-db-sync: the Database Sync card's API and component (github: archon-db-sync, deploy/archon/) ----
        // Paste into archon-ui-main/vite.config.ts, inside `proxy: (() => { … })()`, just BEFORE the line
        //   proxyConfig['/api'] = {
        // The first matching prefix wins, so this rule must come before Archon's general '/api' rule. It
        // claims a prefix of its own, /api/db-sync/, so Archon's /api/database/* stays Archon's:
        //   /api/db-sync/database/…  →  <sync>/api/database/…   (the service's API)
        //   /api/db-sync/…           →  <sync>/…                (its component: archon-db-sync.js and adbs/*.js)
        // Target: like Archon's own rules, the Docker service name inside Docker, localhost outside;
        // ARCHON_SYNC_URL overrides (docker-compose.archon-db-sync.yml sets it for archon-ui). The key
        // ARCHON_SYNC_API_KEY is added here, in the Vite server: not VITE_-prefixed, it never reaches the
        // browser, which then needs no sign-in. Uses `env` and `isDocker` from the top of Archon's config.
        const dbSyncKey = process.env.ARCHON_SYNC_API_KEY || env.ARCHON_SYNC_API_KEY || '';
        const dbSyncTarget = process.env.ARCHON_SYNC_URL || env.ARCHON_SYNC_URL
          || (isDocker ? 'http://archon-db-sync:8091' : 'http://localhost:8091');
        proxyConfig['/api/db-sync/'] = {
          target: dbSyncTarget,
          changeOrigin: true,
          secure: false,
          rewrite: (p: string) => p.replace(/^\/api\/db-sync\/(?=database(\/|\?|$))/, '/api/').replace(/^\/api\/db-sync\//, '/'),
          ...(dbSyncKey ? { headers: { 'X-API-Key': dbSyncKey } } : {}),
          // the sign-in cookie (only used without a key here) belongs to this prefix; the service sets that
          // path itself with ARCHON_SYNC_COOKIE_PATH=/api/db-sync, older services said /api
          cookiePathRewrite: { '/api': '/api/db-sync' },
          configure: (proxy: any) => {
            proxy.on('error', (err: Error, req: any, res: any) => {
              console.log('🚨 [VITE PROXY ERROR - archon-db-sync]:', err.message, 'target', dbSyncTarget, 'request', req.url);
              if (!res.headersSent) {
                res.writeHead(503, { 'Content-Type': 'application/problem+json' });
                res.end(JSON.stringify({
                  title: 'Service Unavailable',
                  status: 503,
                  detail: `The Database Sync service is not reachable at ${dbSyncTarget}: is archon-db-sync running?`,
                }));
              }
            });
          },
        };
        // ---- end archon-db-sync ----

