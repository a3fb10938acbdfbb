// Unleash server for crmhub's outreach tests and demo, started programmatically.
//
// Configuration comes from the environment (set by crmhub.outreach.unleash_server):
//   DATABASE_URL            postgres://user@host:port/db (required; migrated on first start)
//   UNLEASH_PORT            HTTP port (default 4242)
//   UNLEASH_ADMIN_PASSWORD  password of the 'admin' UI user (default unleash4all)
//   INIT_ADMIN_API_TOKENS   e.g. '*:*.secret'              (read by unleash-server itself)
//   INIT_BACKEND_API_TOKENS e.g. '*:development.secret'    (read by unleash-server itself)
// Telemetry is off: SCARF_ANALYTICS=false DO_NOT_TRACK=1 are forced below, version check disabled.
// Stop it with SIGTERM (clean shutdown in ~2 s).
process.env.SCARF_ANALYTICS = 'false';
process.env.DO_NOT_TRACK = '1';

const { start } = await import('unleash-server');

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('server.mjs: DATABASE_URL is required (postgres://user@127.0.0.1:5432/unleash)');
  process.exit(2);
}
const port = Number(process.env.UNLEASH_PORT || 4242);

const unleash = await start({
  databaseUrl,
  db: { ssl: false },
  server: { port, host: process.env.UNLEASH_HOST || '127.0.0.1' },
  authentication: {
    type: 'open-source',
    createAdminUser: true,
    initialAdminUser: {
      username: 'admin',
      password: process.env.UNLEASH_ADMIN_PASSWORD || 'unleash4all',
    },
  },
  versionCheck: { enable: false },
  telemetry: false,
  logLevel: process.env.UNLEASH_LOG_LEVEL || 'warn',
});

console.log(`unleash listening on http://127.0.0.1:${port}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    try {
      await unleash.stop();
    } finally {
      process.exit(0);
    }
  });
}
