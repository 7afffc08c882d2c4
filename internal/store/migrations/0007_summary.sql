-- The summary of the current data that the overview and coverage pages
-- read, so they need not scan every observation: one row per series and
-- area, kept up to date by every apply and rollback for the series it
-- touched (store/summary.go). Filled from the observations already there
-- by DB.Open the first time it finds the table empty.
CREATE TABLE summary_areas (
	series TEXT    NOT NULL,
	area   TEXT    NOT NULL,
	n      INTEGER NOT NULL, -- current observations, every disaggregation
	years  TEXT    NOT NULL, -- years with observations and how many, ascending: '2015:3,2016:1'
	totals TEXT    NOT NULL, -- the totals (dims ''), in period order: 'period=value;…' (values round-trip exactly)
	PRIMARY KEY (series, area)
);

-- The disaggregations of each series in the current data, with counts.
CREATE TABLE summary_dims (
	series TEXT    NOT NULL,
	dims   TEXT    NOT NULL,
	n      INTEGER NOT NULL,
	PRIMARY KEY (series, dims)
);

-- Whether the summary has been filled (1) for the observations present:
-- a database without observations has nothing to fill.
CREATE TABLE summary_state (filled INTEGER NOT NULL);
INSERT INTO summary_state SELECT NOT EXISTS (SELECT 1 FROM observations);
