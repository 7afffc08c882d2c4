-- The summary keeps each series and area's disaggregations with their
-- counts (a JSON object), so an apply or rollback rebuilds only the
-- (series, area) pairs it touched and sums each series' disaggregation
-- counts from its rows (store/summary.go). DB.Open fills the column
-- again for the observations already there.
ALTER TABLE summary_areas ADD COLUMN dims TEXT NOT NULL DEFAULT '{}';
UPDATE summary_state SET filled = NOT EXISTS (SELECT 1 FROM observations);
