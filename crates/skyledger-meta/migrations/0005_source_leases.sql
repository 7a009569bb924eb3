-- Leases on polled billing sources: with several `serve` nodes on one database, only the node
-- holding a source's lease lists and ingests it, so no delivery is ingested twice at once.
CREATE TABLE source_leases (
    org_id TEXT NOT NULL REFERENCES organizations (id),
    source TEXT NOT NULL,
    -- Which process holds it (host, pid and a random part).
    holder TEXT NOT NULL,
    -- Unix milliseconds; an expired lease may be taken by anyone (a node that died).
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, source)
);
