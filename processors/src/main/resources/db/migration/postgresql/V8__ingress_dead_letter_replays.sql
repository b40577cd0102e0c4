-- A dead letter replayed and refused again stays the same letter: its id and first receipt are kept, its reason is the
-- latest, and these count its replays and say when the last one was.
ALTER TABLE ingress_dead_letters ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingress_dead_letters ADD COLUMN last_replayed TEXT;
