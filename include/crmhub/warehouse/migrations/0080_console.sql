-- Operations console (plugins/crmhub_console): proof artifacts uploaded when an incident is resolved.
-- The incident's `proof` text points here (`warehouse:ops.proof_artifacts/<id>`), so the proof lives in the
-- warehouse with the incident it closes, not on somebody's laptop.
CREATE TABLE ops.proof_artifacts (
    artifact_id   bigserial PRIMARY KEY,
    incident_id   bigint NOT NULL REFERENCES ops.incidents (incident_id),
    filename      text NOT NULL CHECK (length(btrim(filename)) > 0),
    content_type  text NOT NULL,
    size_bytes    integer NOT NULL CHECK (size_bytes > 0),
    sha256        text NOT NULL,
    content       bytea NOT NULL,
    uploaded_by   text NOT NULL CHECK (length(btrim(uploaded_by)) > 0),
    uploaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proof_artifacts_incident_idx ON ops.proof_artifacts (incident_id);
