-- A sync run is rolled back at most once: one rollback run per rolled-back run may be running or done
-- (a failed rollback leaves the index, so it can be retried). Two concurrent `crmhub rev-etl rollback`
-- of the same run cannot both insert their run row; the second gets a unique violation.
CREATE UNIQUE INDEX reverse_etl_runs_one_rollback ON ops.reverse_etl_runs (rollback_of)
    WHERE kind = 'rollback' AND status IN ('running', 'success', 'partial');
