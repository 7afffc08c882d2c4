-- The series a previewed upload's file described that the catalog lacks
-- (JSON []sdg.Series), recorded in file_series when the upload is applied,
-- as the command line's import records them after applying.
ALTER TABLE uploads ADD COLUMN described TEXT NOT NULL DEFAULT '[]';
