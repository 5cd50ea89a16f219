"""SQL fragments the registration queries share."""

# usrloc writes its timestamps in local time and Kamailio runs in UTC (docs/decisions.md): compare
# them with now() in UTC, never with a timestamptz.
NOW_UTC = "(now() AT TIME ZONE 'UTC')"

# How long a device that never registered counts as provisioning (crossbar.provisioning_hours, sql/009).
PROVISIONING_SINCE = (
    "(now() - make_interval(hours => coalesce(nullif(current_setting('crossbar.provisioning_hours', true), ''), "
    "'24')::int))"
)
