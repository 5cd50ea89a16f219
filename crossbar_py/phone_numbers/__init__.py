"""An account's phone numbers (Kazoo's cb_phone_numbers): those an operator adds, stored as Kazoo keeps them;
we buy, port and search for none."""
