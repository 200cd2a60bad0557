-- Core model: organisations, sources, evidence, methodology versions and derived scores.
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Dependents, vendors, alternatives and partners are rows, never code.
CREATE TABLE organisations (
    id      VARCHAR PRIMARY KEY,
    name    VARCHAR NOT NULL,
    roles   VARCHAR[] NOT NULL,
    aliases VARCHAR[] NOT NULL DEFAULT []
);

-- Reliability (A-F) is a property of the source; credibility (1-6) belongs to the item.
CREATE TABLE sources (
    id          VARCHAR PRIMARY KEY,
    publisher   VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    published   DATE NOT NULL,
    url         VARCHAR,
    language    VARCHAR NOT NULL,
    reliability VARCHAR NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F'))
);

CREATE TABLE evidence (
    id             VARCHAR PRIMARY KEY,
    date           DATE NOT NULL,
    date_precision VARCHAR NOT NULL DEFAULT 'day'
                   CHECK (date_precision IN ('day', 'month', 'year')),
    dependent      VARCHAR NOT NULL,
    vendor         VARCHAR NOT NULL,
    counterparty   VARCHAR,
    family         VARCHAR NOT NULL,
    direction      TINYINT NOT NULL CHECK (direction IN (-1, 1)),
    magnitude      TINYINT NOT NULL CHECK (magnitude BETWEEN 1 AND 5),
    credibility    TINYINT NOT NULL CHECK (credibility BETWEEN 1 AND 6),
    amount_usd     DOUBLE,
    quantity       DOUBLE,
    unit           VARCHAR,
    summary        VARCHAR NOT NULL,
    grading_note   VARCHAR,
    source_id      VARCHAR NOT NULL,
    origin         VARCHAR NOT NULL DEFAULT 'import',
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE methodology_versions (
    version     VARCHAR PRIMARY KEY,
    semver      VARCHAR NOT NULL,
    config_hash VARCHAR NOT NULL,
    config      VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- Derived and rebuildable: one row per dependent x family (or 'composite') x day.
CREATE TABLE scores (
    dependent            VARCHAR NOT NULL,
    family               VARCHAR NOT NULL,
    date                 DATE NOT NULL,
    pressure             DOUBLE,
    score                DOUBLE NOT NULL,
    band_low             DOUBLE NOT NULL,
    band_high            DOUBLE NOT NULL,
    mass                 DOUBLE NOT NULL,
    methodology_version  VARCHAR NOT NULL,
    PRIMARY KEY (dependent, family, date)
);

CREATE TABLE score_runs (
    computed_at         TIMESTAMP NOT NULL,
    methodology_version VARCHAR NOT NULL,
    grid_start          DATE NOT NULL,
    grid_end            DATE NOT NULL,
    evidence_count      INTEGER NOT NULL,
    row_count           INTEGER NOT NULL
);
