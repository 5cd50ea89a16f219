"""An account's ledgers (Kazoo's cb_ledgers): we bill nothing, so there are no entries and the balance is 0."""
