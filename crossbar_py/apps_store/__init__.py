"""The Monster apps an account may use (Kazoo's cb_apps_store) and who may use each."""
