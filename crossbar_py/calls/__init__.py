"""Calls: live channels and call detail records (Kazoo's cb_channels, cb_cdrs). We are a registrar, not a
call processor: we see no calls, so every answer is the empty shape Kazoo gives an account without calls."""
