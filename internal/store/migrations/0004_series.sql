-- Series described by imported files that the catalog does not know yet
-- (SDG Global Database and UNSD extracts carry each series' indicator,
-- description and unit). They are listed with their indicator but not
-- assessed until the catalog gives them a direction and a target.
CREATE TABLE file_series (
	code            TEXT    PRIMARY KEY,
	indicator       TEXT    NOT NULL,
	description     TEXT    NOT NULL,
	unit            TEXT    NOT NULL DEFAULT '',
	unit_multiplier INTEGER NOT NULL DEFAULT 0,
	described_by    TEXT    NOT NULL,          -- file name
	import_id       INTEGER NOT NULL,          -- the latest import that described it
	at              TEXT    NOT NULL           -- RFC 3339, UTC
);
CREATE INDEX file_series_indicator ON file_series (indicator);
