-- An upload remembers whether the analyst asked for replace (the file is
-- the complete new edition of its series: what it does not restate is
-- retracted), so its background preview plans the same retractions.
ALTER TABLE uploads ADD COLUMN replace_unstated INTEGER NOT NULL DEFAULT 0;
