-- Methodology 2: the capacity ledger and the reliance indicators derived from it.
-- A block of compute (id) has one row per VERSION, each with the day it became public
-- (known_from): a past day is shown with the versions known then, or with the latest ones
-- (the hindsight view). Columns follow data/capacity.csv.
CREATE TABLE ledger (
    id          VARCHAR NOT NULL,
    known_from  DATE NOT NULL,
    dependent   VARCHAR NOT NULL,
    supplier    VARCHAR NOT NULL,
    chip        VARCHAR,
    channel     VARCHAR NOT NULL,             -- 'owned' or the organisation renting it out
    quantity    DOUBLE NOT NULL CHECK (quantity > 0),
    unit        VARCHAR NOT NULL CHECK (unit IN ('GW', 'MW', 'chips', 'H100e', 'USD')),
    status      VARCHAR NOT NULL CHECK (status IN ('rumoured', 'planned', 'contracted',
                    'delivering', 'deployed', 'cancelled', 'denied')),
    start       DATE NOT NULL,
    full_by     DATE NOT NULL,
    "end"       DATE,
    note        VARCHAR,
    origin      VARCHAR NOT NULL DEFAULT 'import',
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (id, known_from),
    CHECK (full_by >= start),
    CHECK ("end" IS NULL OR "end" >= start)
);

-- The evidence items behind each version (one or more).
CREATE TABLE ledger_evidence (
    id          VARCHAR NOT NULL,
    known_from  DATE NOT NULL,
    evidence_id VARCHAR NOT NULL,
    PRIMARY KEY (id, known_from, evidence_id)
);

-- Derived and rebuildable, in two views: 'as_known' (each day with what was public then)
-- and 'hindsight' (every day with the latest versions). Long format, as reliance.csv.
-- No primary key: both tables are rebuilt whole by risk.reliance.compute.
CREATE TABLE reliance (
    dependent           VARCHAR NOT NULL,
    view                VARCHAR NOT NULL CHECK (view IN ('as_known', 'hindsight')),
    date                DATE NOT NULL,
    indicator           VARCHAR NOT NULL,
    value               DOUBLE,                -- NULL: nothing to measure that day
    low                 DOUBLE,
    high                DOUBLE,
    methodology_version VARCHAR NOT NULL
);

-- Capacity by chip supplier and day, in H100e, for the stacked charts. Days after the
-- computed end (projected = true) extend each block's ramp as known at the end.
CREATE TABLE capacity_daily (
    dependent           VARCHAR NOT NULL,
    view                VARCHAR NOT NULL CHECK (view IN ('as_known', 'hindsight')),
    date                DATE NOT NULL,
    supplier            VARCHAR NOT NULL,
    deployed_h100e      DOUBLE NOT NULL,
    deployed_low        DOUBLE NOT NULL,
    deployed_high       DOUBLE NOT NULL,
    pipeline_h100e      DOUBLE NOT NULL,
    pipeline_low        DOUBLE NOT NULL,
    pipeline_high       DOUBLE NOT NULL,
    projected           BOOLEAN NOT NULL,
    methodology_version VARCHAR NOT NULL
);

CREATE TABLE reliance_runs (
    computed_at         TIMESTAMP NOT NULL,
    methodology_version VARCHAR NOT NULL,
    grid_start          DATE NOT NULL,
    grid_end            DATE NOT NULL,
    ledger_count        INTEGER NOT NULL,
    row_count           INTEGER NOT NULL
);
