-- Uploads: files an analyst sent through the web, read and previewed but
-- not yet applied. The history (imports) gets a row when an upload ends:
-- applied, rejected or discarded (by the analyst or on expiry).

-- imports gains 'discarded' and the file's size. SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt with its rows.
CREATE TABLE imports_new (
	id          INTEGER PRIMARY KEY,
	file_name   TEXT    NOT NULL,
	sha256      TEXT    NOT NULL DEFAULT '',
	size        INTEGER NOT NULL DEFAULT 0,    -- bytes of the file as uploaded
	layout      TEXT    NOT NULL DEFAULT '',
	user        TEXT    NOT NULL DEFAULT '',
	at          TEXT    NOT NULL,              -- RFC 3339, UTC
	status      TEXT    NOT NULL CHECK (status IN ('applied', 'rolled_back', 'rejected', 'discarded')),
	n_new       INTEGER NOT NULL DEFAULT 0,
	n_changed   INTEGER NOT NULL DEFAULT 0,
	n_unchanged INTEGER NOT NULL DEFAULT 0,
	n_rejected  INTEGER NOT NULL DEFAULT 0,
	by_series   TEXT    NOT NULL DEFAULT '{}', -- JSON: series code -> counts
	problems    TEXT    NOT NULL DEFAULT '[]', -- JSON: []sdg.Problem
	note        TEXT    NOT NULL DEFAULT ''
);
INSERT INTO imports_new (id, file_name, sha256, layout, user, at, status,
		n_new, n_changed, n_unchanged, n_rejected, by_series, problems, note)
	SELECT id, file_name, sha256, layout, user, at, status,
		n_new, n_changed, n_unchanged, n_rejected, by_series, problems, note
	FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;

-- One row per upload while it waits for the analyst (pending: queued or
-- being read; previewed: counts and changes below), then ended with the
-- id of its history row.
CREATE TABLE uploads (
	id           INTEGER PRIMARY KEY,
	file_name    TEXT    NOT NULL,
	sha256       TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	user         TEXT    NOT NULL,
	at           TEXT    NOT NULL,              -- RFC 3339, UTC
	expires      TEXT    NOT NULL,              -- RFC 3339, UTC: discarded after this
	layout       TEXT    NOT NULL DEFAULT '',   -- the options it was sent with
	series       TEXT    NOT NULL DEFAULT '',
	area         TEXT    NOT NULL DEFAULT '',
	skip_invalid INTEGER NOT NULL DEFAULT 0,
	status       TEXT    NOT NULL CHECK (status IN ('pending', 'previewed', 'applied', 'rejected', 'discarded')),
	generation   INTEGER NOT NULL DEFAULT 0,    -- data generation the preview was computed on
	preview      TEXT    NOT NULL DEFAULT '{}', -- JSON sdg.Import: counts, problems, detected layout, note
	import_id    INTEGER                        -- imports.id once ended
);
CREATE INDEX uploads_status ON uploads (status);

-- The values a previewed upload would write: new keys (old_id NULL) and
-- changed ones (old_id: the current observation it replaces). Unchanged
-- values are not kept. Apply copies these rows into observations.
CREATE TABLE upload_changes (
	upload_id      INTEGER NOT NULL,
	series         TEXT    NOT NULL,
	area           TEXT    NOT NULL,
	period         TEXT    NOT NULL,
	dims           TEXT    NOT NULL,
	year           INTEGER NOT NULL,
	value          REAL    NOT NULL,
	qualifier      TEXT    NOT NULL DEFAULT '',
	lower          REAL,
	upper          REAL,
	unit           TEXT    NOT NULL DEFAULT '',
	nature         TEXT    NOT NULL DEFAULT '',
	footnote       TEXT    NOT NULL DEFAULT '',
	source         TEXT    NOT NULL DEFAULT '',
	time_detail    TEXT    NOT NULL DEFAULT '',
	reporting_type TEXT    NOT NULL DEFAULT '',
	old_id         INTEGER,
	PRIMARY KEY (upload_id, series, area, period, dims)
);
