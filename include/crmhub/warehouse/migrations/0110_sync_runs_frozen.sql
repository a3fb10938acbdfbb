-- A run that found its connector frozen (or everything frozen) did no work and failed at nothing: it is
-- recorded as 'frozen', which the health window, the error-rate KPI and the SLA rates leave out.
ALTER TABLE ops.sync_runs DROP CONSTRAINT IF EXISTS sync_runs_status_check;
ALTER TABLE ops.sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'success', 'partial', 'failed', 'frozen'));
