-- What the overview page shows, derived from the data at import time so a
-- cold overview reads a few hundred rows instead of assessing every series
-- (store/overview.go): each progress method's verdict on every series in
-- each headline area, and every series' latest World value. Rewritten in
-- the transaction of every apply and rollback by the process's
-- OverviewRules; overview_state says which rules and which data generation
-- the rows are for, so rows left by other rules or behind the data (an
-- import by a process without rules) are never read as current.
CREATE TABLE overview_verdicts (
	method TEXT NOT NULL,
	series TEXT NOT NULL,
	area   TEXT NOT NULL,
	status TEXT NOT NULL,
	label  TEXT NOT NULL,
	score  REAL, -- the method's score, when it gives one
	PRIMARY KEY (method, series, area)
);

CREATE TABLE overview_latest (
	series TEXT    NOT NULL,
	area   TEXT    NOT NULL,
	year   INTEGER NOT NULL,
	value  REAL    NOT NULL,
	PRIMARY KEY (series, area)
);

CREATE TABLE overview_state (
	rules      TEXT    NOT NULL, -- OverviewRules.Rules() of the process that wrote the rows; '' = none yet
	generation INTEGER NOT NULL  -- the data generation they were derived at
);
INSERT INTO overview_state VALUES ('', -1);
