-- IP-authenticated devices (sip.method "ip") are matched by source address: one device per address,
-- system-wide (docs/kazoo-compatibility.md §8.4 step 9), enforced here so that two concurrent writes cannot both win.
CREATE UNIQUE INDEX devices_sip_ip_uq ON devices ((doc -> 'sip' ->> 'ip'))
    WHERE NOT deleted AND doc -> 'sip' ->> 'method' = 'ip';
