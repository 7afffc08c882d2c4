-- imports gains 'empty': a file that yielded no observations (nothing in
-- it, or every row skipped under skip-invalid) is neither applied nor
-- rejected for its problems, and its note says why. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with its rows, every
-- column kept.
CREATE TABLE imports_new (
	id          INTEGER PRIMARY KEY,
	file_name   TEXT    NOT NULL,
	sha256      TEXT    NOT NULL DEFAULT '',
	size        INTEGER NOT NULL DEFAULT 0,    -- bytes of the file as uploaded
	layout      TEXT    NOT NULL DEFAULT '',
	user        TEXT    NOT NULL DEFAULT '',
	at          TEXT    NOT NULL,              -- RFC 3339, UTC
	status      TEXT    NOT NULL CHECK (status IN ('applied', 'rolled_back', 'rejected', 'discarded', 'empty')),
	n_new       INTEGER NOT NULL DEFAULT 0,
	n_changed   INTEGER NOT NULL DEFAULT 0,
	n_unchanged INTEGER NOT NULL DEFAULT 0,
	n_rejected  INTEGER NOT NULL DEFAULT 0,
	by_series   TEXT    NOT NULL DEFAULT '{}', -- JSON: series code -> counts
	problems    TEXT    NOT NULL DEFAULT '[]', -- JSON: []sdg.Problem
	note        TEXT    NOT NULL DEFAULT ''
);
INSERT INTO imports_new (id, file_name, sha256, size, layout, user, at, status,
		n_new, n_changed, n_unchanged, n_rejected, by_series, problems, note)
	SELECT id, file_name, sha256, size, layout, user, at, status,
		n_new, n_changed, n_unchanged, n_rejected, by_series, problems, note
	FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
