"""python manage.py evaluate_eligibility FILE (or - for standard input), per eligibility-cli.md.

Prints a JSON array with one result per case, in input order. A case that cannot be evaluated
gets {"id", "error"}; the others are still evaluated and the command then exits with status 1.

JSON is read and written with orjson (pinned in pyproject.toml): on 100,000 cases it is several
times faster than the standard library's json, which otherwise dominates the command's time.
What orjson refuses or reads differently from the standard library (NaN, integers beyond 64 bits,
which orjson turns into floats) goes through the standard library, so the input is read and the
output written exactly as with ``json`` alone.

A large input (``PARALLEL_MIN_BYTES`` of JSON or more, about 12,000 cases of 24 months) is split
over ``--jobs`` processes (default: the CPUs this process may use). The processes are forked after
the parameters are loaded; each reads the JSON itself (so no process touches objects another
made, which would copy them page by page), evaluates its contiguous slice and returns its results
already as JSON bytes, which are joined in input order: the output is byte for byte the same as
from one process. Input the fast path cannot take (not an array, invalid JSON, numbers beyond 64
bits) goes the one-process way. The children run only the pure-Python rule code and orjson (no
database, no logging), so the fork of a process whose database pool has threads is safe here;
``--jobs=1`` keeps everything in one process.
"""

import gc
import json
import multiprocessing
import os
import re
import sys

import orjson
from django.core.management.base import BaseCommand, CommandError

from eligibility.rules import evaluate_many
from eligibility.selectors import current_parameters

#: From this much JSON on, the batch is split over several processes (when --jobs allows).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Set in the parent just before the worker processes are forked; the children read their slice
# from it (copy-on-write) instead of receiving the cases through a pipe.
_BATCH: dict = {}


def _evaluate_slice(index: int) -> tuple[bytes, int, int] | None:
    """Slice ``index`` of ``jobs``: (results as JSON bytes, errors, number of cases in the whole
    input), or None when the input is not for the parallel path."""
    gc.disable()
    try:
        data = orjson.loads(_BATCH["text"])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, list):
        return None
    size = -(-len(data) // _BATCH["jobs"])
    cases = data[index * size : (index + 1) * size]
    results, errors = evaluate_many(cases, _BATCH["parameters"], lang=_BATCH["lang"])
    try:
        return orjson.dumps(results), errors, len(data)
    except TypeError:  # something orjson cannot write: the parent evaluates the batch itself
        return None


class Command(BaseCommand):
    help = "Evaluate eligibility cases from a JSON file (or - for standard input) and print the results as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a JSON file with one case or an array of cases, or - for stdin")
        parser.add_argument(
            "--lang",
            choices=["sv", "en"],
            default="sv",
            help="language of the explanation texts (default: sv)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=_usable_cpus(),
            help="processes for a large input (16 MiB of JSON or more; default: the usable CPUs)",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
            else:
                with open(path, "rb") as fh:
                    text = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        # The batch makes millions of small dicts and lists and no reference cycles: the cyclic
        # garbage collector would only rescan them again and again (about 15 % of the CPU time
        # on 100,000 cases, measured once on a loaded machine), so it is paused for the batch.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            out, errors, count = self._run(text, path, options["lang"], max(1, options["jobs"]))
        finally:
            if gc_was_enabled:
                gc.enable()
        if isinstance(out, bytes):
            if getattr(self.stdout, "_out", None) is sys.stdout and hasattr(sys.stdout, "buffer"):
                # Straight to the binary stdout: decoding and re-encoding 100 MB of text costs
                # more than evaluating the cases.
                sys.stdout.flush()
                sys.stdout.buffer.write(out + b"\n")
                sys.stdout.buffer.flush()
            else:
                self.stdout.write(out.decode())
        else:
            self.stdout.write(out)
        if errors:
            raise CommandError(f"{errors} of {count} case(s) could not be evaluated", returncode=1)

    def _run(self, text, path, lang, jobs=1):
        stdlib = _has_long_digit_run(text)  # a number orjson would not keep exact
        if not stdlib and jobs > 1 and isinstance(text, bytes) and len(text) >= PARALLEL_MIN_BYTES:
            parts = _evaluate_in_processes(text, current_parameters(), lang, jobs)
            if parts is not None and all(part is not None for part in parts):
                chunks = [json_bytes[1:-1] for json_bytes, _errors, _count in parts if json_bytes != b"[]"]
                return b"[" + b",".join(chunks) + b"]", sum(p[1] for p in parts), parts[0][2]
        if not stdlib:
            try:
                data = orjson.loads(text)
            except orjson.JSONDecodeError:
                stdlib = True  # e.g. NaN in the input: write it back the way json does, too
        if stdlib:
            data = _loads_stdlib(text, path)
        cases = data if isinstance(data, list) else [data]
        parameters = current_parameters()
        results, errors = evaluate_many(cases, parameters, lang=lang)
        if not stdlib:
            try:
                return orjson.dumps(results), errors, len(cases)
            except TypeError:  # orjson.JSONEncodeError: e.g. an id that is an integer beyond 64 bits
                pass
        out = json.dumps(results, ensure_ascii=False)
        return out, errors, len(cases)


def _evaluate_in_processes(text, parameters, lang, jobs):
    """Evaluates the input in ``jobs`` forked processes, one contiguous slice each; returns the
    slices' results in input order, or None where fork is not available."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    from django.db import connections

    connections.close_all()  # the children must not share the parent's database connection
    _BATCH.update(text=text, parameters=parameters, lang=lang, jobs=jobs)
    try:
        pool = multiprocessing.get_context("fork").Pool(jobs)
        try:
            return pool.map(_evaluate_slice, range(jobs), chunksize=1)
        finally:
            pool.close()
            pool.join()
    finally:
        _BATCH.clear()


#: 19 or more digits in a row: possibly an integer beyond 64 bits (in a string too, which is harmless)
_DIGITS_TO_ZERO = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS_TEXT = re.compile(r"[0-9]{19,}")


def _has_long_digit_run(text: bytes | str) -> bool:
    """Whether ``text`` has 19 or more ASCII digits in a row (possibly an integer beyond 64 bits;
    in a string too, which is harmless). For bytes: translate + substring search, both C loops
    over the buffer, far faster than a regular expression on 100 MB."""
    if isinstance(text, bytes):
        return b"0" * 19 in text.translate(_DIGITS_TO_ZERO)
    return _LONG_DIGITS_TEXT.search(text) is not None


def _loads_stdlib(text: bytes | str, path: str):
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text)
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None
