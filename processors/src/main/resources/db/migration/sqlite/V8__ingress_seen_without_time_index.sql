-- Every ingress message writes its id here, and the index on seen_at was a third B-tree written per message (about a
-- tenth of the twin writer's time under load). Rows go in in time order, so their rowids are in time order too: the
-- pruner deletes from the lowest rowid up to the first row inside the retention window, and needs no index.
DROP INDEX ingress_seen_by_time;
