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
        return migrator
    }
}
