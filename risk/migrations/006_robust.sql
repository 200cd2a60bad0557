-- Scores are derived and rewritten whole by every rescore: without a primary-key index the
-- rewrite of a few hundred thousand rows takes a fraction of the time (the lock other
-- processes wait for is held that much shorter). Rows stay unique by construction.
CREATE TABLE scores_unindexed AS SELECT * FROM scores ORDER BY dependent, family, date;
DROP TABLE scores;
ALTER TABLE scores_unindexed RENAME TO scores;
