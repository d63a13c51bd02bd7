import GRDB

/// The store's schema as named, forward-only migrations. Never edit or
/// reorder a registered migration: append a new one. A store migrated by a
/// newer build has identifiers this list lacks, and ``KiemStore/open(path:)``
/// refuses it (see ``StoreError/newerSchema(path:unknownMigrations:)``).
enum Migrations {
    /// Every migration, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-op-log") { db in
            // Every op received that decoded, per origin; held and rejected
            // ones too, since peers need the whole log to stay contiguous.
            try db.execute(sql: """
                CREATE TABLE op (
                    origin TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 63),
                    seq INTEGER NOT NULL CHECK (seq >= 1),
                    hlc INTEGER NOT NULL,
                    initiative BLOB NOT NULL CHECK (length(initiative) = 16),
                    author TEXT NOT NULL CHECK (length(author) BETWEEN 1 AND 32),
                    kind TEXT NOT NULL,
                    status INTEGER NOT NULL CHECK (status IN (1, 2, 3)), -- accepted, held, rejected
                    canonical BLOB NOT NULL CHECK (length(canonical) > 0),
                    PRIMARY KEY (origin, seq)
                ) WITHOUT ROWID;
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
                    phase TEXT NOT NULL CHECK (phase IN ('idea', 'experiment', 'pilot', 'proven', 'scaling', 'stopped')),
                    archived INTEGER NOT NULL CHECK (archived IN (0, 1)),
                    contested INTEGER NOT NULL CHECK (contested IN (0, 1)),
                    derived_from BLOB CHECK (derived_from IS NULL OR length(derived_from) = 16),
                    created_hlc INTEGER NOT NULL,
                    last_changed_hlc INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    description TEXT NOT NULL,
                    visible_state BLOB NOT NULL
                );
                CREATE INDEX initiative_owner ON initiative(owner);
                CREATE INDEX initiative_phase ON initiative(phase);

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
                    status TEXT NOT NULL CHECK (status IN ('exploring', 'piloting', 'adopted', 'dropped')),
                    PRIMARY KEY (initiative_rowid, organisation)
                ) WITHOUT ROWID;
                CREATE INDEX initiative_adoption_organisation ON initiative_adoption(organisation, status);
                """)
        }
        migrator.registerMigration("v1-search") { db in
            // Full-text search over the winning texts. External content:
            // the text lives in `initiative` only; the apply path keeps the
            // index in step (a 'delete' with the old texts, then an insert).
            try db.execute(sql: """
                CREATE VIRTUAL TABLE initiative_fts USING fts5(
                    title, summary, description,
                    content = 'initiative', content_rowid = 'rowid',
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                """)
        }
        return migrator
    }
}
