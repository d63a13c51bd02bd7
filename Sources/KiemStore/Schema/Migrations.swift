import Foundation
import KiemCore
import GRDB

/// The store's schema as named, forward-only migrations. Never edit or
/// reorder a registered migration: append a new one. A store migrated by a
/// newer build has identifiers this list lacks, and ``KiemStore/open(path:)``
/// refuses it (see ``StoreError/newerSchema(path:unknownMigrations:)``).
enum Migrations {
    // CHECK constraints avoid `IN (…)` lists: SQLite 3.40 evaluates those
    // with an ephemeral table per inserted row, which cost more than the
    // insert itself.

    /// Every migration, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-op-log") { db in
            // Every op received that decoded, per origin; held and rejected
            // ones too, since peers need the whole log to stay contiguous.
            // A rowid table with a unique (origin, seq) index rather than
            // WITHOUT ROWID: rows average ~300 bytes and creates ~1 KiB,
            // too big for WITHOUT ROWID's index-page layout (overflow pages
            // and half-empty splits doubled the file and the write time).
            try db.execute(sql: """
                CREATE TABLE op (
                    origin TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 63),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    hlc INTEGER NOT NULL,
                    initiative BLOB NOT NULL CHECK (length(initiative) = 16),
                    author TEXT NOT NULL CHECK (length(author) BETWEEN 1 AND 32),
                    kind TEXT NOT NULL,
                    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3), -- accepted, held, rejected
                    canonical BLOB NOT NULL CHECK (length(canonical) > 0),
                    UNIQUE (origin, seq)
                );
                CREATE INDEX op_initiative ON op(initiative);

                -- The contiguous prefix of each origin's log held here.
                CREATE TABLE version_vector (
                    origin TEXT NOT NULL PRIMARY KEY,
                    seq INTEGER NOT NULL CHECK (seq >= 1)
                ) WITHOUT ROWID;

                -- Ops waiting for a creation or a named op (HoldKey.storeText).
                -- The implicit rowid keeps the order in which ops were held.
                CREATE TABLE held_op (
                    origin TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    waits_for TEXT NOT NULL CHECK (waits_for LIKE 'initiative:%' OR waits_for LIKE 'op:%'),
                    PRIMARY KEY (origin, seq),
                    FOREIGN KEY (origin, seq) REFERENCES op(origin, seq)
                );
                CREATE INDEX held_op_waits_for ON held_op(waits_for);

                -- Why an op was refused (Rejection.Rule raw value and message).
                CREATE TABLE rejected_op (
                    origin TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    rule TEXT NOT NULL CHECK (length(rule) > 0),
                    reason TEXT NOT NULL,
                    PRIMARY KEY (origin, seq),
                    FOREIGN KEY (origin, seq) REFERENCES op(origin, seq)
                );
                """)
        }
        migrator.registerMigration("v1-initiatives") { db in
            // The materialized visible state, rewritten once per batch that
            // touches an initiative. Small columns first, big ones last.
            try db.execute(sql: """
                CREATE TABLE initiative (
                    rowid INTEGER PRIMARY KEY,
                    id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
                    owner TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 32),
                    phase TEXT NOT NULL CHECK (phase = 'idea' OR phase = 'experiment' OR phase = 'pilot'
                                           OR phase = 'proven' OR phase = 'scaling' OR phase = 'stopped'),
                    archived INTEGER NOT NULL CHECK (archived BETWEEN 0 AND 1),
                    contested INTEGER NOT NULL CHECK (contested BETWEEN 0 AND 1),
                    derived_from BLOB CHECK (derived_from IS NULL OR length(derived_from) = 16),
                    created_hlc INTEGER NOT NULL,
                    last_changed_hlc INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    visible_state BLOB NOT NULL
                );
                -- No index on phase: six values, so scanning newest-first
                -- finds a page of matches sooner than sorting one sixth of
                -- the table would.
                CREATE INDEX initiative_owner ON initiative(owner, id);

                CREATE TABLE initiative_theme (
                    initiative_rowid INTEGER NOT NULL REFERENCES initiative(rowid) ON DELETE CASCADE,
                    theme TEXT NOT NULL CHECK (length(theme) BETWEEN 1 AND 40),
                    PRIMARY KEY (initiative_rowid, theme)
                ) WITHOUT ROWID;
                CREATE INDEX initiative_theme_theme ON initiative_theme(theme);

                -- Each organisation's winning adoption status.
                CREATE TABLE initiative_adoption (
                    initiative_rowid INTEGER NOT NULL REFERENCES initiative(rowid) ON DELETE CASCADE,
                    organisation TEXT NOT NULL CHECK (length(organisation) BETWEEN 1 AND 32),
                    status TEXT NOT NULL CHECK (status = 'exploring' OR status = 'piloting' OR status = 'adopted' OR status = 'dropped'),
                    PRIMARY KEY (initiative_rowid, organisation)
                ) WITHOUT ROWID;
                CREATE INDEX initiative_adoption_organisation ON initiative_adoption(organisation, status);
                """)
        }
        migrator.registerMigration("v1-search") { db in
            // Full-text search over the winning texts, keyed by
            // initiative.rowid. Contentless: the texts live in the ops and
            // in visible_state already; the apply path keeps the index in
            // step (a 'delete' with the texts indexed before, then an insert).
            try db.execute(sql: """
                CREATE VIRTUAL TABLE initiative_fts USING fts5(
                    title, summary, description,
                    content = '',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                """)
        }
        migrator.registerMigration("v2-op-proof") { db in
            // The integrity proof of each op (KiemCore/Integrity): the
            // origin's chain hash after it, and the origin's signature over
            // that head when the op ended a signed run. Relays serve them on;
            // NULL for ops applied without a proof (tests, benchmarks).
            //
            // node_certificate: the certificate chain (PEM, leaf first) of
            // every origin whose ops this store holds, so that ops relayed
            // from nodes never met can be verified and relayed onwards.
            try db.execute(sql: """
                ALTER TABLE op ADD COLUMN chain BLOB CHECK (chain IS NULL OR length(chain) = 32);
                ALTER TABLE op ADD COLUMN signature BLOB CHECK (signature IS NULL OR length(signature) > 0);

                CREATE TABLE node_certificate (
                    node TEXT NOT NULL PRIMARY KEY CHECK (length(node) BETWEEN 1 AND 63),
                    organisation TEXT NOT NULL CHECK (length(organisation) BETWEEN 1 AND 32),
                    chain_pem TEXT NOT NULL CHECK (chain_pem LIKE '-----BEGIN CERTIFICATE-----%')
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-op-rowid") { db in
            // The op's (origin, seq) folded into its rowid, which drops the
            // unique (origin, seq) index: one B-tree fewer per op. `origin`
            // numbers the origins (1, 2, … in order of first appearance, at
            // most 2^23 - 1); an op's id is `origin.number << 40 | seq`, so
            // an origin's log is one contiguous id range (seq < 2^40: a log
            // is contiguous from 1, so that is a trillion ops). The origin
            // and seq columns stay for readability; CHECKs tie them to the id.
            //
            // held_op and rejected_op reference op(id); their implicit rowid
            // still keeps the order in which ops were held or rejected, and
            // is copied over. Every op, with its bytes, status and proof, is
            // copied in id order.
            try db.execute(sql: """
                CREATE TABLE origin (
                    number INTEGER PRIMARY KEY CHECK (number BETWEEN 1 AND 8388607),
                    node TEXT NOT NULL UNIQUE CHECK (length(node) BETWEEN 1 AND 63)
                );
                INSERT INTO origin (node)
                    SELECT origin FROM (SELECT origin, min(rowid) AS first FROM op GROUP BY origin) ORDER BY first;

                CREATE TABLE op_v3 (
                    id INTEGER PRIMARY KEY CHECK ((id & 1099511627775) = seq AND id >> 40 >= 1),
                    origin TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 63),
                    seq INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 1099511627775),
                    hlc INTEGER NOT NULL,
                    initiative BLOB NOT NULL CHECK (length(initiative) = 16),
                    author TEXT NOT NULL CHECK (length(author) BETWEEN 1 AND 32),
                    kind TEXT NOT NULL,
                    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 3), -- accepted, held, rejected
                    canonical BLOB NOT NULL CHECK (length(canonical) > 0),
                    chain BLOB CHECK (chain IS NULL OR length(chain) = 32),
                    signature BLOB CHECK (signature IS NULL OR length(signature) > 0)
                );
                INSERT INTO op_v3 (id, origin, seq, hlc, initiative, author, kind, status, canonical, chain, signature)
                    SELECT (o.number << 40) | op.seq, op.origin, op.seq, op.hlc, op.initiative, op.author, op.kind,
                           op.status, op.canonical, op.chain, op.signature
                    FROM op JOIN origin o ON o.node = op.origin
                    ORDER BY 1;

                CREATE TABLE held_op_v3 (
                    op INTEGER NOT NULL UNIQUE REFERENCES op_v3(id),
                    waits_for TEXT NOT NULL CHECK (waits_for LIKE 'initiative:%' OR waits_for LIKE 'op:%')
                );
                INSERT INTO held_op_v3 (rowid, op, waits_for)
                    SELECT h.rowid, (o.number << 40) | h.seq, h.waits_for
                    FROM held_op h JOIN origin o ON o.node = h.origin
                    ORDER BY h.rowid;

                CREATE TABLE rejected_op_v3 (
                    op INTEGER NOT NULL UNIQUE REFERENCES op_v3(id),
                    rule TEXT NOT NULL CHECK (length(rule) > 0),
                    reason TEXT NOT NULL
                );
                INSERT INTO rejected_op_v3 (rowid, op, rule, reason)
                    SELECT r.rowid, (o.number << 40) | r.seq, r.rule, r.reason
                    FROM rejected_op r JOIN origin o ON o.node = r.origin
                    ORDER BY r.rowid;

                DROP TABLE held_op;
                DROP TABLE rejected_op;
                DROP TABLE op;
                ALTER TABLE op_v3 RENAME TO op;
                ALTER TABLE held_op_v3 RENAME TO held_op;
                ALTER TABLE rejected_op_v3 RENAME TO rejected_op;
                CREATE INDEX op_initiative ON op(initiative);
                CREATE INDEX held_op_waits_for ON held_op(waits_for);
                """)
        }
        migrator.registerMigration("v4-search-automerge") { db in
            // FTS5 writes one segment per transaction and, by default, merges
            // segments as soon as 4 share a level, so every indexed text is
            // rewritten once per level: in a catch-up of 100,000 initiatives
            // in batches of 5,000 the merges wrote about three times what the
            // index holds. Merging 16 at a time (FTS5's default crisis-merge
            // threshold) makes about half as many levels, and cut the bytes
            // the whole store writes (WAL and checkpoints) by about a tenth.
            // Queries read at most 15 segments a level instead of 3; the
            // index is kept in step exactly as before. Stored in
            // initiative_fts_config, so it holds for every connection.
            try db.execute(sql: "INSERT INTO initiative_fts (initiative_fts, rank) VALUES ('automerge', 16)")
        }
        migrator.registerMigration("v5-portfolio") { db in
            // Each initiative's overview facts (KiemCore's PortfolioEntry,
            // canonical bytes), so that the regie overview reads one column
            // instead of rebuilding every initiative from its ops. Written by
            // the apply path with the rest of the row; filled here once for
            // the initiatives a store already holds.
            try db.execute(sql: "ALTER TABLE initiative ADD COLUMN portfolio BLOB")
            let ids = try Data.fetchAll(db, sql: "SELECT id FROM initiative")
            let update = try db.makeStatement(sql: "UPDATE initiative SET portfolio = ? WHERE id = ?")
            for data in ids {
                guard let id = InitiativeID(storeData: data),
                      let initiative = try StoreReads.replayInitiative(id, in: db) else { continue }
                try update.execute(arguments: [Data(PortfolioEntry(initiative).canonicalBytes), data])
            }
        }
        migrator.registerMigration("v6-visible-state-hash") { db in
            // The digest needs only the SHA-256 of each initiative's visible
            // state (KiemCore's StateDigest hashes these hashes), so the row
            // keeps those 32 bytes instead of the visible state itself, about
            // 1.3 KB carrying every winning text, which was written on every
            // change and read only by the digest. Filled here from the stored
            // visible state; the dropped column's pages are reused by later
            // writes (the file shrinks only with VACUUM).
            try db.execute(sql: """
                ALTER TABLE initiative ADD COLUMN visible_hash BLOB
                    CHECK (visible_hash IS NULL OR length(visible_hash) = 32)
                """)
            var hashes: [(rowid: Int64, hash: [UInt8])] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT rowid, visible_state FROM initiative")
            while let row = try rows.next() {
                let hash = try row.withUnsafeData(atIndex: 1) { data in
                    Initiative.visibleStateHash(of: data.map { [UInt8]($0) } ?? [])
                }
                hashes.append((row[0], hash))
            }
            let update = try db.makeStatement(sql: "UPDATE initiative SET visible_hash = ? WHERE rowid = ?")
            for (rowid, hash) in hashes {
                try update.execute(arguments: [Data(hash), rowid])
            }
            try db.execute(sql: "ALTER TABLE initiative DROP COLUMN visible_state")
        }
        migrator.registerMigration("v7-equivocation") { db in
            // Proof that an origin signed two different ops with one seq
            // (WIRE.md section 13), the first per origin: from then on the
            // node accepts no more ops from it. equivocation_op holds the two
            // signed runs, side 1 the one this replica held, side 2 the one
            // it was offered, each from `seq` to a signed head.
            try db.execute(sql: """
                CREATE TABLE equivocation (
                    origin TEXT NOT NULL PRIMARY KEY CHECK (length(origin) BETWEEN 1 AND 63),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    previous_chain BLOB NOT NULL CHECK (length(previous_chain) = 32),
                    detected_millis INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE equivocation_op (
                    origin TEXT NOT NULL REFERENCES equivocation(origin),
                    side INTEGER NOT NULL CHECK (side BETWEEN 1 AND 2),
                    position INTEGER NOT NULL CHECK (position >= 0),
                    canonical BLOB NOT NULL CHECK (length(canonical) > 0),
                    chain BLOB CHECK (chain IS NULL OR length(chain) = 32),
                    signature BLOB CHECK (signature IS NULL OR length(signature) > 0),
                    PRIMARY KEY (origin, side, position)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v8-derived-from-index") { db in
            // Finds the initiatives derived from one (InitiativeQuery
            // .derivedFrom, `kiemctl initiative show`). Partial: most
            // initiatives derive from none, so the apply path rarely
            // writes to it.
            try db.execute(sql: """
                CREATE INDEX initiative_derived_from ON initiative(derived_from) WHERE derived_from IS NOT NULL
                """)
        }
        migrator.registerMigration("v9-revocation") { db in
            // Revocations signed by the federation CA (WIRE.md section 14),
            // as received: `signed` is the SignedRevocation message, checked
            // against the CA before it was stored; the other columns are read
            // from it. An op of `node` (or, with node NULL, of any node of
            // `organisation`) with hlc >= revoked_hlc is rejected.
            try db.execute(sql: """
                CREATE TABLE revocation (
                    id BLOB NOT NULL PRIMARY KEY CHECK (length(id) = 32),
                    organisation TEXT NOT NULL CHECK (length(organisation) BETWEEN 1 AND 32),
                    node TEXT CHECK (node IS NULL OR length(node) BETWEEN 1 AND 63),
                    revoked_hlc INTEGER NOT NULL,
                    signed BLOB NOT NULL CHECK (length(signed) > 0),
                    received_millis INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v10-node-certificates") { db in
            // Every certificate an origin was known by, not only its newest:
            // after a key rotation its older ops verify with the older key.
            // Same columns in the same order; unique is now (node, chain).
            try db.execute(sql: """
                CREATE TABLE node_certificate_v10 (
                    node TEXT NOT NULL CHECK (length(node) BETWEEN 1 AND 63),
                    organisation TEXT NOT NULL CHECK (length(organisation) BETWEEN 1 AND 32),
                    chain_pem TEXT NOT NULL CHECK (chain_pem LIKE '-----BEGIN CERTIFICATE-----%'),
                    UNIQUE (node, chain_pem)
                );
                INSERT INTO node_certificate_v10 SELECT node, organisation, chain_pem FROM node_certificate;
                DROP TABLE node_certificate;
                ALTER TABLE node_certificate_v10 RENAME TO node_certificate;
                """)
        }
        return migrator
    }

    /// The most origins the op id can number, and the highest seq it can hold
    /// (see migration "v3-op-rowid").
    static let maxOriginNumber: Int64 = (1 << 23) - 1
    static let maxSeq: UInt64 = (1 << 40) - 1

    /// The op's id: its origin's number and its seq.
    static func opID(originNumber: Int64, seq: UInt64) -> Int64 {
        originNumber << 40 | Int64(seq)
    }
}
