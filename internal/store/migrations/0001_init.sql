-- Imports: one row per load attempt, applied or not, so the history shows
-- every file an analyst tried. Problems and per-series counts are JSON: they
-- are read whole, with the import, never queried into.
CREATE TABLE imports (
	id          INTEGER PRIMARY KEY,
	file_name   TEXT    NOT NULL,
	sha256      TEXT    NOT NULL DEFAULT '',
	layout      TEXT    NOT NULL DEFAULT '',
	user        TEXT    NOT NULL DEFAULT '',
	at          TEXT    NOT NULL,              -- RFC 3339, UTC
	status      TEXT    NOT NULL CHECK (status IN ('applied', 'rolled_back', 'rejected')),
	n_new       INTEGER NOT NULL DEFAULT 0,
	n_changed   INTEGER NOT NULL DEFAULT 0,
	n_unchanged INTEGER NOT NULL DEFAULT 0,
	n_rejected  INTEGER NOT NULL DEFAULT 0,
	by_series   TEXT    NOT NULL DEFAULT '{}', -- JSON: series code -> counts
	problems    TEXT    NOT NULL DEFAULT '[]', -- JSON: []sdg.Problem
	note        TEXT    NOT NULL DEFAULT ''
);

-- Observations is a versioned table: every value an import set is a row
-- valid from that import until the import that replaced it (valid_to), or
-- current (valid_to IS NULL). Old versions are the history: a query "as of"
-- import N reads the rows valid at N, and rolling back import N deletes the
-- rows it created and makes current again the rows it closed.
-- valid_from and valid_to hold imports.id but declare no foreign key: the
-- check costs a lookup per row (about a tenth of a million-row import) and
-- the store writes both only in the transaction that records the import.
CREATE TABLE observations (
	id             INTEGER PRIMARY KEY,
	series         TEXT    NOT NULL,
	area           TEXT    NOT NULL,
	period         TEXT    NOT NULL, -- canonical sdg.Period string
	dims           TEXT    NOT NULL, -- canonical sdg.Dims; '' = total
	year           INTEGER NOT NULL, -- sdg.Period.Year(), for ranges and sorting
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
	valid_from     INTEGER NOT NULL, -- imports.id that set this value
	valid_to       INTEGER           -- imports.id that replaced it; NULL = current
);

-- One current version per key; also the lookup path of every import and of
-- current-data queries by series and area.
CREATE UNIQUE INDEX observations_current
	ON observations (series, area, period, dims) WHERE valid_to IS NULL;
-- Area profiles (every series of one country or region).
CREATE INDEX observations_area ON observations (area);
-- Changes, rollback and the rollback guard go by import id.
CREATE INDEX observations_valid_from ON observations (valid_from);
CREATE INDEX observations_valid_to ON observations (valid_to) WHERE valid_to IS NOT NULL;
