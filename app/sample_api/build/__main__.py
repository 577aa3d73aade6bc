"""python -m app.sample_api.build [--large OUT_DIR]"""

import argparse
import time
import warnings
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m app.sample_api.build", description=__doc__)
    p.add_argument(
        "--large", metavar="OUT_DIR", help="write only the large benchmark job into OUT_DIR/jobs and OUT_DIR/storage"
    )
    args = p.parse_args(argv)
    warnings.filterwarnings("ignore")
    from . import jobs

    t0 = time.perf_counter()
    if args.large:
        body = jobs.build_large(Path(args.large))
        print(f"large job {body['job']['id']} written to {args.large} in {time.perf_counter() - t0:.1f} s")
    else:
        written = jobs.build_all(DATA_DIR)
        for b in written:
            print(b["job"]["id"], b["job"]["status"], b["x_sample"]["title"])
        print(f"{len(written)} jobs written to {DATA_DIR} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
