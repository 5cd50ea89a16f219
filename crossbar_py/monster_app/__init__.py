"""Our own Monster app, `registrations`: a device's registration state, journal and diagnostics from our
monitoring routes, inside Monster UI. Served as static files without a token; installed through apps_store."""
