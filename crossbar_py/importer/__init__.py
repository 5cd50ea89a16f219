"""crossbar-py import-kazoo and cutover: bring a Kazoo cluster's accounts, users and devices over."""
