-- Sticky person links: a source account keeps backing its person when its e-mail changes, and the
-- person moves to the new address. When that address is already another person's, nothing is
-- merged: the person keeps their address and the conflict is kept here for admins to see
-- ({"email", "heldBy", "account", "since"}), until the holder moves away or the link is undone.
alter table people add column email_conflict jsonb;
