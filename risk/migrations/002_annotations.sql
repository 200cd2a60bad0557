-- Analyst annotations. Never deleted for real: deletion sets deleted_at, and every change
-- (create, edit, delete, restore) is kept as a full revision with who and when.
CREATE SEQUENCE annotation_id_seq START 1;

CREATE TABLE annotations (
    id          BIGINT PRIMARY KEY DEFAULT nextval('annotation_id_seq'),
    dependent   VARCHAR NOT NULL,
    family      VARCHAR,              -- NULL: the dependent as a whole; 'composite' or a family
    evidence_id VARCHAR,              -- optional: the one evidence item it speaks to
    start_date  DATE NOT NULL,
    end_date    DATE,                 -- NULL: a single day
    title       VARCHAR NOT NULL,
    body        VARCHAR NOT NULL DEFAULT '',
    tags        VARCHAR[] NOT NULL DEFAULT [],
    author      VARCHAR NOT NULL,     -- who created it
    created_at  TIMESTAMP NOT NULL,
    updated_by  VARCHAR NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    revision    INTEGER NOT NULL DEFAULT 1,
    deleted_at  TIMESTAMP,            -- soft delete: restorable
    deleted_by  VARCHAR
);

CREATE TABLE annotation_revisions (
    annotation_id BIGINT NOT NULL,
    revision      INTEGER NOT NULL,
    action        VARCHAR NOT NULL CHECK (action IN ('create', 'edit', 'delete', 'restore')),
    author        VARCHAR NOT NULL,
    changed_at    TIMESTAMP NOT NULL,
    dependent     VARCHAR NOT NULL,
    family        VARCHAR,
    evidence_id   VARCHAR,
    start_date    DATE NOT NULL,
    end_date      DATE,
    title         VARCHAR NOT NULL,
    body          VARCHAR NOT NULL,
    tags          VARCHAR[] NOT NULL,
    deleted       BOOLEAN NOT NULL,
    PRIMARY KEY (annotation_id, revision)
);
