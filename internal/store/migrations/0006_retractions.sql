-- Retractions: the current values an import closed without setting a new
-- version, because the file marked them missing or, imported with replace,
-- did not restate them. The closed row itself (valid_to = the import) is
-- the history; this table only tells a retraction from a replacement, so
-- Changes can list it (old value, no new one) without matching keys across
-- the whole table. Rollback deletes an import's rows here.
CREATE TABLE retractions (
	import_id INTEGER NOT NULL, -- imports.id that retracted the value
	obs_id    INTEGER NOT NULL, -- observations.id of the version it closed
	PRIMARY KEY (import_id, obs_id)
);

-- The retractions a previewed upload would make (the observations.id of
-- each current version), kept with its upload_changes until it is applied
-- or ends; ApplyUpload turns them into retractions of its import.
CREATE TABLE upload_retractions (
	upload_id INTEGER NOT NULL,
	obs_id    INTEGER NOT NULL,
	PRIMARY KEY (upload_id, obs_id)
);
