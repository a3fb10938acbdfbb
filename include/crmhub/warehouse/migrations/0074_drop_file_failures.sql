-- Drop-folder files whose load failed for a reason other than a recorded rejection (issue #16): the file is
-- skipped so newer files still load; after max_failures attempts of the same bytes an incident is opened
-- and the file is not tried again (a fixed file has a new checksum). See ingest/sources/folder_source.py.
CREATE TABLE ops.drop_file_failures (
    failure_id   bigserial PRIMARY KEY,
    connector    text NOT NULL,
    origin       text NOT NULL,             -- file name in the drop folder
    checksum     text NOT NULL,             -- sha256 of the bytes ('unreadable' when it could not be read)
    error_type   text NOT NULL,             -- exception class; the message stays in the task log (may hold values)
    failed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drop_file_failures_file_idx ON ops.drop_file_failures (connector, origin, checksum);
