-- Article ingestion: the articles read and the evidence they suggest, awaiting review.
-- An article is stored once (text_hash of its normalised text); a candidate once per
-- article and fields (fingerprint), so re-ingesting proposes nothing already seen, and a
-- rejected candidate keeps its reason and is not proposed again.
CREATE SEQUENCE article_id_seq START 1;
CREATE SEQUENCE candidate_id_seq START 1;

CREATE TABLE articles (
    id          BIGINT PRIMARY KEY DEFAULT nextval('article_id_seq'),
    text_hash   VARCHAR NOT NULL UNIQUE,
    title       VARCHAR,
    url         VARCHAR,
    published   DATE NOT NULL,
    language    VARCHAR NOT NULL,
    path        VARCHAR,
    text        VARCHAR NOT NULL,
    ingested_at TIMESTAMP NOT NULL
);

CREATE TABLE candidates (
    id             BIGINT PRIMARY KEY DEFAULT nextval('candidate_id_seq'),
    article_id     BIGINT NOT NULL,
    fingerprint    VARCHAR NOT NULL UNIQUE,
    dependent      VARCHAR NOT NULL,
    vendor         VARCHAR NOT NULL,
    family         VARCHAR NOT NULL,
    direction      TINYINT NOT NULL CHECK (direction IN (-1, 1)),
    magnitude      TINYINT NOT NULL CHECK (magnitude BETWEEN 1 AND 5),
    credibility    TINYINT NOT NULL CHECK (credibility BETWEEN 1 AND 6),
    date           DATE NOT NULL,
    date_precision VARCHAR NOT NULL DEFAULT 'day',
    amount_usd     DOUBLE,
    summary        VARCHAR NOT NULL,
    spans          VARCHAR NOT NULL,   -- JSON: field -> [start, end, text] in the article text
    status         VARCHAR NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'accepted', 'rejected')),
    evidence_id    VARCHAR,
    reason         VARCHAR,
    reviewer       VARCHAR,
    reviewed_at    TIMESTAMP,
    created_at     TIMESTAMP NOT NULL
);
