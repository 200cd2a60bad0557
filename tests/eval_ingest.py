"""Precision, recall and throughput of the article reader on tests/ingest_eval/.

Not a test (pytest does not collect it): a measurement to rerun after changing a lexicon.
    python tests/eval_ingest.py [--verbose]
The articles were written for this set, half French and half English; expected.json holds
what a careful reader would extract from each.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from risk.reader import queue  # noqa: E402
from risk.settings import Settings  # noqa: E402

METHOD = Settings.resolve().methodology

EVAL_DIR = Path(__file__).parent / "ingest_eval"


def _money_key(item: dict) -> tuple:
    value = next((v for k, v in item.items() if k.startswith("value_")), None)
    return (value if value is not None else [item["low"], item["high"]], item["currency"])


def _same_money(a: tuple, b: tuple) -> bool:
    (va, ca), (vb, cb) = a, b
    if ca != cb or isinstance(va, list) != isinstance(vb, list):
        return False
    pairs = zip(va, vb, strict=True) if isinstance(va, list) else [(va, vb)]
    return all(abs(x - y) <= 0.05 * max(abs(y), 1e-9) for x, y in pairs)


def _score(got: list, want: list, same=lambda a, b: a == b) -> tuple[int, int, int]:
    """(true positives, predicted, expected), each item matched at most once."""
    free = list(want)
    hits = 0
    for item in got:
        match = next((w for w in free if same(item, w)), None)
        if match is not None:
            free.remove(match)
            hits += 1
    return hits, len(got), len(want)


def _fields(result: dict) -> dict[str, list]:
    cands = result["candidates"]
    return {
        "organisations": sorted(set(result["organisations"])),
        "chips": sorted(set(result["chips"])),
        "money": list({json.dumps(_money_key(m)): _money_key(m) for m in result["money"]}.values()),
        "dates": sorted({d["date"] for d in result["dates"]}),
        "candidate dependent": sorted({c["dependent"] for c in cands}),
        "candidate dependent+family": sorted({(c["dependent"], c["family"]) for c in cands}),
        "candidate dependent+family+direction": sorted(
            {(c["dependent"], c["family"], c["direction"]) for c in cands}),
    }  # fmt: skip


def _expected(spec: dict) -> dict[str, list]:
    cands = [tuple(c) for c in spec["candidates"]]
    return {
        "organisations": spec["organisations"], "chips": spec["chips"],
        "money": [tuple(m) for m in spec["money"]], "dates": spec["dates"],
        "candidate dependent": sorted({c[0] for c in cands}),
        "candidate dependent+family": sorted({c[:2] for c in cands}),
        "candidate dependent+family+direction": sorted(set(cands)),
    }  # fmt: skip


def main(verbose: bool = False) -> None:
    expected = json.loads((EVAL_DIR / "expected.json").read_text(encoding="utf-8"))
    nowhere = Path(tempfile.mkdtemp()) / "none.duckdb"  # dry run, bundled organisations
    totals: dict[str, list[int]] = {}
    lang_ok = 0
    for name, spec in expected.items():
        text = (EVAL_DIR / name).read_text(encoding="utf-8")
        result = queue.ingest_text(text, published=spec["published"], path=name,
                                    db_file=nowhere, dry_run=True, method=METHOD)  # fmt: skip
        lang_ok += result["source"]["language"] == spec["language"]
        got, want = _fields(result), _expected(spec)
        for field, items in got.items():
            same = _same_money if field == "money" else (lambda a, b: tuple(a) == tuple(b)
                                                         if isinstance(a, tuple | list)
                                                         else a == b)  # fmt: skip
            tp, n_got, n_want = _score(items, want[field], same)
            acc = totals.setdefault(field, [0, 0, 0])
            acc[0], acc[1], acc[2] = acc[0] + tp, acc[1] + n_got, acc[2] + n_want
            if verbose and (tp != n_got or tp != n_want):
                print(f"{name} {field}: got {items} want {want[field]}")
    print(f"{len(expected)} articles, language detected correctly: {lang_ok}/{len(expected)}")
    print(f"{'field':<40} {'precision':>9} {'recall':>7}   (tp/predicted/expected)")
    for field, (tp, n_got, n_want) in totals.items():
        p = tp / n_got if n_got else 1.0
        r = tp / n_want if n_want else 1.0
        print(f"{field:<40} {p:9.2f} {r:7.2f}   ({tp}/{n_got}/{n_want})")
    _throughput(expected, nowhere)


def _throughput(expected: dict, nowhere: Path) -> None:
    files = [EVAL_DIR / n for n in expected]
    texts = [f.read_text(encoding="utf-8") for f in files]
    size = sum(len(t.encode("utf-8")) for t in texts) / len(texts)
    rounds = 10
    start = time.perf_counter()
    for _ in range(rounds):
        queue.ingest_files(files, published="2025-01-01", db_file=nowhere, dry_run=True,
                           method=METHOD)
    rate = rounds * len(texts) / (time.perf_counter() - start)
    print(f"throughput (extraction, dry run): {rate:.0f} articles/s, mean size {size:.0f} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / "eval.duckdb"
        queue.ingest_text(texts[0], published="2025-01-01", db_file=db_file,
                          method=METHOD)  # builds the DB
        start = time.perf_counter()
        queue.ingest_files(files[1:], published="2025-01-01", db_file=db_file, method=METHOD)
        stored = (len(files) - 1) / (time.perf_counter() - start)
        start = time.perf_counter()
        for text in texts[1:]:  # again one by one: each article already stored, so a no-op
            queue.ingest_text(text, published="2025-01-01", db_file=db_file, method=METHOD)
        single = (len(texts) - 1) / (time.perf_counter() - start)
    print(f"throughput (extract and store in DuckDB, one batch): {stored:.0f} articles/s")
    print(f"throughput (one call per article, already stored): {single:.0f} articles/s")


if __name__ == "__main__":
    main(verbose="--verbose" in sys.argv)
