"""SQL fragments the registration queries share."""

# usrloc writes its timestamps in local time and Kamailio runs in UTC (docs/decisions.md): compare
# them with now() in UTC, never with a timestamptz.
NOW_UTC = "(now() AT TIME ZONE 'UTC')"
